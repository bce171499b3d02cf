namespace Enrollment.Service.Domain;

/// <summary>
/// y = (u - 1) / (u + 1) mod p, p = 2^255 - 19: the Montgomery-to-Edwards map XEdDSA verification needs
/// (Signal XEdDSA spec rev 1, section 2.6; RFC 7748 section 4.1). Radix 2^51 field arithmetic (five 64-bit
/// limbs, products in 128 bits) and the ref10 addition chain for z^(p-2). Public inputs only (a public
/// key), so nothing here needs to be constant time; it replaces a BigInteger ModPow that cost ~0.5 ms.
/// </summary>
internal static class Field25519Inverse
{
    private const ulong Mask = (1UL << 51) - 1;

    /// <summary>False when u + 1 = 0 mod p (no Edwards point). u is the 32-byte little-endian value with bit 255 clear, u &lt; p.</summary>
    public static bool TryMontgomeryToEdwardsY(ReadOnlySpan<byte> u, Span<byte> y)
    {
        Span<ulong> a = stackalloc ulong[5];
        Span<ulong> one = stackalloc ulong[5];
        Span<ulong> num = stackalloc ulong[5];
        Span<ulong> den = stackalloc ulong[5];
        Span<ulong> inv = stackalloc ulong[5];
        Load(u, a);
        one.Clear();
        one[0] = 1;
        Sub(a, one, num);
        Add(a, one, den);
        Span<byte> denBytes = stackalloc byte[32];
        Store(den, denBytes);
        if (!denBytes.ContainsAnyExcept((byte)0))
        {
            return false;
        }

        Invert(den, inv);
        Mul(num, inv, a);
        Store(a, y);
        return true;
    }

    private static void Load(ReadOnlySpan<byte> s, Span<ulong> h)
    {
        // Limb i holds bits 51i .. 51i+50; bit 255 is dropped.
        h[0] = BitConverter.ToUInt64(s[..8]) & Mask;
        h[1] = (BitConverter.ToUInt64(s.Slice(6, 8)) >> 3) & Mask;
        h[2] = (BitConverter.ToUInt64(s.Slice(12, 8)) >> 6) & Mask;
        h[3] = (BitConverter.ToUInt64(s.Slice(19, 8)) >> 1) & Mask;
        h[4] = (BitConverter.ToUInt64(s.Slice(24, 8)) >> 12) & Mask;
    }

    private static void Add(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> r)
    {
        for (var i = 0; i < 5; i++)
        {
            r[i] = a[i] + b[i];
        }
    }

    private static void Sub(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> r)
    {
        // a + 2p - b keeps every limb positive (limbs are below 2^52 here).
        r[0] = a[0] + 0xFFFFFFFFFFFDAUL - b[0];
        for (var i = 1; i < 5; i++)
        {
            r[i] = a[i] + 0xFFFFFFFFFFFFEUL - b[i];
        }
    }

    private static void Mul(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> r)
    {
        ulong b1 = b[1] * 19, b2 = b[2] * 19, b3 = b[3] * 19, b4 = b[4] * 19;
        var t0 = (UInt128)a[0] * b[0] + (UInt128)a[1] * b4 + (UInt128)a[2] * b3 + (UInt128)a[3] * b2 + (UInt128)a[4] * b1;
        var t1 = (UInt128)a[0] * b[1] + (UInt128)a[1] * b[0] + (UInt128)a[2] * b4 + (UInt128)a[3] * b3 + (UInt128)a[4] * b2;
        var t2 = (UInt128)a[0] * b[2] + (UInt128)a[1] * b[1] + (UInt128)a[2] * b[0] + (UInt128)a[3] * b4 + (UInt128)a[4] * b3;
        var t3 = (UInt128)a[0] * b[3] + (UInt128)a[1] * b[2] + (UInt128)a[2] * b[1] + (UInt128)a[3] * b[0] + (UInt128)a[4] * b4;
        var t4 = (UInt128)a[0] * b[4] + (UInt128)a[1] * b[3] + (UInt128)a[2] * b[2] + (UInt128)a[3] * b[1] + (UInt128)a[4] * b[0];
        t1 += t0 >> 51;
        var r0 = (ulong)t0 & Mask;
        t2 += t1 >> 51;
        var r1 = (ulong)t1 & Mask;
        t3 += t2 >> 51;
        var r2 = (ulong)t2 & Mask;
        t4 += t3 >> 51;
        var r3 = (ulong)t3 & Mask;
        r0 += (ulong)(t4 >> 51) * 19;
        var r4 = (ulong)t4 & Mask;
        r1 += r0 >> 51;
        r0 &= Mask;
        r[0] = r0;
        r[1] = r1;
        r[2] = r2;
        r[3] = r3;
        r[4] = r4;
    }

