namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// HOST ONLY (excluded from every nanoFramework build, like every *.Host.cs): on 64-bit .NET the
    /// ladder runs on <see cref="Fe51"/> (five 51-bit limbs, 128-bit products), about twice as fast as the
    /// device's ten-limb <see cref="Field25519"/>. Same RFC 7748 s5 ladder, same step order, same
    /// inversion chain, so the same field-operation count; the device build has no body for
    /// <see cref="LadderOnHost"/> and the compiler removes its call, leaving the portable ladder.
    /// </summary>
    /// <remarks>
    /// Equality with the portable ladder is tested, not assumed: X25519HostTests runs thousands of random
    /// scalars and u (canonical, top bit set, non-canonical) through both and every RFC 7748 and
    /// Wycheproof vector through each. Field elements live in struct locals, so nothing is allocated;
    /// like the locals of the portable field code, those stack slots are not wiped afterwards.
    /// </remarks>
    public static partial class X25519
    {
        static partial void LadderOnHost(byte[] k, byte[] u, int uOff, byte[] output, int oOff, ref bool done)
        {
            Ladder51(k, u, uOff, output, oOff);
            done = true;
        }

        /// <summary>X25519 of a clamped scalar k and the u at u[uOff..] (top bit masked) to output.</summary>
        internal static void Ladder51(byte[] k, byte[] u, int uOff, byte[] output, int oOff)
        {
            Field51.FromBytes(out Fe51 x1, u, uOff);
            Field51.One(out Fe51 x2);
            Fe51 z2 = default;
            Fe51 x3 = x1;
            Field51.One(out Fe51 z3);
            Fe51 t0, t1;
            ulong swap = 0;
            for (int t = 254; t >= 0; t--)
            {
                ulong bit = (ulong)((k[t >> 3] >> (t & 7)) & 1);
                swap ^= bit;
                Field51.CSwap(ref x2, ref x3, 0 - swap);
                Field51.CSwap(ref z2, ref z3, 0 - swap);
                swap = bit;

                // The step of Ladder (the portable one), operation for operation.
                Field51.Sub(out t0, x3, z3);        // D
                Field51.Sub(out t1, x2, z2);        // B
                Field51.Add(out x2, x2, z2);        // A
                Field51.Add(out z2, x3, z3);        // C
                Field51.Mul(out z3, t0, x2);        // DA
                Field51.Mul(out z2, z2, t1);        // CB
                Field51.Square(out t0, t1);         // BB
                Field51.Square(out t1, x2);         // AA
                Field51.Add(out x3, z3, z2);        // DA + CB
                Field51.Sub(out z2, z3, z2);        // DA - CB
                Field51.Mul(out x2, t1, t0);        // x2 = AA * BB
                Field51.Sub(out t1, t1, t0);        // E = AA - BB
                Field51.Square(out z2, z2);         // (DA - CB)^2
                Field51.Mul121666(out z3, t1);
                Field51.Square(out x3, x3);         // x3 = (DA + CB)^2
                Field51.Add(out t0, t0, z3);        // BB + 121666 E
                Field51.Mul(out z3, x1, z2);        // z3 = x1 * (DA - CB)^2
                Field51.Mul(out z2, t1, t0);        // z2 = E * (BB + 121666 E)
            }

            Field51.CSwap(ref x2, ref x3, 0 - swap);
            Field51.CSwap(ref z2, ref z3, 0 - swap);
            Field51.Invert(out z2, z2);
            Field51.Mul(out x2, x2, z2);
            Field51.ToBytes(output, oOff, x2);
        }
    }
}
