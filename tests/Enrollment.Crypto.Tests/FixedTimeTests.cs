using System.Reflection;
using Enrollment.Protocol.Crypto;

namespace Enrollment.Crypto.Tests;

/// <summary>FixedTime: results, argument checks, and the NoInlining | NoOptimization flags on every helper.</summary>
public sealed class FixedTimeTests
{
    [Fact]
    public void Equals_ComparesRanges()
    {
        byte[] a = { 9, 1, 2, 3, 4 };
        byte[] b = { 1, 2, 3, 4 };
        Assert.True(FixedTime.Equals(a, 1, b, 0, 4));
        Assert.True(FixedTime.Equals(a, 0, b, 0, 0));
        for (int i = 0; i < 4; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] c = (byte[])b.Clone();
                c[i] ^= (byte)(1 << bit);
                Assert.False(FixedTime.Equals(a, 1, c, 0, 4));
            }
        }
    }

    [Fact]
    public void IsZero_AndZero()
    {
        byte[] buffer = { 0, 0, 0, 0, 0 };
        Assert.True(FixedTime.IsZero(buffer, 0, 5));
        Assert.True(FixedTime.IsZero(buffer, 5, 0));
        for (int v = 1; v < 256; v++)
        {
            buffer[3] = (byte)v;
            Assert.False(FixedTime.IsZero(buffer, 0, 5));
            Assert.True(FixedTime.IsZero(buffer, 0, 3));
        }

        byte[] secret = { 1, 2, 3, 4, 5 };
        FixedTime.Zero(secret, 1, 3);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 5 }, secret);
        FixedTime.Zero(secret);
        Assert.Equal(new byte[5], secret);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        byte[] b = new byte[4];
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => FixedTime.Equals(b, 0, b, 1, 4)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => FixedTime.Equals(null!, 0, b, 0, 0)).ParamName);
        Assert.Equal("bOffset", Assert.Throws<ArgumentOutOfRangeException>(() => FixedTime.Equals(b, 0, b, -1, 0)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => FixedTime.IsZero(b, 5, 0)).ParamName);
        Assert.Equal("buffer", Assert.Throws<ArgumentNullException>(() => FixedTime.Zero(null!)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => FixedTime.Zero(b, 2, 3)).ParamName);
    }

    [Fact]
    public void EveryHelper_IsMarkedNoInliningAndNoOptimization()
    {
        // The flags keep the JIT from inlining the loop into an early-exit compare or dropping dead stores.
        MethodInfo[] methods = typeof(FixedTime).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly);
        Assert.Equal(5, methods.Length);
        foreach (MethodInfo method in methods)
        {
            MethodImplAttributes flags = method.MethodImplementationFlags;
            Assert.True((flags & MethodImplAttributes.NoInlining) != 0, method.Name);
            Assert.True((flags & MethodImplAttributes.NoOptimization) != 0, method.Name);
        }
    }
}
