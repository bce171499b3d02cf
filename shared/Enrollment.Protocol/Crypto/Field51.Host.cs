using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// HOST ONLY (never compiled for the device: every *.Host.cs is excluded from the nanoFramework
    /// builds, and Math.BigMul/UInt128 do not exist there). An element of GF(2^255 - 19) as five unsigned
    /// 51-bit limbs, value = L0 + L1 2^51 + L2 2^102 + L3 2^153 + L4 2^204 (the radix of
    /// curve25519-donna-c64 and libsodium's fe51). A product of two limbs needs 128 bits, which 64-bit
    /// .NET has (Math.BigMul is one MULX instruction) and the 32-bit interpreter has not; 25 such products
    /// per multiplication replace the 100 of the device's ten 25.5-bit limbs (<see cref="Field25519"/>).
    /// </summary>
    /// <remarks>
    /// Bounds (argued here, checked by the differential tests): Mul, Square and Mul121666 return limbs
    /// below 2^51 + 2^13. Add of two such elements gives limbs below 2^52 + 2^14; Sub adds 2p first
    /// (limbs 2^52 - 38, 2^52 - 2), so it never underflows when g's limbs are below 2^52 - 38, and gives
    /// limbs below 2^53. Mul and Square accept limbs below 2^53: a column sum of five products f_i 19 g_j
    /// is then below 2^113 and its carry below 2^62; the top column has no factor 19 and stays below
    /// 2^109, so its carry times 19 still fits 64 bits.
    /// Nothing branches on or indexes by element values.
    /// </remarks>
    internal struct Fe51
    {
        internal ulong L0;
        internal ulong L1;
        internal ulong L2;
        internal ulong L3;
        internal ulong L4;
    }

    /// <summary>HOST ONLY: arithmetic on <see cref="Fe51"/> (see its remarks for the limb bounds).</summary>
    internal static class Field51
    {
        private const ulong Mask51 = (1UL << 51) - 1;

        internal static void One(out Fe51 h)
        {
            h.L0 = 1; h.L1 = 0; h.L2 = 0; h.L3 = 0; h.L4 = 0;
        }

        /// <summary>h = f + g (no carry).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Add(out Fe51 h, in Fe51 f, in Fe51 g)
        {
            h.L0 = f.L0 + g.L0; h.L1 = f.L1 + g.L1; h.L2 = f.L2 + g.L2; h.L3 = f.L3 + g.L3; h.L4 = f.L4 + g.L4;
        }

        /// <summary>h = f - g + 2p (no carry; 2p keeps every limb non-negative).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Sub(out Fe51 h, in Fe51 f, in Fe51 g)
        {
            h.L0 = (f.L0 + 0xFFFFFFFFFFFDAUL) - g.L0;
            h.L1 = (f.L1 + 0xFFFFFFFFFFFFEUL) - g.L1;
            h.L2 = (f.L2 + 0xFFFFFFFFFFFFEUL) - g.L2;
            h.L3 = (f.L3 + 0xFFFFFFFFFFFFEUL) - g.L3;
            h.L4 = (f.L4 + 0xFFFFFFFFFFFFEUL) - g.L4;
        }

        /// <summary>Swaps f and g when mask is all ones, leaves them when it is 0 (RFC 7748 s5 cswap).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void CSwap(ref Fe51 f, ref Fe51 g, ulong mask)
        {
            ulong x;
            x = (f.L0 ^ g.L0) & mask; f.L0 ^= x; g.L0 ^= x;
            x = (f.L1 ^ g.L1) & mask; f.L1 ^= x; g.L1 ^= x;
            x = (f.L2 ^ g.L2) & mask; f.L2 ^= x; g.L2 ^= x;
            x = (f.L3 ^ g.L3) & mask; f.L3 ^= x; g.L3 ^= x;
            x = (f.L4 ^ g.L4) & mask; f.L4 ^= x; g.L4 ^= x;
        }

        /// <summary>
        /// h = f * g. Limb i times limb j lands on limb i + j; when i + j &gt;= 5 it wraps to i + j - 5
        /// times 19, because 2^255 = 19 (mod p). h may be f or g (all limbs are read first). Column sums
        /// are kept as (high, low) 64-bit pairs: UInt128 and Math.BigMul's out parameter made the JIT
        /// spill every partial sum to the stack (about 2x slower).
        /// </summary>
        internal static void Mul(out Fe51 h, in Fe51 f, in Fe51 g)
        {
            ulong f0 = f.L0, f1 = f.L1, f2 = f.L2, f3 = f.L3, f4 = f.L4;
            ulong g0 = g.L0, g1 = g.L1, g2 = g.L2, g3 = g.L3, g4 = g.L4;
            ulong g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
            ulong l0 = f0 * g0, h0 = Hi(f0, g0);
            Mac(ref l0, ref h0, f1, g4_19); Mac(ref l0, ref h0, f2, g3_19); Mac(ref l0, ref h0, f3, g2_19); Mac(ref l0, ref h0, f4, g1_19);
            ulong l1 = f0 * g1, h1 = Hi(f0, g1);
            Mac(ref l1, ref h1, f1, g0); Mac(ref l1, ref h1, f2, g4_19); Mac(ref l1, ref h1, f3, g3_19); Mac(ref l1, ref h1, f4, g2_19);
            ulong l2 = f0 * g2, h2 = Hi(f0, g2);
            Mac(ref l2, ref h2, f1, g1); Mac(ref l2, ref h2, f2, g0); Mac(ref l2, ref h2, f3, g4_19); Mac(ref l2, ref h2, f4, g3_19);
            ulong l3 = f0 * g3, h3 = Hi(f0, g3);
            Mac(ref l3, ref h3, f1, g2); Mac(ref l3, ref h3, f2, g1); Mac(ref l3, ref h3, f3, g0); Mac(ref l3, ref h3, f4, g4_19);
            ulong l4 = f0 * g4, h4 = Hi(f0, g4);
            Mac(ref l4, ref h4, f1, g3); Mac(ref l4, ref h4, f2, g2); Mac(ref l4, ref h4, f3, g1); Mac(ref l4, ref h4, f4, g0);
            Carry(out h, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
        }

        /// <summary>h = f^2 (15 products instead of 25). h may be f.</summary>
        internal static void Square(out Fe51 h, in Fe51 f)
        {
            ulong f0 = f.L0, f1 = f.L1, f2 = f.L2, f3 = f.L3, f4 = f.L4;
            ulong f0_2 = 2 * f0, f1_2 = 2 * f1;
            ulong f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
            ulong f3_19 = 19 * f3, f4_19 = 19 * f4;
            ulong l0 = f0 * f0, h0 = Hi(f0, f0);
            Mac(ref l0, ref h0, f1_38, f4); Mac(ref l0, ref h0, f2_38, f3);
            ulong l1 = f0_2 * f1, h1 = Hi(f0_2, f1);
            Mac(ref l1, ref h1, f2_38, f4); Mac(ref l1, ref h1, f3_19, f3);
            ulong l2 = f0_2 * f2, h2 = Hi(f0_2, f2);
            Mac(ref l2, ref h2, f1, f1); Mac(ref l2, ref h2, f3_38, f4);
            ulong l3 = f0_2 * f3, h3 = Hi(f0_2, f3);
            Mac(ref l3, ref h3, f1_2, f2); Mac(ref l3, ref h3, f4_19, f4);
            ulong l4 = f0_2 * f4, h4 = Hi(f0_2, f4);
            Mac(ref l4, ref h4, f1_2, f3); Mac(ref l4, ref h4, f2, f2);
            Carry(out h, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
        }

        /// <summary>h = f^(2^n), n &gt;= 1.</summary>
        internal static void SquareTimes(out Fe51 h, in Fe51 f, int n)
        {
            Square(out h, f);
            for (int i = 1; i < n; i++)
            {
                Square(out h, h);
            }
        }

        /// <summary>h = 121666 f, the (A + 2) / 4 of the ladder (RFC 7748 s5, see X25519.Ladder).</summary>
        internal static void Mul121666(out Fe51 h, in Fe51 f)
        {
            const ulong C = 121666;
            Carry(out h, f.L0 * C, Hi(f.L0, C), f.L1 * C, Hi(f.L1, C), f.L2 * C, Hi(f.L2, C),
                f.L3 * C, Hi(f.L3, C), f.L4 * C, Hi(f.L4, C));
        }

        /// <summary>
        /// h = z^(p-2) = 1/z (Fermat; 0 maps to 0): the same chain as <see cref="Field25519.Invert"/>,
        /// 254 squarings and 11 multiplications.
        /// </summary>
        internal static void Invert(out Fe51 h, in Fe51 z)
        {
            Fe51 t0, t1, t2, t3;
            Square(out t0, z);                      // z^2
            SquareTimes(out t1, t0, 2);             // z^8
            Mul(out t1, z, t1);                     // z^9
            Mul(out t0, t0, t1);                    // z^11
            Square(out t2, t0);                     // z^22
            Mul(out t1, t1, t2);                    // z^(2^5 - 1)
            SquareTimes(out t2, t1, 5);
            Mul(out t1, t2, t1);                    // z^(2^10 - 1)
            SquareTimes(out t2, t1, 10);
            Mul(out t2, t2, t1);                    // z^(2^20 - 1)
            SquareTimes(out t3, t2, 20);
            Mul(out t2, t3, t2);                    // z^(2^40 - 1)
            SquareTimes(out t2, t2, 10);
            Mul(out t1, t2, t1);                    // z^(2^50 - 1)
            SquareTimes(out t2, t1, 50);
            Mul(out t2, t2, t1);                    // z^(2^100 - 1)
            SquareTimes(out t3, t2, 100);
            Mul(out t2, t3, t2);                    // z^(2^200 - 1)
            SquareTimes(out t2, t2, 50);
            Mul(out t1, t2, t1);                    // z^(2^250 - 1)
            SquareTimes(out t1, t1, 5);             // z^(2^255 - 32)
            Mul(out h, t1, t0);                     // z^(2^255 - 21) = z^(p - 2)
        }

        /// <summary>
        /// Loads 32 little-endian bytes, ignoring the top bit (RFC 7748 s5: "mask the most significant
        /// bit"); values p .. 2^255 - 1 act as their residue mod p.
        /// </summary>
        internal static void FromBytes(out Fe51 h, byte[] s, int o)
        {
            ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(o, 8));
            ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(o + 8, 8));
            ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(o + 16, 8));
            ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(o + 24, 8));
            h.L0 = w0 & Mask51;
            h.L1 = ((w0 >> 51) | (w1 << 13)) & Mask51;
            h.L2 = ((w1 >> 38) | (w2 << 26)) & Mask51;
            h.L3 = ((w2 >> 25) | (w3 << 39)) & Mask51;
            h.L4 = (w3 >> 12) & Mask51;
        }

        /// <summary>Writes the canonical encoding (the unique residue in [0, p)), 32 bytes little-endian.</summary>
        internal static void ToBytes(byte[] s, int o, in Fe51 f)
        {
            ulong t0 = f.L0, t1 = f.L1, t2 = f.L2, t3 = f.L3, t4 = f.L4;

            // Two full carries bring the value into [0, 2^255) with 51-bit limbs.
            t1 += t0 >> 51; t0 &= Mask51; t2 += t1 >> 51; t1 &= Mask51; t3 += t2 >> 51; t2 &= Mask51;
            t4 += t3 >> 51; t3 &= Mask51; t0 += 19 * (t4 >> 51); t4 &= Mask51;
            t1 += t0 >> 51; t0 &= Mask51; t2 += t1 >> 51; t1 &= Mask51; t3 += t2 >> 51; t2 &= Mask51;
            t4 += t3 >> 51; t3 &= Mask51; t0 += 19 * (t4 >> 51); t4 &= Mask51;

            // Adding 19 carries out of bit 255 exactly when the value is >= p; folding that carry back
            // as 19 leaves value + 19 (mod 2^255 when it was >= p). Then adding 2^255 - 19 and dropping
            // bit 255 gives value mod p in both cases (curve25519-donna's fcontract).
            t0 += 19;
            t1 += t0 >> 51; t0 &= Mask51; t2 += t1 >> 51; t1 &= Mask51; t3 += t2 >> 51; t2 &= Mask51;
            t4 += t3 >> 51; t3 &= Mask51; t0 += 19 * (t4 >> 51); t4 &= Mask51;
            t0 += 0x8000000000000UL - 19;
            t1 += 0x8000000000000UL - 1;
            t2 += 0x8000000000000UL - 1;
            t3 += 0x8000000000000UL - 1;
            t4 += 0x8000000000000UL - 1;
            t1 += t0 >> 51; t0 &= Mask51; t2 += t1 >> 51; t1 &= Mask51; t3 += t2 >> 51; t2 &= Mask51;
            t4 += t3 >> 51; t3 &= Mask51; t4 &= Mask51;

            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(o, 8), t0 | (t1 << 51));
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(o + 8, 8), (t1 >> 13) | (t2 << 38));
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(o + 16, 8), (t2 >> 26) | (t3 << 25));
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(o + 24, 8), (t3 >> 39) | (t4 << 12));
        }

        /// <summary>The high 64 bits of the 128-bit product a b (the low ones are plain a * b).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Hi(ulong a, ulong b)
        {
            if (Bmi2.X64.IsSupported)
            {
                return Bmi2.X64.MultiplyNoFlags(a, b);
            }

            return Math.BigMul(a, b, out _);
        }

        /// <summary>
        /// (hi, lo) += a b, 128-bit. The carry <c>lo &lt; l ? 1 : 0</c> is a comparison into 0 or 1, which
        /// RyuJIT compiles to CMP + SETB, not a branch (checked with DOTNET_JitDisasm on x64), so the time
        /// does not depend on the secret limbs; the same holds in <see cref="Carry"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Mac(ref ulong lo, ref ulong hi, ulong a, ulong b)
        {
            ulong l = a * b;
            lo += l;
            hi += Hi(a, b) + (lo < l ? 1UL : 0UL);
        }

        /// <summary>
        /// Carries 128-bit column sums (h_i, l_i) into 51-bit limbs; the carry out of the top limb re-enters
        /// limb 0 times 19 (2^255 = 19 mod p), and one more step bounds limb 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Carry(out Fe51 h, ulong l0, ulong h0, ulong l1, ulong h1, ulong l2, ulong h2,
            ulong l3, ulong h3, ulong l4, ulong h4)
        {
            ulong c;
            c = (l0 >> 51) | (h0 << 13); l0 &= Mask51;
            l1 += c; h1 += l1 < c ? 1UL : 0UL;
            c = (l1 >> 51) | (h1 << 13); l1 &= Mask51;
            l2 += c; h2 += l2 < c ? 1UL : 0UL;
            c = (l2 >> 51) | (h2 << 13); l2 &= Mask51;
            l3 += c; h3 += l3 < c ? 1UL : 0UL;
            c = (l3 >> 51) | (h3 << 13); l3 &= Mask51;
            l4 += c; h4 += l4 < c ? 1UL : 0UL;
            c = (l4 >> 51) | (h4 << 13); l4 &= Mask51;
            l0 += 19 * c;
            l1 += l0 >> 51;
            h.L0 = l0 & Mask51;
            h.L1 = l1;
            h.L2 = l2;
            h.L3 = l3;
            h.L4 = l4;
        }
    }
}
