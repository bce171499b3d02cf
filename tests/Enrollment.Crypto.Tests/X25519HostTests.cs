using System.Numerics;
using Enrollment.Protocol.Crypto;
using Xunit.Abstractions;
using static Enrollment.Crypto.Tests.Curve.CurveTestSupport;

namespace Enrollment.Crypto.Tests.Curve;

/// <summary>
/// The host-only X25519 ladder (Field51, five 51-bit limbs; X25519.Host.cs) is a second implementation
/// of what the device runs (Field25519, ten limbs). These tests prove the two equal: every RFC 7748 and
/// Wycheproof vector through each of them separately, thousands of random inputs through both, and the
/// 51-bit field against BigInteger at the limb bounds its comments claim.
/// </summary>
public sealed class X25519HostTests(ITestOutputHelper output)
{
    private delegate void X25519Impl(byte[] scalar, byte[] u, byte[] result);

    /// <summary>The two ladders under test, each reached directly (not through the runtime choice).</summary>
    public static TheoryData<string> Implementations => new() { "host", "portable" };

    private static X25519Impl Impl(string name)
    {
        var ws = new Curve25519Workspace();
        var k = new byte[32];
        return name switch
        {
            "host" => (scalar, u, result) =>
            {
                X25519.Clamp(k, scalar, 0);
                X25519.Ladder51(k, u, 0, result, 0);
            },
            "portable" => (scalar, u, result) => ws.ScalarMultPortable(scalar, 0, u, 0, result, 0),
            _ => throw new ArgumentException(name, nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Rfc7748_5_2_vectors_and_1000_iterations(string name)
    {
        var x = Impl(name);
        var r = new byte[32];
        x(Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), r);
        Assert.Equal("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", ToHex(r));
        x(Hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
            Hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"), r);
        Assert.Equal("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957", ToHex(r));

        // RFC 7748 s5.2 iterated: k = u = 9, then (k, u) = (X25519(k, u), k); after 1 and 1,000 rounds.
        byte[] k = Hex("0900000000000000000000000000000000000000000000000000000000000000");
        byte[] u = (byte[])k.Clone();
        for (int i = 1; i <= 1000; i++)
        {
            x(k, u, r);
            Array.Copy(k, u, 32);
            Array.Copy(r, k, 32);
            if (i == 1)
                Assert.Equal("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", ToHex(k));
        }

        Assert.Equal("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", ToHex(k));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Wycheproof_x25519_every_case(string name)
    {
        var x = Impl(name);
        using var doc = LoadVectors("wycheproof/x25519_test.json");
        var r = new byte[32];
        int count = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                // Every case is "valid" or "acceptable" with a defined RFC 7748 result (see X25519Tests).
                x(Hex(t.GetProperty("private").GetString()!), Hex(t.GetProperty("public").GetString()!), r);
                Assert.True(t.GetProperty("shared").GetString() == ToHex(r), $"{name} tcId {t.GetProperty("tcId").GetInt32()}");
                count++;
            }
        }

        output.WriteLine($"wycheproof x25519 through the {name} ladder: {count} cases equal");
        Assert.Equal(518, count);
    }

    [Fact]
    public void Host_and_portable_ladders_agree_on_random_inputs()
    {
        const int seed = 5151;
        var rng = Rng(seed);
        var host = Impl("host");
        var portable = Impl("portable");
        byte[] a = new byte[32], b = new byte[32];
        const int n = 4000;
        for (int i = 0; i < n; i++)
        {
            byte[] k = RandomBytes(rng, 32);
            byte[] u = RandomBytes(rng, 32);
            switch (i % 5)
            {
                case 1: u[31] |= 0x80; break;                                   // top bit must be masked
                case 2: u = Le32(P + rng.Next(19)); break;                      // non-canonical p .. p + 18
                case 3: u = Le32(BigInteger.Pow(2, 255) - 1 - rng.Next(64)); break; // near 2^255
                case 4: Array.Clear(u, rng.Next(1, 24), rng.Next(1, 9)); break; // runs of zero bytes
                default: break;
            }

            host(k, u, a);
            portable(k, u, b);
            Assert.True(a.AsSpan().SequenceEqual(b), $"seed {seed} i {i}: k {ToHex(k)} u {ToHex(u)}");
        }

        output.WriteLine($"host vs portable ladder: {n} random inputs equal (seed {seed})");
    }

    [Fact]
    public void Public_entry_points_give_the_portable_result()
    {
        var rng = Rng(3);
        var ws = new Curve25519Workspace();
        byte[] r = new byte[32], expected = new byte[32];
        for (int i = 0; i < 50; i++)
        {
            byte[] k = RandomBytes(rng, 32), u = RandomBytes(rng, 32);
            ws.ScalarMultPortable(k, 0, u, 0, expected, 0);
            ws.ScalarMult(k, 0, u, 0, r, 0);
            Assert.Equal(ToHex(expected), ToHex(r));
            Assert.Equal(ToHex(expected), ToHex(X25519.ScalarMult(k, u)));
        }
    }

    [Fact]
    public void Scalar_multiplications_allocate_nothing_over_many_calls()
    {
        var rng = Rng(4);
        var ws = new Curve25519Workspace();
        byte[] k = RandomBytes(rng, 32), u = RandomBytes(rng, 32), r = new byte[32];
        ws.ScalarMult(k, 0, u, 0, r, 0);
        ws.ScalarMultPortable(k, 0, u, 0, r, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++)
        {
            ws.ScalarMult(k, 0, u, 0, r, 0);
            ws.ScalarMultPortable(k, 0, r, 0, u, 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Field51_matches_BigInteger_at_its_limb_bounds()
    {
        var rng = Rng(51);
        var values = new List<BigInteger>
        {
            BigInteger.Zero, BigInteger.One, P - 1, P, P + 18, BigInteger.Pow(2, 255) - 1, BigInteger.Pow(2, 254),
        };
        for (int i = 0; i < 300; i++)
        {
            var b = RandomBytes(rng, 32);
            b[31] &= 0x7f;
            values.Add(Num(b));
        }

        for (int i = 0; i < values.Count; i++)
        {
            BigInteger x = values[i], y = values[values.Count - 1 - i];
            Field51.FromBytes(out Fe51 fx, Le32(x), 0);
            Field51.FromBytes(out Fe51 fy, Le32(y), 0);
            Assert.Equal(x % P, Value(fx));
            Field51.Mul(out Fe51 h, fx, fy);
            Assert.Equal(x * y % P, Value(h));
            Field51.Square(out h, fx);
            Assert.Equal(x * x % P, Value(h));

            // The ladder's unreduced inputs: a Sub (limbs < 2^53) and an Add (< 2^52) of reduced outputs.
            Field51.Mul(out Fe51 rx, fx, One());
            Field51.Mul(out Fe51 ry, fy, One());
            Field51.Sub(out Fe51 d, rx, ry);
            Field51.Add(out Fe51 s, rx, ry);
            Field51.Mul(out h, d, s);
            Assert.Equal(((x - y) * (x + y) % P + P) % P, Value(h));
            Field51.Square(out h, d);
            Assert.Equal((x - y) * (x - y) % P, Value(h));
            Field51.Mul121666(out h, d);
            Assert.Equal(((x - y) * 121666 % P + P) % P, Value(h));
            Field51.Invert(out h, fx);
            Assert.Equal(BigInteger.ModPow(x, P - 2, P), Value(h));
        }

        // Every limb at the largest value Mul, Square and Mul121666 accept (2^53 - 1), and the largest
        // reduced output (2^51 + 2^13) under Sub's 2p offset.
        var max = new Fe51 { L0 = (1UL << 53) - 1, L1 = (1UL << 53) - 1, L2 = (1UL << 53) - 1, L3 = (1UL << 53) - 1, L4 = (1UL << 53) - 1 };
        BigInteger vmax = Limbs(max);
        Field51.Mul(out Fe51 m, max, max);
        Assert.Equal(vmax * vmax % P, Value(m));
        Field51.Square(out m, max);
        Assert.Equal(vmax * vmax % P, Value(m));
        Field51.Mul121666(out m, max);
        Assert.Equal(vmax * 121666 % P, Value(m));
        ulong top = (1UL << 51) + (1UL << 13);
        var big = new Fe51 { L0 = top, L1 = top, L2 = top, L3 = top, L4 = top };
        Field51.Sub(out Fe51 z, default, big);
        Assert.Equal(((-Limbs(big)) % P + P) % P, Value(z));
    }

    private static Fe51 One()
    {
        Field51.One(out Fe51 one);
        return one;
    }

    private static BigInteger Limbs(Fe51 f) =>
        f.L0 + ((BigInteger)f.L1 << 51) + ((BigInteger)f.L2 << 102) + ((BigInteger)f.L3 << 153) + ((BigInteger)f.L4 << 204);

    /// <summary>The value of f through ToBytes, which must be canonical and equal the limbs' value mod p.</summary>
    private static BigInteger Value(Fe51 f)
    {
        var b = new byte[32];
        Field51.ToBytes(b, 0, f);
        var v = Num(b);
        Assert.True(v < P, "ToBytes must be canonical");
        Assert.Equal(Limbs(f) % P, v);
        return v;
    }
}
