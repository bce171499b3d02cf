using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// HKDF-SHA256 (RFC 5869) over a platform's one-shot HMAC (<see cref="IPlatformHmacSha256"/>). Same results
    /// as <see cref="HkdfSha256"/>; it exists because a one-shot HMAC cannot absorb T(i-1) || info || i piece by
    /// piece, so each HMAC input is first laid out in one array.
    /// </summary>
    /// <remarks>
    /// It allocates (exact-size copies of the inputs, one message buffer, the native call's results) and wipes
    /// every copy that held key material. That is a few hundred bytes per derivation, and a derivation
    /// happens a handful of times per enrollment, never in a loop that runs in steady state.
    /// </remarks>
    internal static class PlatformHkdf
    {
        /// <summary>RFC 5869 section 2.2 then 2.3: PRK = HMAC(salt, IKM); OKM = T(1) || T(2) || ... cut to L.</summary>
        internal static void Derive(IPlatformHmacSha256 hmac, byte[] salt, byte[] ikm, int ikmOffset, int ikmCount,
            byte[] info, byte[] output, int outputOffset, int length)
        {
            byte[] ikmCopy = new byte[ikmCount];
            Array.Copy(ikm, ikmOffset, ikmCopy, 0, ikmCount);
            byte[] prk = Mac(hmac, salt, ikmCopy);
            FixedTime.Zero(ikmCopy);
            try
            {
                Expand(hmac, prk, info, output, outputOffset, length);
            }
            finally
            {
                FixedTime.Zero(prk);
            }
        }

        /// <summary>
        /// RFC 5869 section 2.3: T(0) is empty, T(i) = HMAC(PRK, T(i-1) || info || i) with i one octet, so at
        /// most 255 blocks. The output may not overlap the PRK.
        /// </summary>
        internal static void Expand(IPlatformHmacSha256 hmac, byte[] prk, byte[] info, byte[] output, int outputOffset, int length)
        {
            if (length < 0 || length > HkdfSha256.MaxOutputSize)
            {
                throw new ArgumentOutOfRangeException("length", "RFC 5869 2.3: 0 <= L <= 255 * HashLen.");
            }

            const int HashLen = HkdfSha256.HashSize;
            byte[] first = new byte[info.Length + 1];
            byte[] next = new byte[HashLen + info.Length + 1];
            Array.Copy(info, 0, first, 0, info.Length);
            Array.Copy(info, 0, next, HashLen, info.Length);
            byte[]? block = null;
            int done = 0;
            for (int i = 1; done < length; i++)
            {
                byte[] message = first;
                if (block != null)
                {
                    Array.Copy(block, 0, next, 0, HashLen);
                    FixedTime.Zero(block);
                    message = next;
                }

                message[message.Length - 1] = (byte)i;
                block = Mac(hmac, prk, message);
                int take = length - done < HashLen ? length - done : HashLen;
                Array.Copy(block, 0, output, outputOffset + done, take);
                done += take;
            }

            if (block != null)
            {
                FixedTime.Zero(block);
            }

            FixedTime.Zero(next);
        }

        /// <summary>One platform HMAC, refusing a result that is not 32 bytes (a broken binding, not bad luck).</summary>
        private static byte[] Mac(IPlatformHmacSha256 hmac, byte[] key, byte[] data)
        {
            byte[] mac = hmac.Compute(key, data);
            if (mac == null || mac.Length != HkdfSha256.HashSize)
            {
                throw new InvalidOperationException("The platform HMAC-SHA256 returned a result that is not 32 bytes.");
            }

            return mac;
        }
    }
}
