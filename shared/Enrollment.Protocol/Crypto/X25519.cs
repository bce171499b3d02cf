namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// X25519 (RFC 7748 s5): the Montgomery ladder on Curve25519 with a clamped 255-bit scalar.
    /// Fixed time: 255 ladder steps for every scalar, conditional swaps by mask, one inversion.
    /// Callers reject an all-zero output (RFC 7748 s6.1) with FixedTime.IsZero.
    /// </summary>
    /// <remarks>
    /// The static methods share one workspace under a lock and never allocate except the byte[]
    /// results of the two convenience forms; a caller that wants no lock uses its own
    /// <see cref="Curve25519Workspace"/>.
    /// </remarks>
    public static partial class X25519
    {
        /// <summary>Size of scalars, u-coordinates and outputs (RFC 7748 s5).</summary>
        public const int KeySize = 32;

        /// <summary>Returns X25519(scalar, u): clamps the scalar (RFC 7748 s5), masks u's top bit.</summary>
        public static byte[] ScalarMult(byte[] scalar32, byte[] u32)
        {
            CurveArgs.Exact(scalar32, KeySize, nameof(scalar32));
            CurveArgs.Exact(u32, KeySize, nameof(u32));
            byte[] output = new byte[KeySize];
            ScalarMult(scalar32, 0, u32, 0, output, 0);
            return output;
        }

        /// <summary>Returns X25519(scalar, 9), the public key of a private scalar.</summary>
        public static byte[] ScalarMultBase(byte[] scalar32)
        {
            CurveArgs.Exact(scalar32, KeySize, nameof(scalar32));
            byte[] output = new byte[KeySize];
            ScalarMultBase(scalar32, 0, output, 0);
            return output;
        }

        /// <summary>Writes X25519(scalar, u) (32 bytes) to output[oOff..].</summary>
        public static void ScalarMult(byte[] scalar, int sOff, byte[] u, int uOff, byte[] output, int oOff)
        {
            CurveArgs.Range(scalar, sOff, KeySize, nameof(scalar));
            CurveArgs.Range(u, uOff, KeySize, nameof(u));
            CurveArgs.Range(output, oOff, KeySize, nameof(output));
            lock (Curve25519Workspace.SharedLock)
            {
                Curve25519Workspace.Shared.ScalarMultCore(scalar, sOff, u, uOff, output, oOff);
            }
        }

        /// <summary>Writes X25519(scalar, 9) (32 bytes) to output[oOff..].</summary>
        public static void ScalarMultBase(byte[] scalar, int sOff, byte[] output, int oOff)
        {
            CurveArgs.Range(scalar, sOff, KeySize, nameof(scalar));
            CurveArgs.Range(output, oOff, KeySize, nameof(output));
            lock (Curve25519Workspace.SharedLock)
            {
                Curve25519Workspace.Shared.ScalarMultBaseCore(scalar, sOff, output, oOff);
            }
        }

        /// <summary>Copies and clamps a scalar (RFC 7748 s5 decodeScalar25519).</summary>
        internal static void Clamp(byte[] k, byte[] scalar, int sOff)
        {
            System.Array.Copy(scalar, sOff, k, 0, KeySize);
            k[0] &= 248;
            k[31] &= 127;
            k[31] |= 64;
        }

        /// <summary>
        /// Computes X25519(k, u) with a faster field when the platform has one (X25519.Host.cs, 64-bit
        /// .NET: 51-bit limbs and 128-bit products) and sets <paramref name="done"/>. The device builds
        /// leave out that file, so this declaration has no body there and the compiler removes its calls.
        /// </summary>
        static partial void LadderOnHost(byte[] k, byte[] u, int uOff, byte[] output, int oOff, ref bool done);

        /// <summary>
        /// X25519(k, u) for a clamped k: the platform's faster ladder when it has one, else the portable
        /// <see cref="Ladder"/> (the one the device runs) on x1.
        /// </summary>
        internal static void LadderBest(Curve25519Workspace ws, byte[] k, byte[] u, int uOff, byte[] output, int oOff)
        {
            bool done = false;
            LadderOnHost(k, u, uOff, output, oOff, ref done);
            if (!done)
            {
                Field25519.FromBytes(ws.F0, u, uOff);
                Ladder(ws, k, ws.F0, false, output, oOff);
            }
        }

        /// <summary>
        /// The ladder of RFC 7748 s5 on a clamped scalar k and u-coordinate x1, result to output.
        /// When <paramref name="baseIsNine"/> is set x1 is 9 and the one multiplication by x1 per step
        /// becomes a multiplication by the small constant 9 (public choice, not secret-dependent).
        /// </summary>
        internal static void Ladder(Curve25519Workspace ws, byte[] k, int[] x1, bool baseIsNine, byte[] output, int oOff)
        {
            int[] x2 = ws.F1, z2 = ws.F2, x3 = ws.F3, z3 = ws.F4, t0 = ws.F5, t1 = ws.F6;
            Field25519.One(x2);
            Field25519.Zero(z2);
            Field25519.Copy(x3, x1);
            Field25519.One(z3);
            int swap = 0;
            for (int t = 254; t >= 0; t--)
            {
                int bit = (k[t >> 3] >> (t & 7)) & 1;
                swap ^= bit;
                Field25519.CSwap(x2, x3, swap);
                Field25519.CSwap(z2, z3, swap);
                swap = bit;

                // One ladder step (RFC 7748 s5), in the order that needs two temporaries;
                // z2 = E * (BB + 121666 E) equals the RFC's E * (AA + a24 E), a24 = 121665.
                Field25519.Sub(t0, x3, z3);         // D
                Field25519.Sub(t1, x2, z2);         // B
                Field25519.Add(x2, x2, z2);         // A
                Field25519.Add(z2, x3, z3);         // C
                Field25519.Mul(z3, t0, x2);         // DA
                Field25519.Mul(z2, z2, t1);         // CB
                Field25519.Square(t0, t1);          // BB
                Field25519.Square(t1, x2);          // AA
                Field25519.Add(x3, z3, z2);         // DA + CB
                Field25519.Sub(z2, z3, z2);         // DA - CB
                Field25519.Mul(x2, t1, t0);         // x2 = AA * BB
                Field25519.Sub(t1, t1, t0);         // E = AA - BB
                Field25519.Square(z2, z2);          // (DA - CB)^2
                Field25519.MulSmall(z3, t1, 121666);
                Field25519.Square(x3, x3);          // x3 = (DA + CB)^2
                Field25519.Add(t0, t0, z3);         // BB + 121666 E
                if (baseIsNine)
                {
                    Field25519.MulSmall(z3, z2, 9); // z3 = x1 * (DA - CB)^2
                }
                else
                {
                    Field25519.Mul(z3, x1, z2);
                }

                Field25519.Mul(z2, t1, t0);         // z2 = E * (BB + 121666 E)
            }

            Field25519.CSwap(x2, x3, swap);
            Field25519.CSwap(z2, z3, swap);
            Field25519.Invert(z2, z2, ws.F7, ws.F8, ws.F9, ws.F10);
            Field25519.Mul(x2, x2, z2);
            Field25519.ToBytes(output, oOff, x2);
        }
    }
}
