using Enrollment.Protocol.Crypto;
using NSecHash = NSec.Cryptography.HashAlgorithm;

namespace Enrollment.Crypto.Tests;

/// <summary>SHA-512 (FIPS 180-4): NIST example vectors plus the shared hash contract.</summary>
public sealed class Sha512Tests : HashTestsBase
{
    protected override int HashSize => Sha512.HashSize;

    protected override int BlockSize => Sha512.BlockSize;

    protected override NSecHash Reference => NSecHash.Sha512;

    protected override object Create() => new Sha512();

    protected override void Update(object hasher, byte[] data, int offset, int count) => ((Sha512)hasher).Update(data, offset, count);

    protected override void Final(object hasher, byte[] output, int offset) => ((Sha512)hasher).Final(output, offset);

    protected override void Reset(object hasher) => ((Sha512)hasher).Reset();

    protected override void StaticHash(byte[] data, int offset, int count, byte[] output, int outputOffset) =>
        Sha512.Hash(data, offset, count, output, outputOffset);

    protected override byte[] StaticHash(byte[] data) => Sha512.Hash(data);

    /// <summary>NIST CSRC "Cryptographic Standards and Guidelines: Examples with Intermediate Values", SHA-512.</summary>
    [Theory]
    [Trait("Source", "NIST FIPS 180-4 examples, SHA512.pdf")]
    [InlineData("one block, 'abc'", "abc",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    [InlineData("empty message", "",
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")]
    [InlineData("448-bit message", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445")]
    [InlineData("896-bit message, two blocks",
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")]
    public void Nist_Fips180_4_Examples(string name, string message, string expectedHex)
    {
        Assert.NotNull(name);
        AssertKnownAnswer(TestUtil.Ascii(message), expectedHex);
    }

    [Fact]
    [Trait("Source", "NIST FIPS 180-4 examples, SHA512.pdf")]
    public void Nist_Fips180_4_OneMillionA()
    {
        byte[] million = new byte[1_000_000];
        Array.Fill(million, (byte)'a');
        Assert.Equal(
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
            TestUtil.ToHex(Sha512.Hash(million)));
    }
}
