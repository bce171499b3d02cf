using System;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The one place the protocol code touches the symmetric primitives of Enrollment.Protocol.Crypto
    /// (SHA-256, HKDF-SHA256, ChaCha20-Poly1305, fixed-time helpers), so the flows read as the spec does.
    /// INTERIM: the crypto lands in parallel; until it is merged these bodies refuse to run.
    /// </summary>
    internal static class CryptoBinding
    {
        internal static void Sha256(byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        /// <summary>HKDF-SHA256 (RFC 5869) extract then expand.</summary>
        internal static void Hkdf(byte[] salt, byte[] ikm, int ikmOffset, int ikmCount, byte[] info, byte[] output, int outputOffset, int length)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        /// <summary>HKDF-Expand (RFC 5869 section 2.3) with a uniformly random PRK.</summary>
        internal static void Expand(byte[] prk, byte[] info, byte[] output, int outputOffset, int length)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        internal static void Seal(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] plaintext, int pOffset, int pLength, byte[] output, int oOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        internal static bool Open(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] input, int iOffset, int iLength, byte[] output, int oOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        internal static bool FixedEquals(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        internal static bool IsZero(byte[] a, int offset, int count)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        internal static void Zero(byte[]? a)
        {
            if (a != null)
            {
                Array.Clear(a, 0, a.Length);
            }
        }
    }
}
