using Enrollment.Protocol.Crypto;
using System.Numerics;
using static Enrollment.Crypto.Tests.Curve.CurveTestSupport;

namespace Enrollment.Crypto.Tests.Curve;

/// <summary>Arithmetic mod L (RFC 8032 s5.1) against BigInteger and libsodium's scalar functions.</summary>
public sealed class Scalar25519Tests
{
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    private static BigInteger Num(byte[] le) => new(le, isUnsigned: true, isBigEndian: false);

    private static byte[] Bytes32(BigInteger v)
    {
        var b = new byte[32];
        v.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
        return b;
    }

    [Fact]
    public void Constants_are_L_and_L_minus_1()
    {
        Assert.Equal(L, Num(Scalar25519.L));
        Assert.Equal(L - 1, Num(Scalar25519.MinusOne));
    }

    [Fact]
    public void Reduce64_matches_BigInteger_and_libsodium_on_random_and_edge_inputs()
    {
        Sodium.Init();
        var rng = Rng(8032);
        var ws = new Curve25519Workspace();
        var ours = new byte[32];
        var theirs = new byte[32];
        var inputs = new List<byte[]>();
        for (int i = 0; i < 2000; i++) inputs.Add(RandomBytes(rng, 64));
        inputs.Add(new byte[64]);
        inputs.Add(Enumerable.Repeat((byte)0xff, 64).ToArray());
        foreach (var v in new[] { L - 1, L, L + 1, 2 * L, BigInteger.Pow(2, 256) - 1, BigInteger.Pow(2, 253), L * L - 1, L * L })
        {
            var b = new byte[64];
            v.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
            inputs.Add(b);
        }

        foreach (var s in inputs)
        {
            Scalar25519.Reduce64(ours, 0, s, 0, ws.Wide);
            Assert.Equal(Num(s) % L, Num(ours));
            Sodium.crypto_core_ed25519_scalar_reduce(theirs, s);
            Assert.Equal(ToHex(theirs), ToHex(ours));
        }
    }

    [Fact]
    public void MulAdd_matches_BigInteger_including_unreduced_and_extreme_inputs()
    {
        var rng = Rng(5);
        var ws = new Curve25519Workspace();
        var r = new byte[32];
        var ff = Enumerable.Repeat((byte)0xff, 32).ToArray();
        for (int i = 0; i < 2000; i++)
        {
            byte[] a = RandomBytes(rng, 32), b = RandomBytes(rng, 32), c = RandomBytes(rng, 32);
            if (i == 0) { a = ff; b = ff; c = ff; }
            if (i == 1) { a = Scalar25519.MinusOne; b = Scalar25519.MinusOne; c = Scalar25519.MinusOne; }
            Scalar25519.MulAdd(r, 0, a, 0, b, 0, c, 0, ws.Wide);
            Assert.Equal((Num(a) * Num(b) + Num(c)) % L, Num(r));
        }
    }

    [Fact]
    public void MulAdd_matches_libsodium_scalar_mul_and_add()
    {
        Sodium.Init();
        var rng = Rng(6);
        var ws = new Curve25519Workspace();
        var ours = new byte[32];
        var prod = new byte[32];
        var theirs = new byte[32];
        for (int i = 0; i < 1000; i++)
        {
            byte[] a = Bytes32(Num(RandomBytes(rng, 32)) % L), b = Bytes32(Num(RandomBytes(rng, 32)) % L), c = Bytes32(Num(RandomBytes(rng, 32)) % L);
            Scalar25519.MulAdd(ours, 0, a, 0, b, 0, c, 0, ws.Wide);
            Sodium.crypto_core_ed25519_scalar_mul(prod, a, b);
            Sodium.crypto_core_ed25519_scalar_add(theirs, prod, c);
            Assert.Equal(ToHex(theirs), ToHex(ours));
        }
    }

    [Fact]
    public void IsCanonical_is_s_below_L()
    {
        Assert.True(Scalar25519.IsCanonical(new byte[32], 0));
        Assert.True(Scalar25519.IsCanonical(Scalar25519.MinusOne, 0));
        Assert.False(Scalar25519.IsCanonical(Scalar25519.L, 0));
        Assert.False(Scalar25519.IsCanonical(Bytes32(L + 1), 0));
        Assert.False(Scalar25519.IsCanonical(Bytes32(BigInteger.Pow(2, 253)), 0));
        Assert.True(Scalar25519.IsCanonical(Bytes32(BigInteger.Pow(2, 252)), 0));
    }
}
