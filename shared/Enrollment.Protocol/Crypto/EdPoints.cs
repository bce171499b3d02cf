namespace Enrollment.Protocol.Crypto
{
    // Point representations of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2, RFC 8032 s5.1), as in ref10
    // and "Twisted Edwards Curves Revisited" (Hisil, Wong, Carter, Dawson 2008). Classes holding
    // preallocated field elements, not structs: see Field25519's remarks.

    /// <summary>Extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x y = T/Z.</summary>
    internal sealed class EdPoint
    {
        internal readonly int[] X = Field25519.New();
        internal readonly int[] Y = Field25519.New();
        internal readonly int[] Z = Field25519.New();
        internal readonly int[] T = Field25519.New();

        internal void SetIdentity()
        {
            Field25519.Zero(X);
            Field25519.One(Y);
            Field25519.One(Z);
            Field25519.Zero(T);
        }

        internal void Clear()
        {
            Field25519.Zero(X);
            Field25519.Zero(Y);
            Field25519.Zero(Z);
            Field25519.Zero(T);
        }
    }

    /// <summary>
    /// "Completed" coordinates ((X : Z), (Y : T)), x = X/Z, y = Y/T: the output of an addition or
    /// doubling before the final multiplications.
    /// </summary>
    internal sealed class EdCompleted
    {
        internal readonly int[] X = Field25519.New();
        internal readonly int[] Y = Field25519.New();
        internal readonly int[] Z = Field25519.New();
        internal readonly int[] T = Field25519.New();

        internal void Clear()
        {
            Field25519.Zero(X);
            Field25519.Zero(Y);
            Field25519.Zero(Z);
            Field25519.Zero(T);
        }
    }

    /// <summary>
    /// An addend prepared for the unified addition: (Y + X, Y - X, Z, 2 d T). With Z = 1 (a "precomputed"
    /// affine point) the addition saves one multiplication; <see cref="EdGroup.AddAffine"/> then ignores Z.
    /// </summary>
    internal sealed class EdCached
    {
        internal readonly int[] YPlusX = Field25519.New();
        internal readonly int[] YMinusX = Field25519.New();
        internal readonly int[] Z = Field25519.New();
        internal readonly int[] T2d = Field25519.New();

        internal void Clear()
        {
            Field25519.Zero(YPlusX);
            Field25519.Zero(YMinusX);
            Field25519.Zero(Z);
            Field25519.Zero(T2d);
        }
    }
}
