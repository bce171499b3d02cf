namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Reusable scratch memory for X25519 and XEdDSA, so that a scalar multiplication, a signature or a
    /// verification allocates nothing: every field element, point and buffer they need lives here.
    /// Not thread safe: one workspace per thread (the static <see cref="X25519"/> and
    /// <see cref="XEdDsa"/> methods share one under a lock). Secret intermediates are cleared after each
    /// operation.
    /// </summary>
    /// <remarks>
    /// Size: 63 field elements (2.5 KB), recoding and scalar buffers (1.1 KB), byte buffers (0.4 KB) and
    /// a SHA-512 (0.8 KB): about 5 KB of data, roughly 6 KB of device heap with object headers. The
    /// static base-point tables (<see cref="EdTables"/>, 4.8 KB) are shared by all workspaces.
    /// </remarks>
    public sealed partial class Curve25519Workspace
    {
        internal static readonly object SharedLock = new object();
        private static Curve25519Workspace? shared;

        // General field temporaries; each operation documents which ones it uses.
        internal readonly int[] F0 = Field25519.New();
        internal readonly int[] F1 = Field25519.New();
        internal readonly int[] F2 = Field25519.New();
        internal readonly int[] F3 = Field25519.New();
        internal readonly int[] F4 = Field25519.New();
        internal readonly int[] F5 = Field25519.New();
        internal readonly int[] F6 = Field25519.New();
        internal readonly int[] F7 = Field25519.New();
        internal readonly int[] F8 = Field25519.New();
        internal readonly int[] F9 = Field25519.New();
        internal readonly int[] F10 = Field25519.New();

        // Points, addends and recodings for the Edwards side (EdScalarMult, EdGroup).
        internal readonly EdPoint P = new EdPoint();
        internal readonly EdPoint U = new EdPoint();
        internal readonly EdCompleted C = new EdCompleted();
        internal readonly EdCached Q = new EdCached();
        internal readonly EdCached[] AOdd = NewCachedArray(8);
        internal readonly sbyte[] Digits = new sbyte[64];
        internal readonly sbyte[] SlideA = new sbyte[256];
        internal readonly sbyte[] SlideB = new sbyte[256];

        /// <summary>Accumulator for arithmetic mod L (Scalar25519).</summary>
        internal readonly long[] Wide = new long[64];

        /// <summary>Clamped or reduced scalar (secret).</summary>
        internal readonly byte[] Scalar = new byte[32];

        /// <summary>32-byte scratch for encodings and sign tests.</summary>
        internal readonly byte[] Bytes32 = new byte[32];

        /// <summary>The workspace behind the static methods; use only while holding <see cref="SharedLock"/>.</summary>
        internal static Curve25519Workspace Shared
        {
            get
            {
                if (shared == null)
                {
                    shared = new Curve25519Workspace();
                }

                return shared;
            }
        }

        /// <summary>X25519(scalar, u) into output (RFC 7748 s5); no allocation.</summary>
        public void ScalarMult(byte[] scalar, int sOff, byte[] u, int uOff, byte[] output, int oOff)
        {
            CurveArgs.Range(scalar, sOff, X25519.KeySize, nameof(scalar));
            CurveArgs.Range(u, uOff, X25519.KeySize, nameof(u));
            CurveArgs.Range(output, oOff, X25519.KeySize, nameof(output));
            ScalarMultCore(scalar, sOff, u, uOff, output, oOff);
        }

        /// <summary>X25519(scalar, 9) into output; no allocation.</summary>
        public void ScalarMultBase(byte[] scalar, int sOff, byte[] output, int oOff)
        {
            CurveArgs.Range(scalar, sOff, X25519.KeySize, nameof(scalar));
            CurveArgs.Range(output, oOff, X25519.KeySize, nameof(output));
            ScalarMultBaseCore(scalar, sOff, output, oOff);
        }

        /// <summary>
        /// y = (u - 1) / (u + 1) mod p: the birational map from a Montgomery u-coordinate to the Edwards
        /// y-coordinate (RFC 7748 section 4.1), the first step of XEdDSA's convert_mont (XEdDSA spec
        /// section 2.6), for hosts that verify XEdDSA on an Ed25519 library. u is decoded as RFC 7748
        /// section 5 says (bit 255 ignored, values from p up taken mod p): a caller that must refuse
        /// u &gt;= p checks that first. Writes the canonical 32-byte encoding of y (its top bit, the sign
        /// of x, is 0). False, with nothing written, when u = -1 (u + 1 = 0: no Edwards point). Public
        /// inputs only; no allocation.
        /// </summary>
        public bool MontgomeryToEdwardsY(byte[] u, int uOff, byte[] y, int yOff)
        {
            CurveArgs.Range(u, uOff, X25519.KeySize, nameof(u));
            CurveArgs.Range(y, yOff, X25519.KeySize, nameof(y));
            Field25519.FromBytes(F1, u, uOff);
            Field25519.One(F2);
            Field25519.Sub(F3, F1, F2);     // u - 1
            Field25519.Carry(F3);
            Field25519.Add(F4, F1, F2);     // u + 1
            Field25519.Carry(F4);
            if (Field25519.IsNonZero(F4, Bytes32) == 0)
            {
                return false;
            }

            Field25519.Invert(F4, F4, F5, F6, F7, F8);
            Field25519.Mul(F3, F3, F4);
            Field25519.ToBytes(y, yOff, F3);
            return true;
        }

        internal void ScalarMultCore(byte[] scalar, int sOff, byte[] u, int uOff, byte[] output, int oOff)
        {
            X25519.Clamp(Scalar, scalar, sOff);
            X25519.LadderBest(this, Scalar, u, uOff, output, oOff);
            ClearSecrets();
        }

        /// <summary>
        /// X25519(scalar, u) always by the portable ten-limb ladder, the code the device runs (on the
        /// host <see cref="ScalarMult"/> takes the faster field; tests compare the two).
        /// </summary>
        internal void ScalarMultPortable(byte[] scalar, int sOff, byte[] u, int uOff, byte[] output, int oOff)
        {
            X25519.Clamp(Scalar, scalar, sOff);
            Field25519.FromBytes(F0, u, uOff);
            X25519.Ladder(this, Scalar, F0, false, output, oOff);
            ClearSecrets();
        }

        /// <summary>
        /// X25519(k, 9) through edwards25519: u = (1 + y)/(1 - y) = (Z + Y)/(Z - Y) for the point k B
        /// (RFC 7748 s4.1 birational map; B maps to u = 9). The fixed-base comb needs about 60 doublings
        /// and 64 table additions instead of 255 ladder steps, roughly halving the field operations of a
        /// key generation. A clamped k is below 2^255 and never a multiple of L, so Z - Y is never 0.
        /// </summary>
        internal void ScalarMultBaseCore(byte[] scalar, int sOff, byte[] output, int oOff)
        {
            X25519.Clamp(Scalar, scalar, sOff);
            EdScalarMult.Base(P, Scalar, 0, this);
            Field25519.Add(F1, P.Z, P.Y);
            Field25519.Sub(F2, P.Z, P.Y);
            Field25519.Invert(F2, F2, F3, F4, F5, F6);
            Field25519.Mul(F1, F1, F2);
            Field25519.ToBytes(output, oOff, F1);
            ClearSecrets();
        }

        /// <summary>X25519(k, 9) by the RFC 7748 ladder (kept as a cross-check of the Edwards route).</summary>
        internal void ScalarMultBaseLadder(byte[] scalar, int sOff, byte[] output, int oOff)
        {
            X25519.Clamp(Scalar, scalar, sOff);
            Field25519.Zero(F0);
            F0[0] = 9;
            X25519.Ladder(this, Scalar, F0, true, output, oOff);
            ClearSecrets();
        }

        private static EdCached[] NewCachedArray(int count)
        {
            var a = new EdCached[count];
            for (int i = 0; i < count; i++)
            {
                a[i] = new EdCached();
            }

            return a;
        }

        /// <summary>Zeroes everything that held secret scalars or values derived from them.</summary>
        internal void ClearSecrets()
        {
            System.Array.Clear(Scalar, 0, Scalar.Length);
            System.Array.Clear(Bytes32, 0, Bytes32.Length);
            Field25519.Zero(F0); Field25519.Zero(F1); Field25519.Zero(F2); Field25519.Zero(F3);
            Field25519.Zero(F4); Field25519.Zero(F5); Field25519.Zero(F6); Field25519.Zero(F7);
            Field25519.Zero(F8); Field25519.Zero(F9); Field25519.Zero(F10);
            P.Clear();
            U.Clear();
            C.Clear();
            Q.Clear();
            System.Array.Clear(Digits, 0, Digits.Length);
            System.Array.Clear(Wide, 0, Wide.Length);
        }
    }
}
