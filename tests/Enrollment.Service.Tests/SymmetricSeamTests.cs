using System.Security.Cryptography;
using Enrollment.Protocol.Crypto;
using Enrollment.Service.Protocol;

namespace Enrollment.Service.Tests;

/// <summary>
/// The libsodium symmetric half of the service's primitives (IX3dhSymmetricPrimitives) against the shared
/// managed implementations the device runs, byte for byte, plus one RFC vector each. (Every enrollment in
/// the other tests crosses the two as well: the test enrollee derives and seals with the managed code, the
/// service with libsodium.)
/// </summary>
public sealed class SymmetricSeamTests
{
    private static readonly LibsodiumX3dhPrimitives Sodium = LibsodiumX3dhPrimitives.Instance;

    [Theory]
    [InlineData(0)]
    [InlineData(55)]
    [InlineData(64)]
    [InlineData(182)]
    [InlineData(1000)]
    public void Sha256_agrees_with_the_shared_implementation_at_an_offset(int length)
    {
        var data = RandomNumberGenerator.GetBytes(length + 3);
        var expected = new byte[32];
        Enrollment.Protocol.Crypto.Sha256.Hash(data, 3, length, expected, 0);
        var actual = new byte[40];
        Sodium.Sha256(data, 3, length, actual, 5);
        Assert.Equal(expected, actual[5..37]);
    }

    [Fact]
    public void Session_keys_derived_on_libsodium_equal_the_devices()
    {
        var sk = RandomNumberGenerator.GetBytes(32);
        var device = Enrollment.Protocol.X3dh.SessionKeys.Derive(sk);
        var service = Enrollment.Protocol.X3dh.SessionKeys.Derive(sk, Sodium);
        Assert.Equal(device.Up, service.Up);
        Assert.Equal(device.Down, service.Down);
        Assert.NotEqual(service.Up, service.Down);
    }

    [Fact]
    public void Hkdf_reproduces_rfc5869_test_case_1()
    {
        var ikm = Convert.FromHexString("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        var salt = Convert.FromHexString("000102030405060708090a0b0c");
        var info = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9");
        var prk = new byte[32];
        Sodium.HkdfExtract(salt, 0, salt.Length, ikm, 0, ikm.Length, prk, 0);
        Assert.Equal("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", Convert.ToHexStringLower(prk));
        var okm = new byte[42];
        Sodium.HkdfExpand(prk, 0, info, 0, info.Length, okm, 0, okm.Length);
        Assert.Equal("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", Convert.ToHexStringLower(okm));
    }

    [Theory]
    [InlineData(32, 32)]
    [InlineData(160, 32)]
    [InlineData(7, 100)]
    public void Hkdf_agrees_with_the_shared_implementation(int ikmLength, int length)
    {
        var salt = new byte[32];
        var ikm = RandomNumberGenerator.GetBytes(ikmLength);
        var info = RandomNumberGenerator.GetBytes(31);
        var managed = new HkdfSha256();
        var expectedPrk = new byte[32];
        managed.Extract(salt, 0, 32, ikm, 0, ikmLength, expectedPrk, 0);
        var expected = new byte[length];
        managed.Expand(expectedPrk, 0, 32, info, 0, info.Length, expected, 0, length);

        var prk = new byte[32];
        Sodium.HkdfExtract(salt, 0, 32, ikm, 0, ikmLength, prk, 0);
        var okm = new byte[length];
        Sodium.HkdfExpand(prk, 0, info, 0, info.Length, okm, 0, length);
        Assert.Equal(expectedPrk, prk);
        Assert.Equal(expected, okm);
    }

    [Fact]
    public void Aead_reproduces_rfc8439_section_2_8_2()
    {
        var key = Convert.FromHexString("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        var nonce = Convert.FromHexString("070000004041424344454647");
        var ad = Convert.FromHexString("50515253c0c1c2c3c4c5c6c7");
        var plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."u8.ToArray();
        var output = new byte[plaintext.Length + 16];
        Sodium.Seal(key, nonce, ad, 0, ad.Length, plaintext, 0, plaintext.Length, output, 0);
        Assert.Equal("1ae10b594f09e26a7e902ecbd0600691", Convert.ToHexStringLower(output[^16..]));
        Assert.Equal("d31a8d34648e60db7b86afbc53ef7ec2", Convert.ToHexStringLower(output[..16]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(96, 182)]
    [InlineData(40, 46)]
    [InlineData(1000, 3)]
    public void Aead_agrees_with_the_shared_implementation_and_a_flipped_bit_fails_with_the_output_zeroed(int length, int adLength)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ad = RandomNumberGenerator.GetBytes(adLength + 2);
        var plaintext = RandomNumberGenerator.GetBytes(length + 1);
        var expected = new byte[length + 16];
        new Enrollment.Protocol.Crypto.ChaCha20Poly1305().Encrypt(key, 0, nonce, 0, ad, 2, adLength, plaintext, 1, length, expected, 0);
        var sealedBytes = new byte[length + 16 + 4];
        Sodium.Seal(key, nonce, ad, 2, adLength, plaintext, 1, length, sealedBytes, 4);
        Assert.Equal(expected, sealedBytes[4..]);

        var opened = new byte[length];
        Assert.True(Sodium.Open(key, nonce, ad, 2, adLength, sealedBytes, 4, length + 16, opened, 0));
        Assert.Equal(plaintext[1..], opened);

        for (var bit = 0; bit < 8 * (length + 16); bit += Math.Max(1, (length + 16) / 3))
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[4 + (bit / 8)] ^= (byte)(1 << (bit % 8));
            var output = Enumerable.Repeat((byte)0xAA, length).ToArray();
            Assert.False(Sodium.Open(key, nonce, ad, 2, adLength, tampered, 4, length + 16, output, 0));
            Assert.All(output, b => Assert.Equal(0, b));
        }
    }
}
