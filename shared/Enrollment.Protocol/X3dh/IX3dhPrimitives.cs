namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The public-key operations of the enrollment flows (X25519 per RFC 7748, XEdDSA per the Signal XEdDSA
    /// specification), behind a seam so that a host can plug a faster implementation (the cloud uses
    /// libsodium) while the device uses <see cref="DefaultX3dhPrimitives"/>. Every key is 32 bytes, every
    /// signature 64; implementations need not check DH outputs for zero (the flows do, in fixed time).
    /// </summary>
    public interface IX3dhPrimitives
    {
        /// <summary>X25519(privateKey, publicKey) (RFC 7748 section 5, clamping the scalar) into output[outputOffset..+32].</summary>
        void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset);

        /// <summary>X25519(privateKey, 9): the public key of a private key.</summary>
        void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset);

        /// <summary>XEdDSA-Sign with an X25519 private key and 64 caller-supplied random bytes (XEdDSA spec section 2.5).</summary>
        void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset);

        /// <summary>XEdDSA-Verify with an X25519 public key; false for any invalid signature or key.</summary>
        bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset);
    }
}
