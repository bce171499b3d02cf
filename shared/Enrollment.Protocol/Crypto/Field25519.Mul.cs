namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Multiplication and squaring in GF(2^255 - 19), fully unrolled (ref10 representation, see
    /// <see cref="Field25519"/>). Unrolled because on the nanoFramework interpreter every loop step, call
    /// and array bounds check is an IL instruction: the unrolled form runs about 5x faster than a loop.
    /// All limbs are loaded into locals first, so the JIT checks bounds once per operand.
    /// </summary>
    /// <remarks>
    /// Product h = f * g: limb i of f sits at bit ceil(25.5 i), so f_i g_j lands on limb i + j, doubled when
    /// i and j are both odd (two half bits), and multiplied by 19 when i + j &gt;= 10 because
    /// 2^255 = 19 (mod p). Input limbs may be up to about 2^26.7 in magnitude (one unreduced addition or
    /// subtraction of reduced elements); every sum of products then fits in 63 bits. Output limbs are
    /// reduced again (|h_i| &lt;= 2^25 or 2^24 plus a little). Outputs may alias inputs.
    /// The bodies were written out mechanically from that rule (term by term, the ref10 carry order) and
    /// are checked against BigInteger in Field25519Tests and against libsodium through every curve test.
    /// </remarks>
    internal static partial class Field25519
    {
        /// <summary>h = f * g.</summary>
        internal static void Mul(int[] h, int[] f, int[] g)
        {
            FieldOpCounter.CountMul();
            long f0 = f[0];
            long f1 = f[1];
            long f2 = f[2];
            long f3 = f[3];
            long f4 = f[4];
            long f5 = f[5];
            long f6 = f[6];
            long f7 = f[7];
            long f8 = f[8];
            long f9 = f[9];
            long g0 = g[0];
            long g1 = g[1];
            long g2 = g[2];
            long g3 = g[3];
            long g4 = g[4];
            long g5 = g[5];
            long g6 = g[6];
            long g7 = g[7];
            long g8 = g[8];
            long g9 = g[9];
            long g1_19 = 19 * g1;
            long g2_19 = 19 * g2;
            long g3_19 = 19 * g3;
            long g4_19 = 19 * g4;
            long g5_19 = 19 * g5;
            long g6_19 = 19 * g6;
            long g7_19 = 19 * g7;
            long g8_19 = 19 * g8;
            long g9_19 = 19 * g9;
            long f1_2 = 2 * f1;
            long f3_2 = 2 * f3;
            long f5_2 = 2 * f5;
            long f7_2 = 2 * f7;
            long f9_2 = 2 * f9;
            long h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
            long h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
            long h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
            long h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
            long h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
            long h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
            long h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
            long h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
            long h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
            long h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
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
            h[0] = (int)h0;
            h[1] = (int)h1;
            h[2] = (int)h2;
            h[3] = (int)h3;
            h[4] = (int)h4;
            h[5] = (int)h5;
            h[6] = (int)h6;
            h[7] = (int)h7;
            h[8] = (int)h8;
            h[9] = (int)h9;
        }

        /// <summary>h = f^2 (55 products instead of 100).</summary>
        internal static void Square(int[] h, int[] f)
        {
            FieldOpCounter.CountSquare();
            long f0 = f[0];
            long f1 = f[1];
            long f2 = f[2];
            long f3 = f[3];
            long f4 = f[4];
            long f5 = f[5];
            long f6 = f[6];
            long f7 = f[7];
            long f8 = f[8];
            long f9 = f[9];
            long f1_2 = 2 * f1;
            long f2_2 = 2 * f2;
            long f3_2 = 2 * f3;
            long f4_2 = 2 * f4;
            long f5_2 = 2 * f5;
            long f6_2 = 2 * f6;
            long f7_2 = 2 * f7;
            long f8_2 = 2 * f8;
            long f9_2 = 2 * f9;
            long f6_19 = 19 * f6;
            long f8_19 = 19 * f8;
            long f5_38 = 38 * f5;
            long f6_38 = 38 * f6;
            long f7_38 = 38 * f7;
            long f8_38 = 38 * f8;
            long f9_38 = 38 * f9;
            long h0 = f0 * f0 + f1_2 * f9_38 + f2 * f8_38 + f3_2 * f7_38 + f4 * f6_38 + f5 * f5_38;
            long h1 = f0 * f1_2 + f2 * f9_38 + f3 * f8_38 + f4 * f7_38 + f5 * f6_38;
            long h2 = f0 * f2_2 + f1 * f1_2 + f3_2 * f9_38 + f4 * f8_38 + f5_2 * f7_38 + f6 * f6_19;
            long h3 = f0 * f3_2 + f1 * f2_2 + f4 * f9_38 + f5 * f8_38 + f6 * f7_38;
            long h4 = f0 * f4_2 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6 * f8_38 + f7 * f7_38;
            long h5 = f0 * f5_2 + f1 * f4_2 + f2 * f3_2 + f6 * f9_38 + f7 * f8_38;
            long h6 = f0 * f6_2 + f1_2 * f5_2 + f2 * f4_2 + f3 * f3_2 + f7_2 * f9_38 + f8 * f8_19;
            long h7 = f0 * f7_2 + f1 * f6_2 + f2 * f5_2 + f3 * f4_2 + f8 * f9_38;
            long h8 = f0 * f8_2 + f1_2 * f7_2 + f2 * f6_2 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
            long h9 = f0 * f9_2 + f1 * f8_2 + f2 * f7_2 + f3 * f6_2 + f4 * f5_2;
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
            h[0] = (int)h0;
            h[1] = (int)h1;
            h[2] = (int)h2;
            h[3] = (int)h3;
            h[4] = (int)h4;
            h[5] = (int)h5;
            h[6] = (int)h6;
            h[7] = (int)h7;
            h[8] = (int)h8;
            h[9] = (int)h9;
        }

        /// <summary>h = 2 f^2 (used by Edwards point doubling).</summary>
        internal static void SquareDouble(int[] h, int[] f)
        {
            FieldOpCounter.CountSquare();
            long f0 = f[0];
            long f1 = f[1];
            long f2 = f[2];
            long f3 = f[3];
            long f4 = f[4];
            long f5 = f[5];
            long f6 = f[6];
            long f7 = f[7];
            long f8 = f[8];
            long f9 = f[9];
            long f1_2 = 2 * f1;
            long f2_2 = 2 * f2;
            long f3_2 = 2 * f3;
            long f4_2 = 2 * f4;
            long f5_2 = 2 * f5;
            long f6_2 = 2 * f6;
            long f7_2 = 2 * f7;
            long f8_2 = 2 * f8;
            long f9_2 = 2 * f9;
            long f6_19 = 19 * f6;
            long f8_19 = 19 * f8;
            long f5_38 = 38 * f5;
            long f6_38 = 38 * f6;
            long f7_38 = 38 * f7;
            long f8_38 = 38 * f8;
            long f9_38 = 38 * f9;
            long h0 = f0 * f0 + f1_2 * f9_38 + f2 * f8_38 + f3_2 * f7_38 + f4 * f6_38 + f5 * f5_38;
            long h1 = f0 * f1_2 + f2 * f9_38 + f3 * f8_38 + f4 * f7_38 + f5 * f6_38;
            long h2 = f0 * f2_2 + f1 * f1_2 + f3_2 * f9_38 + f4 * f8_38 + f5_2 * f7_38 + f6 * f6_19;
            long h3 = f0 * f3_2 + f1 * f2_2 + f4 * f9_38 + f5 * f8_38 + f6 * f7_38;
            long h4 = f0 * f4_2 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6 * f8_38 + f7 * f7_38;
            long h5 = f0 * f5_2 + f1 * f4_2 + f2 * f3_2 + f6 * f9_38 + f7 * f8_38;
            long h6 = f0 * f6_2 + f1_2 * f5_2 + f2 * f4_2 + f3 * f3_2 + f7_2 * f9_38 + f8 * f8_19;
            long h7 = f0 * f7_2 + f1 * f6_2 + f2 * f5_2 + f3 * f4_2 + f8 * f9_38;
            long h8 = f0 * f8_2 + f1_2 * f7_2 + f2 * f6_2 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
            long h9 = f0 * f9_2 + f1 * f8_2 + f2 * f7_2 + f3 * f6_2 + f4 * f5_2;
            h0 += h0;
            h1 += h1;
            h2 += h2;
            h3 += h3;
            h4 += h4;
            h5 += h5;
            h6 += h6;
            h7 += h7;
            h8 += h8;
            h9 += h9;
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
            h[0] = (int)h0;
            h[1] = (int)h1;
            h[2] = (int)h2;
            h[3] = (int)h3;
            h[4] = (int)h4;
            h[5] = (int)h5;
            h[6] = (int)h6;
            h[7] = (int)h7;
            h[8] = (int)h8;
            h[9] = (int)h9;
        }
    }
}
