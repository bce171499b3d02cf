using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Crypto.Tests;

/// <summary>
/// The platform HMAC seam (CryptoPlatform, PlatformHkdf): a firmware's native HMAC-SHA256 is used by HKDF only
/// after it reproduces the known answers, and then gives exactly the managed results. The "native" routines
/// here are fakes: a correct one over the managed HMAC, and broken ones that each known answer must catch.
/// </summary>
[Collection(PlatformHmacCollection.Name)]
public sealed class PlatformHmacTests : IDisposable
{
    public void Dispose() => CryptoPlatform.UseManaged();

    [Theory]
    [Trait("Source", "RFC 5869 appendix A")]
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")]
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")]
    public void PlatformHkdf_ReproducesRfc5869(string ikmHex, string saltHex, string infoHex, int length, string okmHex)
    {
        var hmac = new FakeNativeHmac(FakeNativeHmac.Fault.None);
        byte[] ikm = TestUtil.Hex(ikmHex);
        byte[] okm = new byte[length + 3];
        PlatformHkdf.Derive(hmac, TestUtil.Hex(saltHex), ikm, 0, ikm.Length, TestUtil.Hex(infoHex), okm, 3, length);
        Assert.Equal(okmHex, TestUtil.ToHex(okm, 3, length));
        Assert.Equal(3, hmac.Calls); // one Extract, two Expand blocks for 42 bytes
    }

    [Fact]
    public void PlatformHkdf_MatchesManaged_AtEveryLengthAndOffset()
    {
        var random = new Random(5869);
        var hmac = new FakeNativeHmac(FakeNativeHmac.Fault.None);
        for (int round = 0; round < 200; round++)
        {
            byte[] salt = TestUtil.RandomBytes(random, random.Next(0, 80));
            byte[] ikm = TestUtil.RandomBytes(random, random.Next(0, 200));
            byte[] info = TestUtil.RandomBytes(random, random.Next(0, 100));
            int ikmOffset = random.Next(0, ikm.Length + 1);
            int ikmCount = random.Next(0, ikm.Length - ikmOffset + 1);
            int length = TestUtil.InterestingLength(random, 32, 300);

            byte[] expected = ManagedHkdf(salt, ikm, ikmOffset, ikmCount, info, length);
            byte[] actual = new byte[length + 5];
            PlatformHkdf.Derive(hmac, salt, ikm, ikmOffset, ikmCount, info, actual, 5, length);
            Assert.Equal(TestUtil.ToHex(expected), TestUtil.ToHex(actual, 5, length));
        }
    }

