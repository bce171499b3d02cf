using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Arithmetic in GF(p), p = 2^255 - 19, the field of Curve25519 and edwards25519 (RFC 7748 s4.1,
    /// RFC 8032 s5.1). An element is an <c>int[10]</c> in the "ref10" radix 2^25.5: limb i holds
    /// bits ceil(25.5 i) .. ceil(25.5 (i+1)) - 1, so even limbs carry 26 bits and odd limbs 25, and limbs
    /// may be negative or slightly larger than their width between reductions.
    /// </summary>
    /// <remarks>
    /// Elements are plain arrays owned by a reusable workspace, never structs: nanoFramework boxes value
    /// types on its heap, and the device has about 110 KB of it, so nothing here allocates.
    /// Add, Sub and Neg do not carry; the caller feeds their results to Mul/Square at most once before a
    /// reduction (the ref10 discipline), which keeps every sum of products inside 63 bits.
    /// Nothing branches on or indexes by element values, so the time does not depend on secrets.
    /// </remarks>
    internal static partial class Field25519
    {
        /// <summary>Number of limbs in an element.</summary>
        internal const int Limbs = 10;

        /// <summary>Size of the little-endian encoding (RFC 7748 s5, RFC 8032 s5.1.2).</summary>
        internal const int EncodedSize = 32;

        /// <summary>Allocates a zero element (call only when building a workspace or a table).</summary>
        internal static int[] New()
        {
            return new int[Limbs];
        }

        internal static void Zero(int[] h)
        {
            Array.Clear(h, 0, Limbs);
        }

        internal static void One(int[] h)
        {
            Array.Clear(h, 0, Limbs);
            h[0] = 1;
        }

        internal static void Copy(int[] h, int[] f)
        {
            Array.Copy(f, 0, h, 0, Limbs);
        }

        /// <summary>h = f + g (no carry).</summary>
        internal static void Add(int[] h, int[] f, int[] g)
        {
            h[0] = f[0] + g[0]; h[1] = f[1] + g[1]; h[2] = f[2] + g[2]; h[3] = f[3] + g[3]; h[4] = f[4] + g[4];
            h[5] = f[5] + g[5]; h[6] = f[6] + g[6]; h[7] = f[7] + g[7]; h[8] = f[8] + g[8]; h[9] = f[9] + g[9];
        }

        /// <summary>h = f - g (no carry).</summary>
        internal static void Sub(int[] h, int[] f, int[] g)
        {
            h[0] = f[0] - g[0]; h[1] = f[1] - g[1]; h[2] = f[2] - g[2]; h[3] = f[3] - g[3]; h[4] = f[4] - g[4];
            h[5] = f[5] - g[5]; h[6] = f[6] - g[6]; h[7] = f[7] - g[7]; h[8] = f[8] - g[8]; h[9] = f[9] - g[9];
        }

        /// <summary>h = -f (no carry).</summary>
        internal static void Neg(int[] h, int[] f)
        {
            h[0] = -f[0]; h[1] = -f[1]; h[2] = -f[2]; h[3] = -f[3]; h[4] = -f[4];
            h[5] = -f[5]; h[6] = -f[6]; h[7] = -f[7]; h[8] = -f[8]; h[9] = -f[9];
        }

        /// <summary>
        /// Swaps f and g when b is 1, leaves them when b is 0, in fixed time (RFC 7748 s5 cswap):
        /// a mask of all ones or all zeros selects, no branch.
        /// </summary>
        internal static void CSwap(int[] f, int[] g, int b)
        {
            int mask = -b;
            int x;
            x = (f[0] ^ g[0]) & mask; f[0] ^= x; g[0] ^= x;
            x = (f[1] ^ g[1]) & mask; f[1] ^= x; g[1] ^= x;
            x = (f[2] ^ g[2]) & mask; f[2] ^= x; g[2] ^= x;
            x = (f[3] ^ g[3]) & mask; f[3] ^= x; g[3] ^= x;
            x = (f[4] ^ g[4]) & mask; f[4] ^= x; g[4] ^= x;
            x = (f[5] ^ g[5]) & mask; f[5] ^= x; g[5] ^= x;
            x = (f[6] ^ g[6]) & mask; f[6] ^= x; g[6] ^= x;
            x = (f[7] ^ g[7]) & mask; f[7] ^= x; g[7] ^= x;
            x = (f[8] ^ g[8]) & mask; f[8] ^= x; g[8] ^= x;
            x = (f[9] ^ g[9]) & mask; f[9] ^= x; g[9] ^= x;
        }

        /// <summary>f = g when b is 1, unchanged when b is 0, in fixed time.</summary>
        internal static void CMove(int[] f, int[] g, int b)
        {
            int mask = -b;
            f[0] ^= (f[0] ^ g[0]) & mask; f[1] ^= (f[1] ^ g[1]) & mask; f[2] ^= (f[2] ^ g[2]) & mask;
            f[3] ^= (f[3] ^ g[3]) & mask; f[4] ^= (f[4] ^ g[4]) & mask; f[5] ^= (f[5] ^ g[5]) & mask;
            f[6] ^= (f[6] ^ g[6]) & mask; f[7] ^= (f[7] ^ g[7]) & mask; f[8] ^= (f[8] ^ g[8]) & mask;
            f[9] ^= (f[9] ^ g[9]) & mask;
        }

        /// <summary>
        /// h = f * c for a small constant c &lt; 2^20 (121666 = (A + 2) / 4 in the ladder of RFC 7748 s5, or
        /// the base point's u = 9), with a full carry.
        /// </summary>
        internal static void MulSmall(int[] h, int[] f, int c)
        {
            FieldOpCounter.CountMulSmall();
            long h0 = (long)f[0] * c; long h1 = (long)f[1] * c; long h2 = (long)f[2] * c; long h3 = (long)f[3] * c;
            long h4 = (long)f[4] * c; long h5 = (long)f[5] * c; long h6 = (long)f[6] * c; long h7 = (long)f[7] * c;
            long h8 = (long)f[8] * c; long h9 = (long)f[9] * c;
            long k;
            k = (h9 + 16777216L) >> 25; h0 += k * 19; h9 -= k << 25;
            k = (h1 + 16777216L) >> 25; h2 += k; h1 -= k << 25;
            k = (h3 + 16777216L) >> 25; h4 += k; h3 -= k << 25;
            k = (h5 + 16777216L) >> 25; h6 += k; h5 -= k << 25;
            k = (h7 + 16777216L) >> 25; h8 += k; h7 -= k << 25;
            k = (h0 + 33554432L) >> 26; h1 += k; h0 -= k << 26;
            k = (h2 + 33554432L) >> 26; h3 += k; h2 -= k << 26;
            k = (h4 + 33554432L) >> 26; h5 += k; h4 -= k << 26;
            k = (h6 + 33554432L) >> 26; h7 += k; h6 -= k << 26;
            k = (h8 + 33554432L) >> 26; h9 += k; h8 -= k << 26;
            h[0] = (int)h0; h[1] = (int)h1; h[2] = (int)h2; h[3] = (int)h3; h[4] = (int)h4;
            h[5] = (int)h5; h[6] = (int)h6; h[7] = (int)h7; h[8] = (int)h8; h[9] = (int)h9;
        }

        /// <summary>Weak reduction (the carry chain of Mul) of an element that came from Add/Sub.</summary>
        internal static void Carry(int[] h)
        {
            long h0 = h[0]; long h1 = h[1]; long h2 = h[2]; long h3 = h[3]; long h4 = h[4];
            long h5 = h[5]; long h6 = h[6]; long h7 = h[7]; long h8 = h[8]; long h9 = h[9];
            long c;
            c = (h0 + 33554432L) >> 26; h1 += c; h0 -= c << 26;
            c = (h4 + 33554432L) >> 26; h5 += c; h4 -= c << 26;
            c = (h1 + 16777216L) >> 25; h2 += c; h1 -= c << 25;
            c = (h5 + 16777216L) >> 25; h6 += c; h5 -= c << 25;
            c = (h2 + 33554432L) >> 26; h3 += c; h2 -= c << 26;
            c = (h6 + 33554432L) >> 26; h7 += c; h6 -= c << 26;
            c = (h3 + 16777216L) >> 25; h4 += c; h3 -= c << 25;
            c = (h7 + 16777216L) >> 25; h8 += c; h7 -= c << 25;
            c = (h4 + 33554432L) >> 26; h5 += c; h4 -= c << 26;
            c = (h8 + 33554432L) >> 26; h9 += c; h8 -= c << 26;
            c = (h9 + 16777216L) >> 25; h0 += c * 19; h9 -= c << 25;
            c = (h0 + 33554432L) >> 26; h1 += c; h0 -= c << 26;
            h[0] = (int)h0; h[1] = (int)h1; h[2] = (int)h2; h[3] = (int)h3; h[4] = (int)h4;
            h[5] = (int)h5; h[6] = (int)h6; h[7] = (int)h7; h[8] = (int)h8; h[9] = (int)h9;
        }

        /// <summary>f = table[off .. off + 10) when b is 1, unchanged when b is 0, in fixed time.</summary>
        internal static void CMoveFrom(int[] f, int[] table, int off, int b)
        {
            int mask = -b;
            f[0] ^= (f[0] ^ table[off]) & mask; f[1] ^= (f[1] ^ table[off + 1]) & mask;
            f[2] ^= (f[2] ^ table[off + 2]) & mask; f[3] ^= (f[3] ^ table[off + 3]) & mask;
            f[4] ^= (f[4] ^ table[off + 4]) & mask; f[5] ^= (f[5] ^ table[off + 5]) & mask;
            f[6] ^= (f[6] ^ table[off + 6]) & mask; f[7] ^= (f[7] ^ table[off + 7]) & mask;
            f[8] ^= (f[8] ^ table[off + 8]) & mask; f[9] ^= (f[9] ^ table[off + 9]) & mask;
        }

        /// <summary>
        /// Loads 32 little-endian bytes, ignoring the top bit (RFC 7748 s5: "mask the most significant
        /// bit"). Values p .. 2^255 - 1 are accepted as they are and act as their residue mod p.
        /// </summary>
        internal static void FromBytes(int[] h, byte[] s, int o)
        {
            h[0] = (int)(((long)s[o + 0] | ((long)s[o + 1] << 8) | ((long)s[o + 2] << 16) | ((long)s[o + 3] << 24)) & 0x3ffffff);
            h[1] = (int)((((long)s[o + 3] | ((long)s[o + 4] << 8) | ((long)s[o + 5] << 16) | ((long)s[o + 6] << 24)) >> 2) & 0x1ffffff);
            h[2] = (int)((((long)s[o + 6] | ((long)s[o + 7] << 8) | ((long)s[o + 8] << 16) | ((long)s[o + 9] << 24)) >> 3) & 0x3ffffff);
            h[3] = (int)((((long)s[o + 9] | ((long)s[o + 10] << 8) | ((long)s[o + 11] << 16) | ((long)s[o + 12] << 24)) >> 5) & 0x1ffffff);
            h[4] = (int)((((long)s[o + 12] | ((long)s[o + 13] << 8) | ((long)s[o + 14] << 16) | ((long)s[o + 15] << 24)) >> 6) & 0x3ffffff);
            h[5] = (int)(((long)s[o + 16] | ((long)s[o + 17] << 8) | ((long)s[o + 18] << 16) | ((long)s[o + 19] << 24)) & 0x1ffffff);
            h[6] = (int)((((long)s[o + 19] | ((long)s[o + 20] << 8) | ((long)s[o + 21] << 16) | ((long)s[o + 22] << 24)) >> 1) & 0x3ffffff);
            h[7] = (int)((((long)s[o + 22] | ((long)s[o + 23] << 8) | ((long)s[o + 24] << 16) | ((long)s[o + 25] << 24)) >> 3) & 0x1ffffff);
            h[8] = (int)((((long)s[o + 25] | ((long)s[o + 26] << 8) | ((long)s[o + 27] << 16) | ((long)s[o + 28] << 24)) >> 4) & 0x3ffffff);
            h[9] = (int)((((long)s[o + 28] | ((long)s[o + 29] << 8) | ((long)s[o + 30] << 16) | ((long)s[o + 31] << 24)) >> 6) & 0x1ffffff);
        }

        /// <summary>Writes the canonical encoding (the unique residue in [0, p)), 32 bytes little-endian.</summary>
        internal static void ToBytes(byte[] s, int o, int[] f)
        {
            long l0 = f[0]; long l1 = f[1]; long l2 = f[2]; long l3 = f[3]; long l4 = f[4];
            long l5 = f[5]; long l6 = f[6]; long l7 = f[7]; long l8 = f[8]; long l9 = f[9];
            long k;

            // Weak reduction first, so unreduced sums are accepted too.
            k = (l0 + 33554432L) >> 26; l1 += k; l0 -= k << 26;
            k = (l4 + 33554432L) >> 26; l5 += k; l4 -= k << 26;
            k = (l1 + 16777216L) >> 25; l2 += k; l1 -= k << 25;
            k = (l5 + 16777216L) >> 25; l6 += k; l5 -= k << 25;
            k = (l2 + 33554432L) >> 26; l3 += k; l2 -= k << 26;
            k = (l6 + 33554432L) >> 26; l7 += k; l6 -= k << 26;
            k = (l3 + 16777216L) >> 25; l4 += k; l3 -= k << 25;
            k = (l7 + 16777216L) >> 25; l8 += k; l7 -= k << 25;
            k = (l4 + 33554432L) >> 26; l5 += k; l4 -= k << 26;
            k = (l8 + 33554432L) >> 26; l9 += k; l8 -= k << 26;
            k = (l9 + 16777216L) >> 25; l0 += k * 19; l9 -= k << 25;
            k = (l0 + 33554432L) >> 26; l1 += k; l0 -= k << 26;

            // Now |value| < 2^255 + small. q = floor((value + 19) / 2^255) is 1 exactly when the value
            // is >= p (or -1 when it is negative); value - q p is then in [0, p).
            long q = (19 * l9 + 16777216L) >> 25;
            q = (l0 + q) >> 26; q = (l1 + q) >> 25; q = (l2 + q) >> 26; q = (l3 + q) >> 25; q = (l4 + q) >> 26;
            q = (l5 + q) >> 25; q = (l6 + q) >> 26; q = (l7 + q) >> 25; q = (l8 + q) >> 26; q = (l9 + q) >> 25;
            l0 += 19 * q;
            k = l0 >> 26; l1 += k; l0 -= k << 26;
            k = l1 >> 25; l2 += k; l1 -= k << 25;
            k = l2 >> 26; l3 += k; l2 -= k << 26;
            k = l3 >> 25; l4 += k; l3 -= k << 25;
            k = l4 >> 26; l5 += k; l4 -= k << 26;
            k = l5 >> 25; l6 += k; l5 -= k << 25;
            k = l6 >> 26; l7 += k; l6 -= k << 26;
            k = l7 >> 25; l8 += k; l7 -= k << 25;
            k = l8 >> 26; l9 += k; l8 -= k << 26;
            k = l9 >> 25; l9 -= k << 25; // drops q * 2^255

            int h0 = (int)l0; int h1 = (int)l1; int h2 = (int)l2; int h3 = (int)l3; int h4 = (int)l4;
            int h5 = (int)l5; int h6 = (int)l6; int h7 = (int)l7; int h8 = (int)l8; int h9 = (int)l9;
            s[o + 0] = (byte)(h0);
            s[o + 1] = (byte)((h0 >> 8));
            s[o + 2] = (byte)((h0 >> 16));
            s[o + 3] = (byte)((h0 >> 24) | (h1 << 2));
            s[o + 4] = (byte)((h1 >> 6));
            s[o + 5] = (byte)((h1 >> 14));
            s[o + 6] = (byte)((h1 >> 22) | (h2 << 3));
            s[o + 7] = (byte)((h2 >> 5));
            s[o + 8] = (byte)((h2 >> 13));
            s[o + 9] = (byte)((h2 >> 21) | (h3 << 5));
            s[o + 10] = (byte)((h3 >> 3));
            s[o + 11] = (byte)((h3 >> 11));
            s[o + 12] = (byte)((h3 >> 19) | (h4 << 6));
            s[o + 13] = (byte)((h4 >> 2));
            s[o + 14] = (byte)((h4 >> 10));
            s[o + 15] = (byte)((h4 >> 18));
            s[o + 16] = (byte)(h5);
            s[o + 17] = (byte)((h5 >> 8));
            s[o + 18] = (byte)((h5 >> 16));
            s[o + 19] = (byte)((h5 >> 24) | (h6 << 1));
            s[o + 20] = (byte)((h6 >> 7));
            s[o + 21] = (byte)((h6 >> 15));
            s[o + 22] = (byte)((h6 >> 23) | (h7 << 3));
            s[o + 23] = (byte)((h7 >> 5));
            s[o + 24] = (byte)((h7 >> 13));
            s[o + 25] = (byte)((h7 >> 21) | (h8 << 4));
            s[o + 26] = (byte)((h8 >> 4));
            s[o + 27] = (byte)((h8 >> 12));
            s[o + 28] = (byte)((h8 >> 20) | (h9 << 6));
            s[o + 29] = (byte)((h9 >> 2));
            s[o + 30] = (byte)((h9 >> 10));
            s[o + 31] = (byte)((h9 >> 18));
        }

        /// <summary>1 when f (reduced mod p) is odd, the "negative" sign of RFC 8032 s5.1.2; fixed time.</summary>
        internal static int IsNegative(int[] f, byte[] scratch32)
        {
            ToBytes(scratch32, 0, f);
            return scratch32[0] & 1;
        }

        /// <summary>1 when f is not 0 mod p, else 0; fixed time.</summary>
        internal static int IsNonZero(int[] f, byte[] scratch32)
        {
            ToBytes(scratch32, 0, f);
            int acc = 0;
            for (int i = 0; i < EncodedSize; i++)
            {
                acc |= scratch32[i];
            }

            return ((acc - 1) >> 8) + 1;
        }
    }
}
