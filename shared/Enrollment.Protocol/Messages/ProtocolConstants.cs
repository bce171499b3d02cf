namespace Enrollment.Protocol.Messages
{
    /// <summary>Protocol-wide constants (docs/protocol.md "Constants").</summary>
    public static class ProtocolConstants
    {
        /// <summary>The one protocol version this code speaks; the second byte of every message.</summary>
        public const byte Version = 1;

        /// <summary>X25519 public and private keys, DH outputs (RFC 7748 section 5).</summary>
        public const int KeySize = 32;

        /// <summary>XEdDSA signature (Signal XEdDSA spec section 2.5).</summary>
        public const int SignatureSize = 64;

        /// <summary>SHA-256 output (FIPS 180-4).</summary>
        public const int HashSize = 32;

        /// <summary>Random input of one XEdDSA signature (Signal XEdDSA spec section 2.5: Z).</summary>
        public const int SignatureRandomSize = 64;

        /// <summary>ChaCha20-Poly1305 key, nonce and tag sizes (RFC 8439 section 2.8).</summary>
        public const int AeadKeySize = 32;

        /// <summary>ChaCha20-Poly1305 nonce size.</summary>
        public const int AeadNonceSize = 12;

        /// <summary>ChaCha20-Poly1305 tag size.</summary>
        public const int AeadTagSize = 16;

        /// <summary>Bundle id: 16 random bytes chosen by the service.</summary>
        public const int BundleIdSize = 16;

        /// <summary>Largest retry-after a busy answer may carry (one day), so a forged notice cannot park a device for years.</summary>
        public const uint MaxRetryAfterSeconds = 86400;

        /// <summary>Largest time value on the wire: 2^63 - 1 seconds, so every time fits a signed 64-bit integer.</summary>
        public const long MaxTime = long.MaxValue;
    }
}
