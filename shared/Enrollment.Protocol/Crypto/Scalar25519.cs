namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493
    /// (RFC 8032 s5.1; "q" in the XEdDSA specification), on 32-byte little-endian scalars.
    /// </summary>
    /// <remarks>
    /// Radix 2^8 with signed 64-bit accumulators: slower than ref10's 21-bit limbs but short and easy to
    /// check, and it runs once or twice per signature (a few field multiplications' worth). Every loop has
    /// fixed bounds and there are no data-dependent branches, so it is fixed time for secret scalars.
    /// </remarks>
    internal static class Scalar25519
    {
        internal const int Size = 32;

        /// <summary>L, little-endian.</summary>
        internal static readonly byte[] L = new byte[]
        {
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        };

        /// <summary>L - 1 = -1 mod L, little-endian (a factor that negates).</summary>
        internal static readonly byte[] MinusOne = new byte[]
        {
            0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        };

        /// <summary>r = s mod L for a 64-byte s (RFC 8032 s5.1.6 and s5.1.7: hash outputs).</summary>
        internal static void Reduce64(byte[] r, int rOff, byte[] s, int sOff, long[] x)
        {
            for (int i = 0; i < 64; i++)
            {
                x[i] = s[sOff + i];
            }

            ModL(r, rOff, x);
        }

        /// <summary>r = (a b + c) mod L for 32-byte a, b, c (any values below 2^256).</summary>
        internal static void MulAdd(byte[] r, int rOff, byte[] a, int aOff, byte[] b, int bOff, byte[] c, int cOff, long[] x)
        {
            for (int i = 0; i < 32; i++)
            {
                x[i] = c[cOff + i];
                x[i + 32] = 0;
            }

            for (int i = 0; i < 32; i++)
            {
                long ai = a[aOff + i];
                for (int j = 0; j < 32; j++)
                {
                    x[i + j] += ai * b[bOff + j];
                }
            }

            ModL(r, rOff, x);
        }

        /// <summary>True when s &lt; L (RFC 8032 s5.1.7 "0 &lt;= s &lt; L"). Variable time: public s only.</summary>
        internal static bool IsCanonical(byte[] s, int off)
        {
            for (int i = 31; i >= 0; i--)
            {
                if (s[off + i] != L[i])
                {
                    return s[off + i] < L[i];
                }
            }

            return false;
        }

        /// <summary>
        /// r = x mod L, where x[0..63] are signed base-2^8 digits of a value below about 2^512.
        /// Each digit x[i] of weight 2^(8 i), i &gt;= 32, is folded down using
        /// 2^256 = 16 * 2^252 = -16 (L - 2^252) (mod L), whose nonzero bytes are L[0..15]; then the part of
        /// bit weight 2^252 and above is removed once more, and the result is carried into bytes.
        /// x is clobbered.
        /// </summary>
        private static void ModL(byte[] r, int rOff, long[] x)
        {
            long carry;
            for (int i = 63; i >= 32; i--)
            {
                carry = 0;
                int j;
                for (j = i - 32; j < i - 12; j++)
                {
                    x[j] += carry - (16 * x[i] * L[j - (i - 32)]);
                    carry = (x[j] + 128) >> 8;
                    x[j] -= carry << 8;
                }

                x[j] += carry;
                x[i] = 0;
            }

            carry = 0;
            for (int j = 0; j < 32; j++)
            {
                x[j] += carry - ((x[31] >> 4) * L[j]);
                carry = x[j] >> 8;
                x[j] &= 255;
            }

            for (int j = 0; j < 32; j++)
            {
                x[j] -= carry * L[j];
            }

            for (int i = 0; i < 32; i++)
            {
                x[i + 1] += x[i] >> 8;
                r[rOff + i] = (byte)(x[i] & 255);
            }
        }
    }
}
