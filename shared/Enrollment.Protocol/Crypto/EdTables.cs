using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Precomputed multiples of the base point B (RFC 8032 s5.1), built once at first use (about 2,600
    /// field operations, like one X25519) rather than stored as source constants. Each entry is an affine point
    /// as (y + x, y - x, 2 d x y), 30 ints, kept in flat int[] arrays to avoid per-array heap headers on
    /// the device:
    /// <list type="bullet">
    /// <item><see cref="Comb"/>: for t = 0..3 and j = 1..8, j 2^(64 t) B; 4 x 8 x 30 ints = 3,840 bytes.
    /// Used by the fixed-time fixed-base multiplication (signed 4-bit digits, four interleaved combs, so
    /// only 60 doublings instead of 252).</item>
    /// <item><see cref="Odd"/>: (2 i + 1) B for i = 0..7; 8 x 30 ints = 960 bytes. Used by the
    /// variable-time double-scalar multiplication of verification.</item>
    /// </list>
    /// About 4.8 KB of limbs in all, a few percent of the device heap, against the 30 KB of ref10's table.
    /// </summary>
    internal static class EdTables
    {
        internal const int EntryInts = 3 * Field25519.Limbs;
        internal const int CombTeeth = 4;
        internal const int CombEntries = 8;

        /// <summary>Encoding of B: y = 4/5, x even (RFC 8032 s5.1).</summary>
        private static readonly byte[] BaseEncoding = new byte[]
        {
            0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
            0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        };

        private static readonly object BuildLock = new object();
        private static int[]? comb;
        private static int[]? odd;

        internal static int[] Comb
        {
            get
            {
                lock (BuildLock)
                {
                    if (comb == null)
                    {
                        Build();
                    }

                    return comb!;
                }
            }
        }

        internal static int[] Odd
        {
            get
            {
                lock (BuildLock)
                {
                    if (odd == null)
                    {
                        Build();
                    }

                    return odd!;
                }
            }
        }

        /// <summary>Decodes B into p (for tests and table building).</summary>
        internal static void LoadBase(EdPoint p, Curve25519Workspace ws)
        {
            if (!EdGroup.Decode(p, BaseEncoding, 0, ws))
            {
                throw new InvalidOperationException("base point");
            }
        }

        /// <summary>Loads table entry <paramref name="index"/> into q (variable time: public index).</summary>
        internal static void Load(EdCached q, int[] table, int index)
        {
            int off = index * EntryInts;
            Array.Copy(table, off, q.YPlusX, 0, Field25519.Limbs);
            Array.Copy(table, off + Field25519.Limbs, q.YMinusX, 0, Field25519.Limbs);
            Array.Copy(table, off + (2 * Field25519.Limbs), q.T2d, 0, Field25519.Limbs);
        }

        private static void Build()
        {
            // A private workspace: building may happen inside an operation that uses the caller's.
            var ws = new Curve25519Workspace();
            var p = new EdPoint();
            var multiple = new EdPoint();
            var sum = new EdCompleted();
            var cached = new EdCached();
            var c = new int[CombTeeth * CombEntries * EntryInts];
            var o = new int[CombEntries * EntryInts];

            // Entries are first stored projectively (X, Y, Z in the three slots), then normalised with one
            // shared inversion per table (Montgomery's trick): about 2,600 field operations in all, instead
            // of 40 inversions (over 10,000), which matters for the first signature on the device.
            LoadBase(p, ws);
            for (int t = 0; t < CombTeeth; t++)
            {
                // p = 2^(64 t) B; multiple runs through j p.
                EdGroup.ToCached(cached, p);
                EdGroup.Copy(multiple, p);
                for (int j = 1; j <= CombEntries; j++)
                {
                    StoreProjective(c, ((t * CombEntries) + j - 1) * EntryInts, multiple);
                    if (j < CombEntries)
                    {
                        EdGroup.Add(sum, multiple, cached, ws);
                        EdGroup.ToPoint(multiple, sum);
                    }
                }

                for (int i = 0; t < CombTeeth - 1 && i < 64; i++)
                {
                    EdGroup.Double(sum, p, ws);
                    EdGroup.ToPoint(p, sum);
                }
            }

            // Odd multiples: B, 3B, ..., 15B.
            LoadBase(p, ws);
            EdGroup.Double(sum, p, ws);
            EdGroup.ToPoint(multiple, sum);
            EdGroup.ToCached(cached, multiple);     // 2B
            for (int i = 0; i < CombEntries; i++)
            {
                StoreProjective(o, i * EntryInts, p);
                EdGroup.Add(sum, p, cached, ws);
                EdGroup.ToPoint(p, sum);
            }

            var prefix = new int[CombTeeth * CombEntries * Field25519.Limbs];
            Normalize(c, CombTeeth * CombEntries, prefix, ws);
            Normalize(o, CombEntries, prefix, ws);
            comb = c;
            odd = o;
        }

        private static void StoreProjective(int[] table, int off, EdPoint p)
        {
            Array.Copy(p.X, 0, table, off, Field25519.Limbs);
            Array.Copy(p.Y, 0, table, off + Field25519.Limbs, Field25519.Limbs);
            Array.Copy(p.Z, 0, table, off + (2 * Field25519.Limbs), Field25519.Limbs);
        }

        /// <summary>
        /// Rewrites count projective entries (X, Y, Z) as affine (y + x, y - x, 2 d x y), reduced, using
        /// one inversion: prefix products Z_0 .. Z_0 Z_1 .. Z_i, invert the last, and walk back.
        /// </summary>
        private static void Normalize(int[] table, int count, int[] prefix, Curve25519Workspace ws)
        {
            int[] acc = ws.F1, z = ws.F2, inv = ws.F3, x = ws.F4, y = ws.F9, e = ws.F10;
            Field25519.One(acc);
            for (int i = 0; i < count; i++)
            {
                Array.Copy(table, (i * EntryInts) + (2 * Field25519.Limbs), z, 0, Field25519.Limbs);
                Field25519.Mul(acc, acc, z);
                Array.Copy(acc, 0, prefix, i * Field25519.Limbs, Field25519.Limbs);
            }

            Field25519.Invert(inv, acc, ws.F5, ws.F6, ws.F7, ws.F8);   // 1 / (Z_0 .. Z_(count-1))
            for (int i = count - 1; i >= 0; i--)
            {
                int off = i * EntryInts;
                Array.Copy(table, off + (2 * Field25519.Limbs), z, 0, Field25519.Limbs);
                if (i > 0)
                {
                    Array.Copy(prefix, (i - 1) * Field25519.Limbs, acc, 0, Field25519.Limbs);
                    Field25519.Mul(acc, acc, inv);                      // 1 / Z_i
                    Field25519.Mul(inv, inv, z);                        // 1 / (Z_0 .. Z_(i-1))
                }
                else
                {
                    Field25519.Copy(acc, inv);
                }

                Array.Copy(table, off, x, 0, Field25519.Limbs);
                Array.Copy(table, off + Field25519.Limbs, y, 0, Field25519.Limbs);
                Field25519.Mul(x, x, acc);
                Field25519.Mul(y, y, acc);
                Field25519.Add(e, y, x);
                Field25519.Carry(e);
                Array.Copy(e, 0, table, off, Field25519.Limbs);
                Field25519.Sub(e, y, x);
                Field25519.Carry(e);
                Array.Copy(e, 0, table, off + Field25519.Limbs, Field25519.Limbs);
                Field25519.Mul(e, x, y);
                Field25519.Mul(e, e, EdGroup.D2);
                Array.Copy(e, 0, table, off + (2 * Field25519.Limbs), Field25519.Limbs);
            }
        }
    }
}
