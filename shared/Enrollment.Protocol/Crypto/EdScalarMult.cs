namespace Enrollment.Protocol.Crypto
{
    /// <summary>Scalar multiplications on edwards25519 for XEdDSA signing and verification.</summary>
    internal static class EdScalarMult
    {
        /// <summary>
        /// r = a B for a secret 32-byte little-endian scalar a with a[31] &lt;= 127, in fixed time.
        /// </summary>
        /// <remarks>
        /// a is rewritten as 64 signed 4-bit digits e_i in [-8, 8) (a = sum e_i 16^i), and the digits are
        /// split into four interleaved combs: a B = sum_w 16^w (sum_t e_(16 t + w) 2^(64 t) B), evaluated by
        /// Horner over w = 15..0 (60 doublings, 64 mixed additions). Each |e| 2^(64 t) B is chosen from
        /// EdTables.Comb by reading all eight entries with masks, then negated by mask when e &lt; 0, so
        /// neither the memory access pattern nor the branches depend on a.
        /// </remarks>
        internal static void Base(EdPoint r, byte[] a, int aOff, Curve25519Workspace ws)
        {
            int[] table = EdTables.Comb;
            sbyte[] e = ws.Digits;
            for (int i = 0; i < 32; i++)
            {
                e[2 * i] = (sbyte)(a[aOff + i] & 15);
                e[(2 * i) + 1] = (sbyte)((a[aOff + i] >> 4) & 15);
            }

            int carry = 0;
            for (int i = 0; i < 63; i++)
            {
                int d = e[i] + carry;
                carry = (d + 8) >> 4;
                e[i] = (sbyte)(d - (carry << 4));
            }

            e[63] = (sbyte)(e[63] + carry);

            EdCompleted c = ws.C;
            EdCached q = ws.Q;
            r.SetIdentity();
            for (int w = 15; w >= 0; w--)
            {
                if (w != 15)
                {
                    // r = 16 r; the first three doublings need only projective coordinates.
                    EdGroup.Double(c, r, ws);
                    EdGroup.ToProjective(r, c);
                    EdGroup.Double(c, r, ws);
                    EdGroup.ToProjective(r, c);
                    EdGroup.Double(c, r, ws);
                    EdGroup.ToProjective(r, c);
                    EdGroup.Double(c, r, ws);
                    EdGroup.ToPoint(r, c);
                }

                for (int t = 0; t < EdTables.CombTeeth; t++)
                {
                    Select(q, table, t, e[(16 * t) + w], ws);
                    EdGroup.AddAffine(c, r, q, ws);
                    EdGroup.ToPoint(r, c);
                }
            }

            System.Array.Clear(e, 0, e.Length);
        }

        /// <summary>
        /// q = b 2^(64 t) B for a digit b in [-8, 8], in fixed time: every entry of comb t is read, the
        /// wanted one kept by mask; the identity (1, 1, 0) when b = 0; negation (swap y + x and y - x,
        /// negate 2 d x y) by mask.
        /// </summary>
        private static void Select(EdCached q, int[] table, int t, int b, Curve25519Workspace ws)
        {
            int negative = (int)((uint)b >> 31);
            int abs = b - ((-negative & b) << 1);
            Field25519.One(q.YPlusX);
            Field25519.One(q.YMinusX);
            Field25519.Zero(q.T2d);
            int baseOff = t * EdTables.CombEntries * EdTables.EntryInts;
            for (int j = 1; j <= EdTables.CombEntries; j++)
            {
                int eq = (int)((uint)((abs ^ j) - 1) >> 31);
                int off = baseOff + ((j - 1) * EdTables.EntryInts);
                Field25519.CMoveFrom(q.YPlusX, table, off, eq);
                Field25519.CMoveFrom(q.YMinusX, table, off + Field25519.Limbs, eq);
                Field25519.CMoveFrom(q.T2d, table, off + (2 * Field25519.Limbs), eq);
            }

            Field25519.CSwap(q.YPlusX, q.YMinusX, negative);
            Field25519.Neg(ws.F0, q.T2d);
            Field25519.CMove(q.T2d, ws.F0, negative);
        }

        /// <summary>
        /// r = a A + b B (projective X, Y, Z; r.T stale) in variable time, for verification where a, b and
        /// A are public: both scalars in signed sliding windows of width 5 (odd digits -15..15), with the
        /// odd multiples A, 3A, .., 15A computed here and those of B from EdTables.Odd.
        /// a and b must be below 2^255 (reduced scalars are).
        /// </summary>
        internal static void DoubleVartime(EdPoint r, byte[] a, int aOff, EdPoint pointA, byte[] b, int bOff, Curve25519Workspace ws)
        {
            int[] odd = EdTables.Odd;
            sbyte[] sa = ws.SlideA, sb = ws.SlideB;
            Slide(sa, a, aOff);
            Slide(sb, b, bOff);

            EdCompleted c = ws.C;
            EdPoint u = ws.U;
            EdCached[] ai = ws.AOdd;
            EdGroup.ToCached(ai[0], pointA);
            EdGroup.Double(c, pointA, ws);
            EdGroup.ToPoint(u, c);
            EdGroup.ToCached(ws.Q, u);              // 2A
            EdGroup.Copy(u, pointA);
            for (int i = 1; i < ai.Length; i++)
            {
                EdGroup.Add(c, u, ws.Q, ws);        // (2 i + 1) A
                EdGroup.ToPoint(u, c);
                EdGroup.ToCached(ai[i], u);
            }

            r.SetIdentity();
            int top = 255;
            while (top >= 0 && sa[top] == 0 && sb[top] == 0)
            {
                top--;
            }

            for (int i = top; i >= 0; i--)
            {
                EdGroup.Double(c, r, ws);
                int da = sa[i], db = sb[i];
                if (da > 0)
                {
                    EdGroup.ToPoint(u, c);
                    EdGroup.Add(c, u, ai[da >> 1], ws);
                }
                else if (da < 0)
                {
                    EdGroup.ToPoint(u, c);
                    EdGroup.Sub(c, u, ai[(-da) >> 1], ws);
                }

                if (db > 0)
                {
                    EdGroup.ToPoint(u, c);
                    EdTables.Load(ws.Q, odd, db >> 1);
                    EdGroup.AddAffine(c, u, ws.Q, ws);
                }
                else if (db < 0)
                {
                    EdGroup.ToPoint(u, c);
                    EdTables.Load(ws.Q, odd, (-db) >> 1);
                    EdGroup.SubAffine(c, u, ws.Q, ws);
                }

                EdGroup.ToProjective(r, c);
            }
        }

        /// <summary>
        /// Signed sliding-window recoding: r[i] in {0, +-1, +-3, .., +-15}, a = sum r[i] 2^i, and every
        /// nonzero digit is followed by at least four zeros.
        /// </summary>
        private static void Slide(sbyte[] r, byte[] a, int aOff)
        {
            for (int i = 0; i < 256; i++)
            {
                r[i] = (sbyte)(1 & (a[aOff + (i >> 3)] >> (i & 7)));
            }

            for (int i = 0; i < 256; i++)
            {
                if (r[i] == 0)
                {
                    continue;
                }

                for (int b = 1; b <= 6 && i + b < 256; b++)
                {
                    if (r[i + b] == 0)
                    {
                        continue;
                    }

                    int shifted = r[i + b] << b;
                    if (r[i] + shifted <= 15)
                    {
                        r[i] = (sbyte)(r[i] + shifted);
                        r[i + b] = 0;
                    }
                    else if (r[i] - shifted >= -15)
                    {
                        r[i] = (sbyte)(r[i] - shifted);
                        for (int k = i + b; k < 256; k++)
                        {
                            if (r[k] == 0)
                            {
                                r[k] = 1;
                                break;
                            }

                            r[k] = 0;
                        }
                    }
                    else
                    {
                        break;
                    }
                }
            }
        }
    }
}
