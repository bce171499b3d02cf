using Enrollment.Protocol.Crypto;
using Key = NSec.Cryptography.Key;
using KeyBlobFormat = NSec.Cryptography.KeyBlobFormat;
using KeyDerivationAlgorithm = NSec.Cryptography.KeyDerivationAlgorithm;
using MacAlgorithm = NSec.Cryptography.MacAlgorithm;
using Xunit.Abstractions;

namespace Enrollment.Crypto.Tests;

/// <summary>HKDF-SHA256 (RFC 5869): appendix A vectors, Wycheproof, libsodium differential, contract.</summary>
public sealed class HkdfSha256Tests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Source", "RFC 5869 appendix A")]
    [InlineData("A.1 basic test case with SHA-256",
        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")]
    [InlineData("A.2 test with SHA-256 and longer inputs/outputs",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
        "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
        82,
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87")]
    [InlineData("A.3 test with SHA-256 and zero-length salt/info",
        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")]
    public void Rfc5869_AppendixA(string section, string ikmHex, string saltHex, string infoHex, int length, string prkHex, string okmHex)
    {
        Assert.NotNull(section);
        byte[] ikm = TestUtil.Hex(ikmHex);
        byte[] salt = TestUtil.Hex(saltHex);
        byte[] info = TestUtil.Hex(infoHex);
        var hkdf = new HkdfSha256();
        byte[] prk = new byte[32];
        hkdf.Extract(salt, 0, salt.Length, ikm, 0, ikm.Length, prk, 0);
        Assert.Equal(prkHex, TestUtil.ToHex(prk));
        byte[] okm = new byte[length];
        hkdf.Expand(prk, 0, prk.Length, info, 0, info.Length, okm, 0, length);
        Assert.Equal(okmHex, TestUtil.ToHex(okm));
        Assert.Equal(okmHex, TestUtil.ToHex(HkdfSha256.DeriveBytes(ikm, salt, info, length)));
    }

    [Fact]
    public void Wycheproof_HkdfSha256_AllCases()
    {
        // Notes: Normal, EmptySalt (empty salt = HashLen zeros), OutputCollision and MaximalOutputSize are
        // valid and must reproduce okm; SizeTooLarge (L > 255 * HashLen, RFC 5869 2.3) is invalid and our
        // API rejects it as an argument error naming the length.
        var file = Wycheproof.Load("hkdf_sha256_test.json");
        var counter = new CaseCounter();
        var hkdf = new HkdfSha256();
        byte[] prk = new byte[32];
        foreach (var (_, test) in file.Cases())
        {
            byte[] ikm = Wycheproof.Bytes(test, "ikm");
            byte[] salt = Wycheproof.Bytes(test, "salt");
            byte[] info = Wycheproof.Bytes(test, "info");
            int size = test.GetProperty("size").GetInt32();
            string result = Wycheproof.Result(test);
            string id = "tcId " + Wycheproof.Id(test);
            if (result == "valid")
            {
                byte[] okm = new byte[size];
                hkdf.Extract(salt, 0, salt.Length, ikm, 0, ikm.Length, prk, 0);
                hkdf.Expand(prk, 0, 32, info, 0, info.Length, okm, 0, size);
                Assert.True(TestUtil.ToHex(okm) == TestUtil.ToHex(Wycheproof.Bytes(test, "okm")), id);
                Assert.Equal(okm, HkdfSha256.DeriveBytes(ikm, salt, info, size));
            }
            else
            {
                Assert.Equal("invalid", result);
                Assert.True(Wycheproof.HasFlag(test, "SizeTooLarge"), id + " is invalid for a reason this test does not know");
                hkdf.Extract(salt, 0, salt.Length, ikm, 0, ikm.Length, prk, 0);
                Assert.Equal("oLen", Assert.Throws<ArgumentOutOfRangeException>(() =>
                    hkdf.Expand(prk, 0, 32, info, 0, info.Length, new byte[size], 0, size)).ParamName);
                Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() =>
                    HkdfSha256.DeriveBytes(ikm, salt, info, size)).ParamName);
            }

            counter.Add(result);
        }

        output.WriteLine("Wycheproof hkdf_sha256_test.json: " + counter);
        Assert.True(counter.Get("valid") > 0 && counter.Get("invalid") > 0);
        Assert.Equal(file.NumberOfTests, counter.Total);
    }

    [Fact]
    public void Differential_RandomInputs_MatchLibsodium()
    {
        var random = new Random(0x4B44);
        var reference = KeyDerivationAlgorithm.HkdfSha256;
        var hkdf = new HkdfSha256();
        byte[] prk = new byte[32 + 4];
        for (int i = 0; i < 3000; i++)
        {
            int ikmLength = 1 + random.Next(100); // libsodium's HKDF rejects empty IKM
            int saltLength = random.Next(4) == 0 ? 0 : TestUtil.InterestingLength(random, 64, 130);
            int infoLength = random.Next(4) == 0 ? 0 : random.Next(100);
            int length = random.Next(8) == 0 ? random.Next(HkdfSha256.MaxOutputSize + 1) : TestUtil.InterestingLength(random, 32, 200);
            int off = random.Next(4);
            byte[] ikm = TestUtil.RandomBytes(random, off + ikmLength);
            byte[] salt = TestUtil.RandomBytes(random, off + saltLength);
            byte[] info = TestUtil.RandomBytes(random, off + infoLength);

            byte[] expectedPrk = reference.Extract(ikm.AsSpan(off, ikmLength), salt.AsSpan(off, saltLength));
            byte[] expectedOkm = reference.Expand(expectedPrk, info.AsSpan(off, infoLength), length);

            int prkOff = random.Next(4);
            hkdf.Extract(salt, off, saltLength, ikm, off, ikmLength, prk, prkOff);
            Assert.True(expectedPrk.AsSpan().SequenceEqual(prk.AsSpan(prkOff, 32)), "prk, case " + i);

            byte[] okm = new byte[off + length + 2];
            hkdf.Expand(prk, prkOff, 32, info, off, infoLength, okm, off, length);
            Assert.True(expectedOkm.AsSpan().SequenceEqual(okm.AsSpan(off, length)), "okm, case " + i);
            Assert.Equal(0, okm[^1] | okm[^2]);
        }
    }

    [Fact]
    public void NullSaltAndInfo_MeanEmpty_AndOutputMayOverwriteThePrk()
    {
        byte[] ikm = TestUtil.RandomBytes(new Random(5), 40);
        byte[] info = TestUtil.Ascii("op-0006");
        var hkdf = new HkdfSha256();
        byte[] prkNull = new byte[32];
        byte[] prkZeros = new byte[32];
        hkdf.Extract(null, 0, 0, ikm, 0, ikm.Length, prkNull, 0);
        hkdf.Extract(new byte[32], 0, 32, ikm, 0, ikm.Length, prkZeros, 0);
        Assert.Equal(prkZeros, prkNull); // RFC 5869 2.2: salt not provided = HashLen zeros

        byte[] expected = HkdfSha256.DeriveBytes(ikm, null, info, 64);
        byte[] buffer = new byte[64];
        Array.Copy(prkNull, buffer, 32);
        hkdf.Expand(buffer, 0, 32, info, 0, info.Length, buffer, 0, 64);
        Assert.Equal(expected, buffer);
        Assert.Equal(HkdfSha256.DeriveBytes(ikm, Array.Empty<byte>(), null, 10), HkdfSha256.DeriveBytes(ikm, null, Array.Empty<byte>(), 10));
    }

    [Fact]
    public void Contract_BadArguments_ThrowNamingTheParameter()
    {
        var hkdf = new HkdfSha256();
        byte[] b = new byte[32];
        Assert.Equal("prkLen", Assert.Throws<ArgumentOutOfRangeException>(() => hkdf.Expand(b, 0, 31, null, 0, 0, new byte[8], 0, 8)).ParamName);
        Assert.Equal("oLen", Assert.Throws<ArgumentOutOfRangeException>(() => hkdf.Expand(b, 0, 32, null, 0, 0, new byte[8], 0, 9)).ParamName);
        Assert.Equal("info", Assert.Throws<ArgumentNullException>(() => hkdf.Expand(b, 0, 32, null, 0, 1, new byte[8], 0, 8)).ParamName);
        Assert.Equal("prk", Assert.Throws<ArgumentException>(() => hkdf.Extract(null, 0, 0, b, 0, 1, new byte[31], 0)).ParamName);
        Assert.Equal("ikm", Assert.Throws<ArgumentNullException>(() => hkdf.Extract(b, 0, 1, null!, 0, 0, b, 0)).ParamName);
        Assert.Equal("sLen", Assert.Throws<ArgumentOutOfRangeException>(() => hkdf.Extract(b, 0, 33, b, 0, 1, b, 0)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => HkdfSha256.DeriveBytes(b, null, null, -1)).ParamName);
    }

    [Fact]
    public void InstanceDerivation_AllocatesNothing_AfterWarmUp()
    {
        var hkdf = new HkdfSha256();
        byte[] ikm = new byte[64];
        byte[] salt = new byte[32];
        byte[] info = new byte[20];
        byte[] prk = new byte[32];
        byte[] okm = new byte[96];
        hkdf.Extract(salt, 0, 32, ikm, 0, 64, prk, 0);
        hkdf.Expand(prk, 0, 32, info, 0, 20, okm, 0, 96);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            hkdf.Extract(salt, 0, 32, ikm, 0, 64, prk, 0);
            hkdf.Expand(prk, 0, 32, info, 0, 20, okm, 0, 96 - i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