    private static void SquareTimes(Span<ulong> a, int n)
    {
        for (var i = 0; i < n; i++)
        {
            Mul(a, a, a);
        }
    }

    /// <summary>z^(p-2) = z^(2^255 - 21) with the ref10 chain (fe_invert).</summary>
    private static void Invert(ReadOnlySpan<ulong> z, Span<ulong> r)
    {
        Span<ulong> z2 = stackalloc ulong[5], z9 = stackalloc ulong[5], z11 = stackalloc ulong[5], z2_5 = stackalloc ulong[5];
        Span<ulong> z2_10 = stackalloc ulong[5], z2_20 = stackalloc ulong[5], z2_50 = stackalloc ulong[5], z2_100 = stackalloc ulong[5];
        Span<ulong> t = stackalloc ulong[5];
        Mul(z, z, z2);                       // 2
        z2.CopyTo(t);
        SquareTimes(t, 2);                   // 8
        Mul(t, z, z9);                       // 9
        Mul(z9, z2, z11);                    // 11
        Mul(z11, z11, t);                    // 22
        Mul(t, z9, z2_5);                    // 2^5 - 1
        z2_5.CopyTo(t);
        SquareTimes(t, 5);
        Mul(t, z2_5, z2_10);                 // 2^10 - 1
        z2_10.CopyTo(t);
        SquareTimes(t, 10);
        Mul(t, z2_10, z2_20);                // 2^20 - 1
        z2_20.CopyTo(t);
        SquareTimes(t, 20);
        Mul(t, z2_20, t);                    // 2^40 - 1
        SquareTimes(t, 10);
        Mul(t, z2_10, z2_50);                // 2^50 - 1
        z2_50.CopyTo(t);
        SquareTimes(t, 50);
        Mul(t, z2_50, z2_100);               // 2^100 - 1
        z2_100.CopyTo(t);
        SquareTimes(t, 100);
        Mul(t, z2_100, t);                   // 2^200 - 1
        SquareTimes(t, 50);
        Mul(t, z2_50, t);                    // 2^250 - 1
        SquareTimes(t, 5);                   // 2^255 - 32
        Mul(t, z11, r);                      // 2^255 - 21
    }

    /// <summary>Fully reduced little-endian encoding (curve25519-donna's fcontract).</summary>
    private static void Store(ReadOnlySpan<ulong> h, Span<byte> s)
    {
        ulong t0 = h[0], t1 = h[1], t2 = h[2], t3 = h[3], t4 = h[4];
        for (var pass = 0; pass < 2; pass++)
        {
            t1 += t0 >> 51; t0 &= Mask;
            t2 += t1 >> 51; t1 &= Mask;
            t3 += t2 >> 51; t2 &= Mask;
            t4 += t3 >> 51; t3 &= Mask;
            t0 += (t4 >> 51) * 19; t4 &= Mask;
        }

        // Now t < 2^255 + 19 * small; add 19 to detect t >= p, then subtract 2^255 (drop the bit) and the 19.
        t0 += 19;
        t1 += t0 >> 51; t0 &= Mask;
        t2 += t1 >> 51; t1 &= Mask;
        t3 += t2 >> 51; t2 &= Mask;
        t4 += t3 >> 51; t3 &= Mask;
        t0 += (t4 >> 51) * 19; t4 &= Mask;
        t0 += 0x8000000000000UL - 19;
        t1 += 0x8000000000000UL - 1;
        t2 += 0x8000000000000UL - 1;
        t3 += 0x8000000000000UL - 1;
        t4 += 0x8000000000000UL - 1;
        t1 += t0 >> 51; t0 &= Mask;
        t2 += t1 >> 51; t1 &= Mask;
        t3 += t2 >> 51; t2 &= Mask;
        t4 += t3 >> 51; t3 &= Mask;
        t4 &= Mask;

        var lo0 = t0 | (t1 << 51);
        var lo1 = (t1 >> 13) | (t2 << 38);
        var lo2 = (t2 >> 26) | (t3 << 25);
        var lo3 = (t3 >> 39) | (t4 << 12);
        BitConverter.TryWriteBytes(s[..8], lo0);
        BitConverter.TryWriteBytes(s.Slice(8, 8), lo1);
        BitConverter.TryWriteBytes(s.Slice(16, 8), lo2);
        BitConverter.TryWriteBytes(s.Slice(24, 8), lo3);
    }
}
