namespace Enrollment.Protocol.Crypto
{
    /// <summary>XEdDSA sign/verify and Ed25519 verify cores (see <see cref="XEdDsa"/>).</summary>
    public sealed partial class Curve25519Workspace
    {
        private readonly Sha512 sha = new Sha512();

        // hash1 prefix (XEdDSA s2.3): hash_i(X) = hash(2^b - 1 - i || X) with b = 256, i = 1:
        // the little-endian encoding of 2^256 - 2 is 0xFE followed by 31 bytes 0xFF.
        private static readonly byte[] Hash1Prefix = new byte[]
        {
            0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        };

        private static readonly byte[] ScalarOne = new byte[]
        {
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        };

        private static readonly byte[] ScalarZero = new byte[32];

        private readonly byte[] hash64 = new byte[64];
        private readonly byte[] edPublic = new byte[32];   // A (Edwards encoding, sign bit 0)
        private readonly byte[] privA = new byte[32];      // a (secret)
        private readonly byte[] nonce = new byte[32];      // r (secret)
        private readonly byte[] factor = new byte[32];     // 1 or q - 1 (secret choice)
        private readonly byte[] hScalar = new byte[32];
        private readonly byte[] rEncoded = new byte[32];
        private readonly EdPoint checkPoint = new EdPoint();

        /// <summary>XEdDSA signature (64 bytes) into signature[sigOff..]; no allocation.</summary>
        public void XEdDsaSign(byte[] privateKey, int pkOff, byte[] message, int mOff, int mLen, byte[] random, int rOff, byte[] signature, int sigOff)
        {
            CheckSign(privateKey, pkOff, message, mOff, mLen, random, rOff, signature, sigOff);
            XEdDsaSignCore(privateKey, pkOff, message, mOff, mLen, random, rOff, signature, sigOff);
        }

        /// <summary>XEdDSA verification; no allocation.</summary>
        public bool XEdDsaVerify(byte[] publicKey, int pkOff, byte[] message, int mOff, int mLen, byte[] signature, int sigOff)
        {
            CheckVerify(publicKey, pkOff, message, mOff, mLen, signature, sigOff);
            return XEdDsaVerifyCore(publicKey, pkOff, message, mOff, mLen, signature, sigOff);
        }

        internal static void CheckSign(byte[] privateKey, int pkOff, byte[] message, int mOff, int mLen, byte[] random, int rOff, byte[] signature, int sigOff)
        {
            CurveArgs.Range(privateKey, pkOff, XEdDsa.KeySize, nameof(privateKey));
            CurveArgs.Range(message, mOff, mLen, nameof(message));
            CurveArgs.Range(random, rOff, XEdDsa.RandomSize, nameof(random));
            CurveArgs.Range(signature, sigOff, XEdDsa.SignatureSize, nameof(signature));
        }

        internal static void CheckVerify(byte[] publicKey, int pkOff, byte[] message, int mOff, int mLen, byte[] signature, int sigOff)
        {
            CurveArgs.Range(publicKey, pkOff, XEdDsa.KeySize, nameof(publicKey));
            CurveArgs.Range(message, mOff, mLen, nameof(message));
            CurveArgs.Range(signature, sigOff, XEdDsa.SignatureSize, nameof(signature));
        }