    [Fact]
    public void PlatformHkdf_RejectsLongOutputAndShortMacs()
    {
        var good = new FakeNativeHmac(FakeNativeHmac.Fault.None);
        byte[] prk = new byte[32];
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PlatformHkdf.Expand(good, prk, [], new byte[(255 * 32) + 1], 0, (255 * 32) + 1));
        Assert.Equal("length", tooLong.ParamName);
        Assert.Throws<InvalidOperationException>(() =>
            PlatformHkdf.Expand(new FakeNativeHmac(FakeNativeHmac.Fault.ShortMac), prk, [], new byte[32], 0, 32));
    }

    [Fact]
    public void TryUseHmac_CorrectNative_IsInstalled_AndHkdfRunsOnIt()
    {
        byte[] salt = new byte[32];
        byte[] ikm = TestUtil.RandomBytes(new Random(6), 160);
        byte[] info = TestUtil.Ascii("OP-0006 test");
        byte[] managed = new byte[64];
        CryptoBinding.Hkdf(salt, ikm, 0, ikm.Length, info, managed, 0, managed.Length);
        byte[] managedExpand = new byte[48];
        CryptoBinding.Expand(managed, info, managedExpand, 0, managedExpand.Length);

        var native = new FakeNativeHmac(FakeNativeHmac.Fault.None);
        Assert.True(CryptoPlatform.TryUseHmac(native));
        Assert.Same(native, CryptoPlatform.Hmac);
        int callsAfterCheck = native.Calls;
        Assert.True(callsAfterCheck >= 7, "the known answers ran on the native routine");

        byte[] viaNative = new byte[64];
        CryptoBinding.Hkdf(salt, ikm, 0, ikm.Length, info, viaNative, 0, viaNative.Length);
        Assert.Equal(callsAfterCheck + 3, native.Calls); // Extract + two Expand blocks
        byte[] viaNativeExpand = new byte[48];
        CryptoBinding.Expand(viaNative, info, viaNativeExpand, 0, viaNativeExpand.Length);
        Assert.Equal(callsAfterCheck + 5, native.Calls);

        Assert.Equal(TestUtil.ToHex(managed), TestUtil.ToHex(viaNative));
        Assert.Equal(TestUtil.ToHex(managedExpand), TestUtil.ToHex(viaNativeExpand));

        CryptoPlatform.UseManaged();
        Assert.Null(CryptoPlatform.Hmac);
        CryptoBinding.Hkdf(salt, ikm, 0, ikm.Length, info, viaNative, 0, viaNative.Length);
        Assert.Equal(callsAfterCheck + 5, native.Calls);
    }

    [Theory]
    [InlineData(FakeNativeHmac.Fault.FlipsABit)]       // caught by RFC 4231 case 2
    [InlineData(FakeNativeHmac.Fault.ShortMac)]        // a binding that truncates
    [InlineData(FakeNativeHmac.Fault.Throws)]          // firmware without the native assembly
    [InlineData(FakeNativeHmac.Fault.IgnoresDataPast64)] // passes RFC 4231 case 2, caught by the OP-0006-shaped check
    [InlineData(FakeNativeHmac.Fault.WrongOnAllZeroKey)] // OP-0006's zero salt mishandled: only the OP-0006-shaped check sees it
    public void TryUseHmac_BrokenNative_IsRefused_AndManagedStays(FakeNativeHmac.Fault fault)
    {
        var broken = new FakeNativeHmac(fault);
        Assert.False(CryptoPlatform.TryUseHmac(broken));
        Assert.Null(CryptoPlatform.Hmac);
        Assert.True(broken.Calls > 0, "the check called the native routine");

        int calls = broken.Calls;
        byte[] okm = new byte[32];
        CryptoBinding.Hkdf(new byte[32], new byte[64], 0, 64, [1], okm, 0, okm.Length);
        Assert.Equal(calls, broken.Calls);
        Assert.Equal(TestUtil.ToHex(ManagedHkdf(new byte[32], new byte[64], 0, 64, [1], 32)), TestUtil.ToHex(okm));
    }

    [Fact]
    public void TryUseHmac_BrokenAfterGood_KeepsTheGoodOne()
    {
        var good = new FakeNativeHmac(FakeNativeHmac.Fault.None);
        Assert.True(CryptoPlatform.TryUseHmac(good));
        Assert.False(CryptoPlatform.TryUseHmac(new FakeNativeHmac(FakeNativeHmac.Fault.FlipsABit)));
        Assert.Same(good, CryptoPlatform.Hmac);
        Assert.Throws<ArgumentNullException>(() => CryptoPlatform.TryUseHmac(null!));
    }

    private static byte[] ManagedHkdf(byte[] salt, byte[] ikm, int ikmOffset, int ikmCount, byte[] info, int length)
    {
        var hkdf = new HkdfSha256();
        byte[] prk = new byte[32];
        hkdf.Extract(salt, 0, salt.Length, ikm, ikmOffset, ikmCount, prk, 0);
        byte[] okm = new byte[length];
        hkdf.Expand(prk, 0, 32, info, 0, info.Length, okm, 0, length);
        return okm;
    }

    /// <summary>A stand-in for nanoFramework's HMACSHA256.HashData: right, or wrong in one particular way.</summary>
    public sealed class FakeNativeHmac(FakeNativeHmac.Fault fault) : IPlatformHmacSha256
    {
        public enum Fault
        {
            None,
            FlipsABit,
            ShortMac,
            Throws,
            IgnoresDataPast64,
            WrongOnAllZeroKey,
        }

        public int Calls { get; private set; }

        byte[] IPlatformHmacSha256.Compute(byte[] key, byte[] data)
        {
            Calls++;
            switch (fault)
            {
                case Fault.Throws:
                    throw new NotImplementedException("no native crypto in this firmware");
                case Fault.IgnoresDataPast64:
                    return HmacSha256.Compute(key, data.AsSpan(0, Math.Min(64, data.Length)).ToArray());
                case Fault.ShortMac:
                    return HmacSha256.Compute(key, data).AsSpan(0, 31).ToArray();
            }

            byte[] mac = HmacSha256.Compute(key, data);
            if (fault == Fault.FlipsABit || (fault == Fault.WrongOnAllZeroKey && Array.TrueForAll(key, b => b == 0)))
            {
                mac[7] ^= 0x10;
            }

            return mac;
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PlatformHmacCollection
{
    // The installed HMAC is process-wide: these tests must not overlap others that derive keys.
    public const string Name = "platform HMAC (process-wide)";
}
