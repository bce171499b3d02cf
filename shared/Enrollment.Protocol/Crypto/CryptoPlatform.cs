using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// The platform seam of the protocol's symmetric crypto: a firmware may hand in its native HMAC-SHA256
    /// (on the ESP32, nanoFramework's mbedTLS-backed <c>HMACSHA256</c>) and HKDF then runs on it. Until one is
    /// installed, and whenever one fails its known answers, the managed <see cref="HmacSha256"/> runs.
    /// </summary>
    /// <remarks>
    /// Install once at boot, before any protocol work: the choice is process-wide (the X3DH code reaches HKDF
    /// through static helpers) and is read without a lock. A native routine is never trusted on its word: it
    /// must reproduce RFC 4231 test case 2, RFC 5869 test case A.1 through <see cref="PlatformHkdf"/>, and the
    /// managed HKDF on an input of OP-0006's shape (32-byte zero salt, 32 0xFF bytes before the key material).
    /// </remarks>
    internal static class CryptoPlatform
    {
        // Not volatile: written once at boot before any protocol thread runs (and nanoFramework's mscorlib
        // has no IsVolatile modifier type to mark it with).
        private static IPlatformHmacSha256? s_hmac;

        /// <summary>The installed platform HMAC, or null while the managed one runs.</summary>
        internal static IPlatformHmacSha256? Hmac
        {
            get { return s_hmac; }
        }

        /// <summary>
        /// Checks <paramref name="hmac"/> against the known answers and installs it if it passes; returns
        /// whether it did. A mismatch or an exception (a firmware without the native assembly throws on the
        /// first call) leaves the managed HMAC in place.
        /// </summary>
        internal static bool TryUseHmac(IPlatformHmacSha256 hmac)
        {
            if (hmac == null)
            {
                throw new ArgumentNullException("hmac");
            }

            bool good;
            try
            {
                good = PassesKnownAnswers(hmac);
            }
            catch (Exception)
            {
                good = false;
            }

            if (good)
            {
                s_hmac = hmac;
            }

            return good;
        }

        /// <summary>Back to the managed HMAC (tests, or a firmware that wants to compare both).</summary>
        internal static void UseManaged()
        {
            s_hmac = null;
        }

        internal static bool PassesKnownAnswers(IPlatformHmacSha256 hmac)
        {
            // RFC 4231 section 4.3 (test case 2): key "Jefe", data "what do ya want for nothing?".
            byte[] mac = hmac.Compute(Ascii("Jefe"), Ascii("what do ya want for nothing?"));
            if (mac == null || !Same(mac, Rfc4231Case2))
            {
                return false;
            }

            // RFC 5869 appendix A.1: 22-byte IKM, 13-byte salt, 10-byte info, L = 42 (two Expand blocks).
            byte[] ikm = Run(0x0b, 0, 22);
            byte[] okm = new byte[42];
            PlatformHkdf.Derive(hmac, Run(0x00, 1, 13), ikm, 0, ikm.Length, Run(0xf0, 1, 10), okm, 0, okm.Length);
            if (!Same(okm, Rfc5869A1))
            {
                return false;
            }

            // OP-0006's shape: HKDF(salt = 32 zero bytes, IKM = 32 0xFF || key material, info), 64 bytes,
            // against the managed HKDF that the host tests hold to every vector suite.
            // 160 bytes like X3DH's 0xFF || DH1..DH4, so more than one SHA-256 block of message.
            byte[] material = Run(0xFF, 0, 160);
            for (int i = 32; i < material.Length; i++)
            {
                material[i] = (byte)(i * 7);
            }

            byte[] salt = new byte[32];
            byte[] info = Ascii("OP-0006 platform check");
            byte[] viaPlatform = new byte[64];
            byte[] viaManaged = new byte[64];
            PlatformHkdf.Derive(hmac, salt, material, 0, material.Length, info, viaPlatform, 0, viaPlatform.Length);
            HkdfSha256 managed = new HkdfSha256();
            byte[] prk = new byte[HkdfSha256.HashSize];
            managed.Extract(salt, 0, salt.Length, material, 0, material.Length, prk, 0);
            managed.Expand(prk, 0, prk.Length, info, 0, info.Length, viaManaged, 0, viaManaged.Length);
            return Same(viaPlatform, viaManaged);
        }

        private static readonly byte[] Rfc4231Case2 = new byte[]
        {
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
            0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
        };

        private static readonly byte[] Rfc5869A1 = new byte[]
        {
            0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f, 0x64, 0xd0, 0x36, 0x2f, 0x2a,
            0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a, 0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf,
            0x34, 0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65,
        };

        private static bool Same(byte[] a, byte[] b)
        {
            return a.Length == b.Length && FixedTime.Equals(a, 0, b, 0, a.Length);
        }

        /// <summary>first, first + step, first + 2 step, ... (RFC 5869's test inputs are such runs).</summary>
        private static byte[] Run(int first, int step, int count)
        {
            byte[] b = new byte[count];
            for (int i = 0; i < count; i++)
            {
                b[i] = (byte)(first + (i * step));
            }

            return b;
        }

        private static byte[] Ascii(string text)
        {
            byte[] b = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                b[i] = (byte)text[i];
            }

            return b;
        }
    }
}