        /// <summary>xeddsa_sign(k, M, Z) of XEdDSA s3.2 (fixed time).</summary>
        internal void XEdDsaSignCore(byte[] privateKey, int pkOff, byte[] message, int mOff, int mLen, byte[] random, int rOff, byte[] signature, int sigOff)
        {
            // calculate_key_pair(k) (s2.3): E = kB; A = E with sign bit 0; a = k if E.s = 0 else -k (mod q).
            X25519.Clamp(Scalar, privateKey, pkOff);
            EdScalarMult.Base(P, Scalar, 0, this);
            EdGroup.Encode(edPublic, 0, P, this);
            int sign = edPublic[31] >> 7;
            edPublic[31] &= 0x7F;
            int mask = -sign;
            for (int i = 0; i < 32; i++)
            {
                factor[i] = (byte)(ScalarOne[i] ^ ((ScalarOne[i] ^ Scalar25519.MinusOne[i]) & mask));
            }

            Scalar25519.MulAdd(privA, 0, Scalar, 0, factor, 0, ScalarZero, 0, Wide);

            // r = hash1(a || M || Z) (mod q)
            sha.Reset();
            sha.Update(Hash1Prefix, 0, 32);
            sha.Update(privA, 0, 32);
            sha.Update(message, mOff, mLen);
            sha.Update(random, rOff, XEdDsa.RandomSize);
            sha.Final(hash64, 0);
            Scalar25519.Reduce64(nonce, 0, hash64, 0, Wide);

            // R = rB
            EdScalarMult.Base(P, nonce, 0, this);
            EdGroup.Encode(rEncoded, 0, P, this);

            // h = hash(R || A || M) (mod q); s = r + h a (mod q)
            sha.Update(rEncoded, 0, 32);
            sha.Update(edPublic, 0, 32);
            sha.Update(message, mOff, mLen);
            sha.Final(hash64, 0);
            Scalar25519.Reduce64(hScalar, 0, hash64, 0, Wide);
            Scalar25519.MulAdd(signature, sigOff + 32, hScalar, 0, privA, 0, nonce, 0, Wide);
            System.Array.Copy(rEncoded, 0, signature, sigOff, 32);

            System.Array.Clear(privA, 0, 32);
            System.Array.Clear(nonce, 0, 32);
            System.Array.Clear(factor, 0, 32);
            System.Array.Clear(hash64, 0, 64);
            ClearSecrets();
        }

        /// <summary>xeddsa_verify(u, M, (R || s)) of XEdDSA s3.3 (variable time; public inputs).</summary>
        internal bool XEdDsaVerifyCore(byte[] publicKey, int pkOff, byte[] message, int mOff, int mLen, byte[] signature, int sigOff)
        {
            // u >= p (including any u with bit 255 set) is rejected.
            if ((publicKey[pkOff + 31] & 0x80) != 0)
            {
                return false;
            }

            Field25519.FromBytes(F1, publicKey, pkOff);
            Field25519.ToBytes(Bytes32, 0, F1);
            for (int i = 0; i < 32; i++)
            {
                if (Bytes32[i] != publicKey[pkOff + i])
                {
                    return false;
                }
            }

            // s >= 2^253 is rejected (spec), and s >= q as well (see XEdDsa's remarks).
            if ((signature[sigOff + 63] & 0xE0) != 0)
            {
                return false;
            }

            if (!Scalar25519.IsCanonical(signature, sigOff + 32))
            {
                return false;
            }

            // convert_mont(u): y = (u - 1)/(u + 1), sign bit 0, and its decompression (curve check).
            // (u = -1 gives 1/0 = 0, so y = 0, as the spec's inversion by exponentiation does.)
            if (!EdGroup.FromMontgomery(P, edPublic, F1, this))
            {
                return false;
            }

            return VerifyWithPoint(edPublic, 0, message, mOff, mLen, signature, sigOff);
        }

        /// <summary>
        /// RFC 8032 s5.1.7 without the cofactor: s &lt; L, A decodes (canonical y, on the curve), and the
        /// encoding of s B - h A equals R byte for byte (so a non-canonical R never matches).
        /// </summary>
        internal bool Ed25519VerifyCore(byte[] publicKey, int pkOff, byte[] message, int mOff, int mLen, byte[] signature, int sigOff)
        {
            if (!Scalar25519.IsCanonical(signature, sigOff + 32))
            {
                return false;
            }

            if (!EdGroup.Decode(P, publicKey, pkOff, this))
            {
                return false;
            }

            return VerifyWithPoint(publicKey, pkOff, message, mOff, mLen, signature, sigOff);
        }

        /// <summary>The equation check of RFC 8032 s5.1.7 for the decoded public key in P.</summary>
        private bool VerifyWithPoint(byte[] publicKey, int pkOff, byte[] message, int mOff, int mLen, byte[] signature, int sigOff)
        {
            EdGroup.Negate(P);
            sha.Reset();
            sha.Update(signature, sigOff, 32);
            sha.Update(publicKey, pkOff, 32);
            sha.Update(message, mOff, mLen);
            sha.Final(hash64, 0);
            Scalar25519.Reduce64(hScalar, 0, hash64, 0, Wide);
            EdScalarMult.DoubleVartime(checkPoint, hScalar, 0, P, signature, sigOff + 32, this);
            EdGroup.Encode(rEncoded, 0, checkPoint, this);
            return FixedTime.Equals(rEncoded, 0, signature, sigOff, 32);
        }
    }
}
