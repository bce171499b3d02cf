using Enrollment.Protocol.Crypto;
using System.Numerics;
using static Enrollment.Crypto.Tests.Curve.CurveTestSupport;

namespace Enrollment.Crypto.Tests.Curve;

/// <summary>GF(2^255 - 19) (Field25519) against BigInteger, including unreduced and non-canonical inputs.</summary>
public sealed class Field25519Tests
{
    private static int[] Fe(BigInteger v)
    {
        var h = Field25519.New();
        Field25519.FromBytes(h, Le32(v), 0);
        return h;
    }

    private static BigInteger Value(int[] h)
    {
        var b = new byte[32];
        Field25519.ToBytes(b, 0, h);
        var v = Num(b);
        Assert.True(v < P, "ToBytes must be canonical");
        return v;
    }

    private static IEnumerable<BigInteger> Inputs(Random rng, int count)
    {
        yield return BigInteger.Zero;
        yield return BigInteger.One;
        yield return P - 1;
        yield return P;                                   // non-canonical encodings of 0..18
        yield return P + 18;
        yield return BigInteger.Pow(2, 255) - 1;
        yield return BigInteger.Pow(2, 254);
        for (int i = 0; i < count; i++)
        {
            var b = RandomBytes(rng, 32);
            b[31] &= 0x7f;
            yield return Num(b);
        }
    }

    [Fact]
    public void Mul_square_and_their_unreduced_inputs_match_BigInteger()
    {
        var rng = Rng(255);
        var xs = Inputs(rng, 300).ToList();
        var ys = Inputs(rng, 300).Reverse().ToList();
        var h = Field25519.New();
        var s = Field25519.New();
        var d = Field25519.New();
        for (int i = 0; i < xs.Count; i++)
        {
            BigInteger x = xs[i], y = ys[i];
            Field25519.Mul(h, Fe(x), Fe(y));
            Assert.Equal(x * y % P, Value(h));
            Field25519.Square(h, Fe(x));
            Assert.Equal(x * x % P, Value(h));
            Field25519.SquareDouble(h, Fe(x));
            Assert.Equal(2 * x * x % P, Value(h));

            // One unreduced Add/Sub level feeding Mul/Square, as the ladder and the group law do.
            Field25519.Add(s, Fe(x), Fe(y));
            Field25519.Sub(d, Fe(x), Fe(y));
            Field25519.Mul(h, s, d);
            Assert.Equal(((x + y) * (x - y) % P + P) % P, Value(h));
            Field25519.Square(h, d);
            Assert.Equal((x - y) * (x - y) % P, Value(h));
            Field25519.MulSmall(h, s, 121666);
            Assert.Equal((x + y) * 121666 % P, Value(h));
        }
    }

    [Fact]
    public void Invert_and_pow22523_match_BigInteger()
    {
        var rng = Rng(19);
        var h = Field25519.New();
        int[] t0 = Field25519.New(), t1 = Field25519.New(), t2 = Field25519.New(), t3 = Field25519.New();
        foreach (var x in Inputs(rng, 40))
        {
            Field25519.Invert(h, Fe(x), t0, t1, t2, t3);
            Assert.Equal(BigInteger.ModPow(x % P, P - 2, P), Value(h));
            Field25519.Pow22523(h, Fe(x), t0, t1, t2, t3);
            Assert.Equal(BigInteger.ModPow(x % P, (P - 5) / 8, P), Value(h));
        }
    }

    [Fact]
    public void FromBytes_ignores_bit_255_and_ToBytes_reduces_non_canonical_values()
    {
        var b = Le32(P + 5);
        b[31] |= 0x80;
        var h = Field25519.New();
        Field25519.FromBytes(h, b, 0);
        Assert.Equal(new BigInteger(5), Value(h));
    }

    [Fact]
    public void Conditional_swap_and_move_select_by_bit()
    {
        int[] a = Fe(7), b = Fe(P - 3);
        Field25519.CSwap(a, b, 0);
        Assert.Equal(new BigInteger(7), Value(a));
        Field25519.CSwap(a, b, 1);
        Assert.Equal(P - 3, Value(a));
        Assert.Equal(new BigInteger(7), Value(b));
        Field25519.CMove(a, b, 0);
        Assert.Equal(P - 3, Value(a));
        Field25519.CMove(a, b, 1);
        Assert.Equal(new BigInteger(7), Value(a));
    }

    /// <summary>The shipped assembly is built without FIELD_OP_COUNT: counting calls are compiled out.</summary>
    [Fact]
    public void Field_op_counting_is_compiled_out_of_the_shipped_assembly()
    {
        Assert.False(FieldOpCounter.Enabled);
        FieldOpCounter.Reset();
        X25519.ScalarMultBase(new byte[32]);
        Assert.Equal(0, FieldOpCounter.Multiplications + FieldOpCounter.Squarings + FieldOpCounter.SmallMultiplications);
    }
}
