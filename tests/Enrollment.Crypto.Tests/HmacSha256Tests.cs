using Enrollment.Protocol.Crypto;
using Key = NSec.Cryptography.Key;
using KeyBlobFormat = NSec.Cryptography.KeyBlobFormat;
using KeyDerivationAlgorithm = NSec.Cryptography.KeyDerivationAlgorithm;
using MacAlgorithm = NSec.Cryptography.MacAlgorithm;
using Xunit.Abstractions;

namespace Enrollment.Crypto.Tests;

/// <summary>HMAC-SHA256 (RFC 2104): RFC 4231 vectors, Wycheproof, libsodium differential, contract.</summary>
public sealed class HmacSha256Tests(ITestOutputHelper output)
{
    /// <summary>RFC 4231 section 4.2-4.8, test cases 1-7 (HMAC-SHA-256 column). Case 5 is truncated to 128 bits.</summary>
    [Theory]
    [Trait("Source", "RFC 4231 section 4")]
    [InlineData("4.2 test case 1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
    [InlineData("4.3 test case 2", "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [InlineData("4.4 test case 3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")]
    [InlineData("4.5 test case 4", "0102030405060708090a0b0c0d0e0f10111213141516171819",
        "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")]
    [InlineData("4.6 test case 5 (truncated to 128 bits)", "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
        "546573742057697468205472756e636174696f6e", "a3b6167473100ee06e0c796c2955552b")]
    [InlineData("4.7 test case 6", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
    [InlineData("4.8 test case 7", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")]
    public void Rfc4231_TestCases(string section, string keyHex, string dataHex, string expectedHex)
    {
        Assert.NotNull(section);
        byte[] mac = HmacSha256.Compute(TestUtil.Hex(keyHex), TestUtil.Hex(dataHex));
        Assert.Equal(expectedHex, TestUtil.ToHex(mac, 0, expectedHex.Length / 2));
    }

    [Fact]
    public void Wycheproof_HmacSha256_AllCases()
    {
        // Notes: "ModifiedTag" cases are invalid (a verifier comparing the full, or the truncated, tag must
        // reject them); "Pseudorandom" cases are valid. tagSize 128 groups compare a truncated MAC.
        var file = Wycheproof.Load("hmac_sha256_test.json");
        var counter = new CaseCounter();
        var hmac = new HmacSha256();
        byte[] mac = new byte[HmacSha256.MacSize];
        foreach (var (group, test) in file.Cases())
        {
            int tagBytes = group.GetProperty("tagSize").GetInt32() / 8;
            byte[] key = Wycheproof.Bytes(test, "key");
            byte[] msg = Wycheproof.Bytes(test, "msg");
            byte[] tag = Wycheproof.Bytes(test, "tag");
            hmac.Init(key, 0, key.Length);
            hmac.Update(msg, 0, msg.Length);
            hmac.Final(mac, 0);
            bool matches = tag.Length == tagBytes && FixedTime.Equals(mac, 0, tag, 0, tagBytes);
            string result = Wycheproof.Result(test);
            Assert.True(matches == (result == "valid"), "tcId " + Wycheproof.Id(test) + " expected " + result);
            counter.Add(result);
        }

        output.WriteLine("Wycheproof hmac_sha256_test.json: " + counter);
        Assert.True(counter.Get("valid") > 0 && counter.Get("invalid") > 0);
        Assert.Equal(file.NumberOfTests, counter.Total);
    }

    [Fact]
    public void Differential_RandomInputs_MatchLibsodium()
    {
        var random = new Random(0x4D4C);
        var hmac = new HmacSha256();
        byte[] ours = new byte[HmacSha256.MacSize + 8];

        // libsodium through NSec: MacAlgorithm.HmacSha256 takes 32-byte keys only; any key length goes
        // through HKDF-Extract, which is HMAC(salt = key, ikm = data) for non-empty data (RFC 5869 2.2).
        var extract = KeyDerivationAlgorithm.HkdfSha256;
        for (int i = 0; i < 3000; i++)
        {
            bool fixedKey = i % 2 == 0;
            int keyLength = fixedKey ? 32 : TestUtil.InterestingLength(random, 64, 200);
            int dataLength = TestUtil.InterestingLength(random, 64, 300);
            if (!fixedKey && dataLength == 0)
            {
                dataLength = 1;
            }

            int keyOffset = random.Next(5);
            int dataOffset = random.Next(5);
            int outOffset = random.Next(8);
            byte[] key = TestUtil.RandomBytes(random, keyOffset + keyLength + 3);
            byte[] data = TestUtil.RandomBytes(random, dataOffset + dataLength + 3);
            byte[] expected;
            if (fixedKey)
            {
                using var nsecKey = Key.Import(MacAlgorithm.HmacSha256, key.AsSpan(keyOffset, keyLength), KeyBlobFormat.RawSymmetricKey);
                expected = MacAlgorithm.HmacSha256.Mac(nsecKey, data.AsSpan(dataOffset, dataLength));
            }
            else
            {
                expected = extract.Extract(data.AsSpan(dataOffset, dataLength), key.AsSpan(keyOffset, keyLength));
            }

            hmac.Init(key, keyOffset, keyLength);
            hmac.Update(data, dataOffset, dataLength);
            hmac.Final(ours, outOffset);
            Assert.True(expected.AsSpan().SequenceEqual(ours.AsSpan(outOffset, 32)), "case " + i);

            byte[] viaStatic = new byte[32];
            HmacSha256.Compute(key, keyOffset, keyLength, data, dataOffset, dataLength, viaStatic, 0);
            Assert.Equal(expected, viaStatic);
        }
    }

    [Fact]
    public void SameKey_SecondMessage_AfterFinal_AndIncrementalSplits()
    {
        var random = new Random(77);
        byte[] key = TestUtil.RandomBytes(random, 40);
        byte[] data = TestUtil.RandomBytes(random, 500);
        var hmac = new HmacSha256();
        hmac.Init(key, 0, key.Length);
        byte[] mac = new byte[32];
        for (int round = 0; round < 50; round++)
        {
            int length = random.Next(data.Length + 1);
            int position = 0;
            while (position < length)
            {
                int chunk = random.Next(0, Math.Min(70, length - position) + 1);
                hmac.Update(data, position, chunk);
                position += chunk;
            }

            hmac.Final(mac, 0);
            byte[] oneShot = new byte[32];
            HmacSha256.Compute(key, 0, key.Length, data, 0, length, oneShot, 0);
            Assert.Equal(oneShot, mac);
        }
    }

    [Fact]
    public void Contract_BadArguments_AndUseBeforeInit()
    {
        var hmac = new HmacSha256();
        byte[] buffer = new byte[8];
        Assert.Throws<InvalidOperationException>(() => hmac.Update(buffer, 0, 1));
        Assert.Throws<InvalidOperationException>(() => hmac.Final(new byte[32], 0));
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => hmac.Init(null!, 0, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => hmac.Init(buffer, 4, 5)).ParamName);
        hmac.Init(buffer, 0, 8);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => hmac.Update(buffer, 9, 0)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => hmac.Final(new byte[31], 0)).ParamName);
        Assert.Equal("dLen", Assert.Throws<ArgumentOutOfRangeException>(() =>
            HmacSha256.Compute(buffer, 0, 8, buffer, 0, 9, new byte[32], 0)).ParamName);
        Assert.Equal("oOff", Assert.Throws<ArgumentOutOfRangeException>(() =>
            HmacSha256.Compute(buffer, 0, 8, buffer, 0, 8, new byte[32], 33)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => HmacSha256.Compute(buffer, null!)).ParamName);
        hmac.Clear();
        Assert.Throws<InvalidOperationException>(() => hmac.Final(new byte[32], 0));
    }

    [Fact]
    public void InstanceMac_AllocatesNothing_AfterWarmUp()
    {
        var hmac = new HmacSha256();
        byte[] key = new byte[100];
        byte[] data = new byte[300];
        byte[] mac = new byte[32];
        hmac.Init(key, 0, key.Length);
        hmac.Update(data, 0, data.Length);
        hmac.Final(mac, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            hmac.Init(key, 0, 20 + i * 8);
            hmac.Update(data, 0, i * 30);
            hmac.Final(mac, 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
