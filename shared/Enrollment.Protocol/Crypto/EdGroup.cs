namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Group law of edwards25519 (RFC 8032 s5.1.4) in extended coordinates, with the unified formulas of
    /// Hisil-Wong-Carter-Dawson 2008 ("add-2008-hwcd-3", "dbl-2008-hwcd") as arranged in ref10. The
    /// formulas are complete on this curve (a = -1 is a square, d is not), so they hold for the identity
    /// and for doubling too, and the fixed-time code needs no special cases.
    /// </summary>
    /// <remarks>
    /// Scratch: every method here may use ws.F0; Encode uses F1..F7 and Decode F1..F9. Callers keep
    /// no live values in those.
    /// </remarks>
    internal static class EdGroup
    {
        /// <summary>d = -121665/121666 (RFC 8032 s5.1).</summary>
        internal static readonly int[] D = new int[]
        {
            56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315,
        };

        /// <summary>2 d.</summary>
        internal static readonly int[] D2 = new int[]
        {
            45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199,
        };

        /// <summary>sqrt(-1) = 2^((p-1)/4) (RFC 8032 s5.1.3).</summary>
        internal static readonly int[] SqrtM1 = new int[]
        {
            34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482,
        };

        /// <summary>r = 2 p, reading only p's X, Y, Z (p may be a projective point with stale T).</summary>
        internal static void Double(EdCompleted r, EdPoint p, Curve25519Workspace ws)
        {
            int[] t0 = ws.F0;
            Field25519.Square(r.X, p.X);            // A = X^2
            Field25519.Square(r.Z, p.Y);            // B = Y^2
            Field25519.SquareDouble(r.T, p.Z);      // C = 2 Z^2
            Field25519.Add(r.Y, p.X, p.Y);
            Field25519.Square(t0, r.Y);             // (X + Y)^2
            Field25519.Add(r.Y, r.Z, r.X);          // B + A
            Field25519.Sub(r.Z, r.Z, r.X);          // G = B - A
            Field25519.Sub(r.X, t0, r.Y);           // E = (X + Y)^2 - A - B
            Field25519.Sub(r.T, r.T, r.Z);          // C - G = -F
        }

        /// <summary>r = p + q.</summary>
        internal static void Add(EdCompleted r, EdPoint p, EdCached q, Curve25519Workspace ws)
        {
            int[] t0 = ws.F0;
            Field25519.Add(r.X, p.Y, p.X);
            Field25519.Sub(r.Y, p.Y, p.X);
            Field25519.Mul(r.Z, r.X, q.YPlusX);     // A
            Field25519.Mul(r.Y, r.Y, q.YMinusX);    // B
            Field25519.Mul(r.T, q.T2d, p.T);        // C
            Field25519.Mul(r.X, p.Z, q.Z);
            Field25519.Add(t0, r.X, r.X);           // D
            Field25519.Sub(r.X, r.Z, r.Y);          // E
            Field25519.Add(r.Y, r.Z, r.Y);          // H
            Field25519.Add(r.Z, t0, r.T);           // G
            Field25519.Sub(r.T, t0, r.T);           // F
        }

        /// <summary>r = p - q.</summary>
        internal static void Sub(EdCompleted r, EdPoint p, EdCached q, Curve25519Workspace ws)
        {
            int[] t0 = ws.F0;
            Field25519.Add(r.X, p.Y, p.X);
            Field25519.Sub(r.Y, p.Y, p.X);
            Field25519.Mul(r.Z, r.X, q.YMinusX);
            Field25519.Mul(r.Y, r.Y, q.YPlusX);
            Field25519.Mul(r.T, q.T2d, p.T);
            Field25519.Mul(r.X, p.Z, q.Z);
            Field25519.Add(t0, r.X, r.X);
            Field25519.Sub(r.X, r.Z, r.Y);
            Field25519.Add(r.Y, r.Z, r.Y);
            Field25519.Sub(r.Z, t0, r.T);
            Field25519.Add(r.T, t0, r.T);
        }

        /// <summary>r = p + q for an affine q (q.Z is taken as 1 and not read): one multiplication fewer.</summary>
        internal static void AddAffine(EdCompleted r, EdPoint p, EdCached q, Curve25519Workspace ws)
        {
            int[] t0 = ws.F0;
            Field25519.Add(r.X, p.Y, p.X);
            Field25519.Sub(r.Y, p.Y, p.X);
            Field25519.Mul(r.Z, r.X, q.YPlusX);
            Field25519.Mul(r.Y, r.Y, q.YMinusX);
            Field25519.Mul(r.T, q.T2d, p.T);
            Field25519.Add(t0, p.Z, p.Z);
            Field25519.Sub(r.X, r.Z, r.Y);
            Field25519.Add(r.Y, r.Z, r.Y);
            Field25519.Add(r.Z, t0, r.T);
            Field25519.Sub(r.T, t0, r.T);
        }

        /// <summary>r = p - q for an affine q.</summary>
        internal static void SubAffine(EdCompleted r, EdPoint p, EdCached q, Curve25519Workspace ws)
        {
            int[] t0 = ws.F0;
            Field25519.Add(r.X, p.Y, p.X);
            Field25519.Sub(r.Y, p.Y, p.X);
            Field25519.Mul(r.Z, r.X, q.YMinusX);
            Field25519.Mul(r.Y, r.Y, q.YPlusX);
            Field25519.Mul(r.T, q.T2d, p.T);
            Field25519.Add(t0, p.Z, p.Z);
            Field25519.Sub(r.X, r.Z, r.Y);
            Field25519.Add(r.Y, r.Z, r.Y);
            Field25519.Sub(r.Z, t0, r.T);
            Field25519.Add(r.T, t0, r.T);
        }

        /// <summary>Completed to extended: 4 multiplications.</summary>
        internal static void ToPoint(EdPoint r, EdCompleted p)
        {
            Field25519.Mul(r.X, p.X, p.T);
            Field25519.Mul(r.Y, p.Y, p.Z);
            Field25519.Mul(r.Z, p.Z, p.T);
            Field25519.Mul(r.T, p.X, p.Y);
        }

        /// <summary>Completed to projective (X, Y, Z only; r.T is left stale): 3 multiplications.</summary>
        internal static void ToProjective(EdPoint r, EdCompleted p)
        {
            Field25519.Mul(r.X, p.X, p.T);
            Field25519.Mul(r.Y, p.Y, p.Z);
            Field25519.Mul(r.Z, p.Z, p.T);
        }

        /// <summary>Extended to the cached addend form (Y + X, Y - X, Z, 2 d T).</summary>
        internal static void ToCached(EdCached r, EdPoint p)
        {
            Field25519.Add(r.YPlusX, p.Y, p.X);
            Field25519.Sub(r.YMinusX, p.Y, p.X);
            Field25519.Copy(r.Z, p.Z);
            Field25519.Mul(r.T2d, p.T, D2);
        }

        /// <summary>
        /// Writes the 32-byte encoding of RFC 8032 s5.1.2: y (canonical) with the sign of x in bit 255.
        /// Reads p's X, Y, Z. Fixed time.
        /// </summary>
        internal static void Encode(byte[] s, int off, EdPoint p, Curve25519Workspace ws)
        {
            int[] recip = ws.F1, x = ws.F2, y = ws.F3;
            Field25519.Invert(recip, p.Z, ws.F4, ws.F5, ws.F6, ws.F7);
            Field25519.Mul(x, p.X, recip);
            Field25519.Mul(y, p.Y, recip);
            int negative = Field25519.IsNegative(x, ws.Bytes32);
            Field25519.ToBytes(s, off, y);
            s[off + 31] ^= (byte)(negative << 7);
        }

        /// <summary>
        /// Decodes a point (RFC 8032 s5.1.3) into r; false when y &gt;= p, when x^2 = (y^2 - 1)/(d y^2 + 1)
        /// has no root (not on the curve), or for x = 0 with the sign bit set. Variable time: for public
        /// inputs only (public keys, signature verification).
        /// </summary>
        internal static bool Decode(EdPoint r, byte[] s, int off, Curve25519Workspace ws)
        {
            int[] u = ws.F1, v = ws.F2, v3 = ws.F3, vxx = ws.F4, check = ws.F5;
            byte[] canon = ws.Bytes32;
            Field25519.FromBytes(r.Y, s, off);
            Field25519.ToBytes(canon, 0, r.Y);
            for (int i = 0; i < 31; i++)
            {
                if (canon[i] != s[off + i])
                {
                    return false;                   // y >= p
                }
            }

            if (canon[31] != (s[off + 31] & 0x7F))
            {
                return false;
            }

            int sign = s[off + 31] >> 7;
            Field25519.One(r.Z);
            Field25519.Square(u, r.Y);
            Field25519.Mul(v, u, D);
            Field25519.Sub(u, u, r.Z);              // u = y^2 - 1
            Field25519.Add(v, v, r.Z);              // v = d y^2 + 1
            Field25519.Square(v3, v);
            Field25519.Mul(v3, v3, v);              // v^3
            Field25519.Square(r.X, v3);
            Field25519.Mul(r.X, r.X, v);
            Field25519.Mul(r.X, r.X, u);            // u v^7
            Field25519.Pow22523(r.X, r.X, ws.F6, ws.F7, ws.F8, ws.F9);
            Field25519.Mul(r.X, r.X, v3);
            Field25519.Mul(r.X, r.X, u);            // x = u v^3 (u v^7)^((p-5)/8)
            Field25519.Square(vxx, r.X);
            Field25519.Mul(vxx, vxx, v);
            Field25519.Sub(check, vxx, u);
            if (Field25519.IsNonZero(check, canon) != 0)
            {
                Field25519.Add(check, vxx, u);
                if (Field25519.IsNonZero(check, canon) != 0)
                {
                    return false;                   // no square root: not on the curve
                }

                Field25519.Mul(r.X, r.X, SqrtM1);
            }

            if (Field25519.IsNonZero(r.X, canon) == 0 && sign == 1)
            {
                return false;
            }

            if (Field25519.IsNegative(r.X, canon) != sign)
            {
                Field25519.Neg(r.X, r.X);
            }

            Field25519.Mul(r.T, r.X, r.Y);
            return true;
        }

        /// <summary>
        /// XEdDSA's convert_mont (spec s2.2) followed by point decompression, with one exponentiation
        /// instead of two: the point with y = (u - 1)/(u + 1) and sign bit 0 into r, the encoding of y into
        /// yEncoded. False when that y is not on the curve (u on the twist). Variable time (public u).
        /// </summary>
        /// <remarks>
        /// With N = u - 1, D = u + 1: y^2 - 1 = (N^2 - D^2)/D^2 and d y^2 + 1 = (d N^2 + D^2)/D^2, so
        /// x^2 = n/v with n = N^2 - D^2 = -4 u and v = d N^2 + D^2, D cancelling. One inverse square root
        /// r = 1/sqrt(n v D^2) yields both 1/D = r^2 n v D and x = r n D. Where n v D^2 = 0 (u = 0 or
        /// u = -1) the plain inversion and RFC 8032 decoding are used instead. Uses F0 and F2..F9 (and
        /// Decode's F1..F9 in that case); u is read first and may be F1.
        /// </remarks>
        internal static bool FromMontgomery(EdPoint r, byte[] yEncoded, int[] u, Curve25519Workspace ws)
        {
            int[] n = ws.F0, v = ws.F2, dd = ws.F3, z = ws.F4, t = ws.F5;
            byte[] scratch = ws.Bytes32;
            Field25519.One(t);
            Field25519.Sub(r.Y, u, t);              // N
            Field25519.Add(dd, u, t);               // D
            Field25519.Carry(dd);
            Field25519.Square(n, r.Y);              // N^2
            Field25519.Mul(v, n, D);
            Field25519.Square(z, dd);               // D^2
            Field25519.Add(v, v, z);                // v = d N^2 + D^2
            Field25519.Sub(n, n, z);                // n = N^2 - D^2
            Field25519.Carry(n);
            Field25519.Mul(z, z, n);
            Field25519.Mul(z, z, v);                // Z = n v D^2
            if (Field25519.IsNonZero(z, scratch) == 0)
            {
                Field25519.Invert(dd, dd, ws.F5, ws.F6, ws.F7, ws.F8);
                Field25519.Mul(r.Y, r.Y, dd);
                Field25519.ToBytes(yEncoded, 0, r.Y);
                return Decode(r, yEncoded, 0, ws);
            }

            // r = 1/sqrt(Z) = Z^3 (Z^7)^((p-5)/8), times sqrt(-1) when that squares to -1/Z.
            int[] rr = r.X, z3 = r.T, chk = r.Z;
            Field25519.Square(z3, z);
            Field25519.Mul(z3, z3, z);              // Z^3
            Field25519.Square(rr, z3);
            Field25519.Mul(rr, rr, z);              // Z^7
            Field25519.Pow22523(rr, rr, ws.F6, ws.F7, ws.F8, ws.F9);
            Field25519.Mul(rr, rr, z3);
            Field25519.Square(chk, rr);
            Field25519.Mul(chk, chk, z);            // Z r^2: 1 or -1 when Z is a square
            Field25519.One(t);
            Field25519.Sub(t, chk, t);
            if (Field25519.IsNonZero(t, scratch) != 0)
            {
                Field25519.One(t);
                Field25519.Add(t, chk, t);
                if (Field25519.IsNonZero(t, scratch) != 0)
                {
                    return false;                   // n / v is not a square: not on the curve
                }

                Field25519.Mul(rr, rr, SqrtM1);
            }

            // 1/D = r^2 n v D; y = N / D; x = r n D with sign 0.
            Field25519.Square(t, rr);
            Field25519.Mul(t, t, n);
            Field25519.Mul(t, t, v);
            Field25519.Mul(t, t, dd);
            Field25519.Mul(r.Y, r.Y, t);
            Field25519.Mul(r.X, rr, n);
            Field25519.Mul(r.X, r.X, dd);
            if (Field25519.IsNegative(r.X, scratch) != 0)
            {
                Field25519.Neg(r.X, r.X);
            }

            Field25519.One(r.Z);
            Field25519.Mul(r.T, r.X, r.Y);
            Field25519.ToBytes(yEncoded, 0, r.Y);
            return true;
        }

        internal static void Copy(EdPoint r, EdPoint p)
        {
            Field25519.Copy(r.X, p.X);
            Field25519.Copy(r.Y, p.Y);
            Field25519.Copy(r.Z, p.Z);
            Field25519.Copy(r.T, p.T);
        }

        /// <summary>p = -p (extended coordinates).</summary>
        internal static void Negate(EdPoint p)
        {
            Field25519.Neg(p.X, p.X);
            Field25519.Neg(p.T, p.T);
        }
    }
}
