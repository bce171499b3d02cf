using Enrollment.Protocol.Crypto;
using NSecHash = NSec.Cryptography.HashAlgorithm;

namespace Enrollment.Crypto.Tests;

/// <summary>SHA-256 (FIPS 180-4): NIST example vectors plus the shared hash contract.</summary>
public sealed class Sha256Tests : HashTestsBase
{
    protected override int HashSize => Sha256.HashSize;

    protected override int BlockSize => Sha256.BlockSize;

    protected override NSecHash Reference => NSecHash.Sha256;

    protected override object Create() => new Sha256();

    protected override void Update(object hasher, byte[] data, int offset, int count) => ((Sha256)hasher).Update(data, offset, count);

    protected override void Final(object hasher, byte[] output, int offset) => ((Sha256)hasher).Final(output, offset);

    protected override void Reset(object hasher) => ((Sha256)hasher).Reset();

    protected override void StaticHash(byte[] data, int offset, int count, byte[] output, int outputOffset) =>
        Sha256.Hash(data, offset, count, output, outputOffset);

    protected override byte[] StaticHash(byte[] data) => Sha256.Hash(data);

    /// <summary>NIST CSRC "Cryptographic Standards and Guidelines: Examples with Intermediate Values", SHA-256.</summary>
    [Theory]
    [Trait("Source", "NIST FIPS 180-4 examples, SHA256.pdf")]
    [InlineData("one block, 'abc'", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("empty message", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("448-bit message, two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    [InlineData("896-bit message",
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")]
    public void Nist_Fips180_4_Examples(string name, string message, string expectedHex)
    {
        Assert.NotNull(name);
        AssertKnownAnswer(TestUtil.Ascii(message), expectedHex);
    }

    [Fact]
    [Trait("Source", "NIST FIPS 180-4 examples, SHA256.pdf")]
    public void Nist_Fips180_4_OneMillionA()
    {
        byte[] million = new byte[1_000_000];
        Array.Fill(million, (byte)'a');
        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", TestUtil.ToHex(Sha256.Hash(million)));
    }
}
