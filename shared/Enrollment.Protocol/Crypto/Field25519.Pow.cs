namespace Enrollment.Protocol.Crypto
{
    /// <summary>Exponentiations in GF(2^255 - 19) by fixed addition chains (same chain for every input).</summary>
    internal static partial class Field25519
    {
        /// <summary>h = f^(2^n), n &gt;= 1.</summary>
        internal static void SquareTimes(int[] h, int[] f, int n)
        {
            Square(h, f);
            for (int i = 1; i < n; i++)
            {
                Square(h, h);
            }
        }

        /// <summary>
        /// h = z^(p-2) = 1/z (Fermat; 0 maps to 0), 254 squarings and 11 multiplications.
        /// h may alias z; t0..t3 are scratch and must be distinct from h and z.
        /// </summary>
        internal static void Invert(int[] h, int[] z, int[] t0, int[] t1, int[] t2, int[] t3)
        {
            Chain250(z, t0, t1, t2, t3);            // t1 = z^(2^250 - 1), t0 = z^11
            SquareTimes(t1, t1, 5);                 // z^(2^255 - 32)
            Mul(h, t1, t0);                         // z^(2^255 - 21) = z^(p - 2)
        }

        /// <summary>
        /// h = z^((p-5)/8) = z^(2^252 - 3), the exponent of the square root in RFC 8032 s5.1.3.
        /// h may alias z; t0..t3 are scratch.
        /// </summary>
        internal static void Pow22523(int[] h, int[] z, int[] t0, int[] t1, int[] t2, int[] t3)
        {
            Chain250(z, t0, t1, t2, t3);            // t1 = z^(2^250 - 1)
            SquareTimes(t1, t1, 2);                 // z^(2^252 - 4)
            Mul(h, t1, z);                          // z^(2^252 - 3)
        }

        /// <summary>Common prefix: t0 = z^11, t1 = z^(2^250 - 1). Reads z only before writing t1 last.</summary>
        private static void Chain250(int[] z, int[] t0, int[] t1, int[] t2, int[] t3)
        {
            Square(t0, z);                          // z^2
            SquareTimes(t1, t0, 2);                 // z^8
            Mul(t1, z, t1);                         // z^9
            Mul(t0, t0, t1);                        // z^11
            Square(t2, t0);                         // z^22
            Mul(t1, t1, t2);                        // z^31 = z^(2^5 - 1)
            SquareTimes(t2, t1, 5);
            Mul(t1, t2, t1);                        // z^(2^10 - 1)
            SquareTimes(t2, t1, 10);
            Mul(t2, t2, t1);                        // z^(2^20 - 1)
            SquareTimes(t3, t2, 20);
            Mul(t2, t3, t2);                        // z^(2^40 - 1)
            SquareTimes(t2, t2, 10);
            Mul(t1, t2, t1);                        // z^(2^50 - 1)
            SquareTimes(t2, t1, 50);
            Mul(t2, t2, t1);                        // z^(2^100 - 1)
            SquareTimes(t3, t2, 100);
            Mul(t2, t3, t2);                        // z^(2^200 - 1)
            SquareTimes(t2, t2, 50);
            Mul(t1, t2, t1);                        // z^(2^250 - 1)
        }
    }
}
