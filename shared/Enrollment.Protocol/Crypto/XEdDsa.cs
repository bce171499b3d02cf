namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// XEdDSA signatures with X25519 keys (Signal, "The XEdDSA and VXEdDSA Signature Schemes", revision 1,
    /// 2016, sections 2.3 and 3 for 25519): a Montgomery private key signs as the Edwards key pair of
    /// calculate_key_pair, whose public key is the birational image of the X25519 public key with sign
    /// bit 0; the signature (R || s) is then an Ed25519 signature (RFC 8032) under that key, except for
    /// the nonce, which hashes a and 64 caller-supplied random bytes Z with hash1.
    /// </summary>
    /// <remarks>
    /// Signing is fixed time. Verification is variable time (all inputs public), rejects u &gt;= p,
    /// s &gt;= 2^253 (spec) and also s &gt;= q: a conforming signer always produces s &lt; q, so this
    /// removes malleability (as RFC 8032 s5.1.7 and libsodium do) without refusing any honest signature.
    /// A signature of the wrong length is reported as invalid (false), not as an argument error, since it is
    /// untrusted input. The static methods share one workspace under a lock; use a
    /// <see cref="Curve25519Workspace"/> per thread to avoid the lock.
    /// </remarks>
    public static class XEdDsa
    {
        /// <summary>R || s.</summary>
        public const int SignatureSize = 64;

        /// <summary>X25519 private and public key size.</summary>
        public const int KeySize = 32;

        /// <summary>Size of the random Z (spec section 3.2: 64 bytes of secure random data).</summary>
        public const int RandomSize = 64;

        /// <summary>Signs message with an X25519 private key and 64 fresh random bytes.</summary>
        public static byte[] Sign(byte[] x25519PrivateKey32, byte[] message, byte[] random64)
        {
            CurveArgs.Exact(x25519PrivateKey32, KeySize, nameof(x25519PrivateKey32));
            CurveArgs.Range(message, 0, 0, nameof(message));
            CurveArgs.Exact(random64, RandomSize, nameof(random64));
            byte[] signature = new byte[SignatureSize];
            Sign(x25519PrivateKey32, 0, message, 0, message.Length, random64, 0, signature, 0);
            return signature;
        }

        /// <summary>True when signature64 is a valid XEdDSA signature of message under the X25519 public key.</summary>
        public static bool Verify(byte[] x25519PublicKey32, byte[] message, byte[] signature64)
        {
            CurveArgs.Exact(x25519PublicKey32, KeySize, nameof(x25519PublicKey32));
            CurveArgs.Range(message, 0, 0, nameof(message));
            CurveArgs.Range(signature64, 0, 0, nameof(signature64));
            if (signature64.Length != SignatureSize)
            {
                return false;
            }

            return Verify(x25519PublicKey32, 0, message, 0, message.Length, signature64, 0);
        }

        /// <summary>Writes the 64-byte signature to signature[sigOff..]; the output must not overlap the inputs.</summary>
        public static void Sign(byte[] privateKey, int pkOff, byte[] message, int mOff, int mLen, byte[] random, int rOff, byte[] signature, int sigOff)
        {
            Curve25519Workspace.CheckSign(privateKey, pkOff, message, mOff, mLen, random, rOff, signature, sigOff);
            lock (Curve25519Workspace.SharedLock)
            {
                Curve25519Workspace.Shared.XEdDsaSignCore(privateKey, pkOff, message, mOff, mLen, random, rOff, signature, sigOff);
            }
        }

        /// <summary>Verifies the 64-byte signature at signature[sigOff..].</summary>
        public static bool Verify(byte[] publicKey, int pkOff, byte[] message, int mOff, int mLen, byte[] signature, int sigOff)
        {
            Curve25519Workspace.CheckVerify(publicKey, pkOff, message, mOff, mLen, signature, sigOff);
            lock (Curve25519Workspace.SharedLock)
            {
                return Curve25519Workspace.Shared.XEdDsaVerifyCore(publicKey, pkOff, message, mOff, mLen, signature, sigOff);
            }
        }
    }

    /// <summary>
    /// Standard Ed25519 verification (RFC 8032 s5.1.7, cofactorless, s &lt; L and canonical A required) with
    /// an Edwards public key: the core that XEdDSA verification shares, exposed for the Wycheproof
    /// ed25519 vectors. Not used by the protocol.
    /// </summary>
    internal static class Ed25519
    {
        internal static bool Verify(byte[] publicKey32, byte[] message, byte[] signature)
        {
            CurveArgs.Exact(publicKey32, 32, nameof(publicKey32));
            CurveArgs.Range(message, 0, 0, nameof(message));
            CurveArgs.Range(signature, 0, 0, nameof(signature));
            if (signature.Length != XEdDsa.SignatureSize)
            {
                return false;
            }

            lock (Curve25519Workspace.SharedLock)
            {
                return Curve25519Workspace.Shared.Ed25519VerifyCore(publicKey32, 0, message, 0, message.Length, signature, 0);
            }
        }
    }
}
