using Enrollment.Protocol.Crypto;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The one place the protocol code touches the symmetric primitives of Enrollment.Protocol.Crypto
    /// (SHA-256 per FIPS 180-4, HKDF-SHA256 per RFC 5869, ChaCha20-Poly1305 per RFC 8439, fixed-time helpers),
    /// so the flows in this folder read like docs/protocol.md section 9. The overloads taking an
    /// <see cref="IX3dhSymmetricPrimitives"/> use it when it is not null (a host's native code).
    /// </summary>
    internal static class CryptoBinding
    {
        internal static void Sha256(IX3dhSymmetricPrimitives? s, byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            if (s == null)
            {
                Sha256(data, offset, count, output, outputOffset);
            }
            else
            {
                s.Sha256(data, offset, count, output, outputOffset);
            }
        }

        internal static void Hkdf(IX3dhSymmetricPrimitives? s, byte[] salt, byte[] ikm, int ikmOffset, int ikmCount, byte[] info, byte[] output, int outputOffset, int length)
        {
            if (s == null)
            {
                Hkdf(salt, ikm, ikmOffset, ikmCount, info, output, outputOffset, length);
                return;
            }

            byte[] prk = new byte[HkdfSha256.HashSize];
            s.HkdfExtract(salt, 0, salt.Length, ikm, ikmOffset, ikmCount, prk, 0);
            s.HkdfExpand(prk, 0, info, 0, info.Length, output, outputOffset, length);
            FixedTime.Zero(prk);
        }

        internal static void Expand(IX3dhSymmetricPrimitives? s, byte[] prk, byte[] info, byte[] output, int outputOffset, int length)
        {
            if (s == null)
            {
                Expand(prk, info, output, outputOffset, length);
            }
            else
            {
                s.HkdfExpand(prk, 0, info, 0, info.Length, output, outputOffset, length);
            }
        }

        internal static void Seal(IX3dhSymmetricPrimitives? s, byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] plaintext, int pOffset, int pLength, byte[] output, int oOffset)
        {
            if (s == null)
            {
                Seal(key, nonce, ad, adOffset, adLength, plaintext, pOffset, pLength, output, oOffset);
            }
            else
            {
                s.Seal(key, nonce, ad, adOffset, adLength, plaintext, pOffset, pLength, output, oOffset);
            }
        }

        internal static bool Open(IX3dhSymmetricPrimitives? s, byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] input, int iOffset, int iLength, byte[] output, int oOffset)
        {
            return s == null
                ? Open(key, nonce, ad, adOffset, adLength, input, iOffset, iLength, output, oOffset)
                : s.Open(key, nonce, ad, adOffset, adLength, input, iOffset, iLength, output, oOffset);
        }

        internal static void Sha256(byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            Crypto.Sha256.Hash(data, offset, count, output, outputOffset);
        }

        /// <summary>HKDF-SHA256 (RFC 5869 sections 2.2 and 2.3): extract with the salt, then expand with info.
        /// The platform's HMAC runs underneath when one passed <see cref="CryptoPlatform.TryUseHmac"/>.</summary>
        internal static void Hkdf(byte[] salt, byte[] ikm, int ikmOffset, int ikmCount, byte[] info, byte[] output, int outputOffset, int length)
        {
            IPlatformHmacSha256? platform = CryptoPlatform.Hmac;
            if (platform != null)
            {
                PlatformHkdf.Derive(platform, salt, ikm, ikmOffset, ikmCount, info, output, outputOffset, length);
                return;
            }

            HkdfSha256 hkdf = new HkdfSha256();
            byte[] prk = new byte[HkdfSha256.HashSize];
            hkdf.Extract(salt, 0, salt.Length, ikm, ikmOffset, ikmCount, prk, 0);
            hkdf.Expand(prk, 0, prk.Length, info, 0, info.Length, output, outputOffset, length);
            FixedTime.Zero(prk);
        }

        /// <summary>HKDF-Expand (RFC 5869 section 2.3) with a uniformly random PRK.</summary>
        internal static void Expand(byte[] prk, byte[] info, byte[] output, int outputOffset, int length)
        {
            IPlatformHmacSha256? platform = CryptoPlatform.Hmac;
            if (platform != null)
            {
                PlatformHkdf.Expand(platform, prk, info, output, outputOffset, length);
                return;
            }

            new HkdfSha256().Expand(prk, 0, prk.Length, info, 0, info.Length, output, outputOffset, length);
        }

        internal static void Seal(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] plaintext, int pOffset, int pLength, byte[] output, int oOffset)
        {
            new ChaCha20Poly1305().Encrypt(key, 0, nonce, 0, ad, adOffset, adLength, plaintext, pOffset, pLength, output, oOffset);
        }

        /// <summary>False when the tag does not verify; the output is then zeroed by the AEAD.</summary>
        internal static bool Open(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] input, int iOffset, int iLength, byte[] output, int oOffset)
        {
            return new ChaCha20Poly1305().TryDecrypt(key, 0, nonce, 0, ad, adOffset, adLength, input, iOffset, iLength, output, oOffset);
        }

        internal static bool FixedEquals(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            return FixedTime.Equals(a, aOffset, b, bOffset, count);
        }

        internal static bool IsZero(byte[] a, int offset, int count)
        {
            return FixedTime.IsZero(a, offset, count);
        }

        internal static void Zero(byte[]? a)
        {
            if (a != null)
            {
                FixedTime.Zero(a);
            }
        }
    }
}
