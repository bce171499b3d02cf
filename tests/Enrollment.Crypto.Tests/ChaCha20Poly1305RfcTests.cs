using System.Text;
using Enrollment.Protocol.Crypto;

namespace Enrollment.Crypto.Tests;

/// <summary>RFC 8439 known answers: ChaCha20 (2.4.2), Poly1305 (2.5.2), the AEAD (2.8.2) and AEAD decryption (A.5).</summary>
public sealed class ChaCha20Poly1305RfcTests
{
    private const string Sunscreen =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

    [Fact]
    [Trait("Source", "RFC 8439 section 2.4.2")]
    public void Rfc8439_2_4_2_ChaCha20Encryption()
    {
        byte[] key = TestUtil.Hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = TestUtil.Hex("000000000000004a00000000");
        byte[] plaintext = TestUtil.Ascii(Sunscreen);
        var chacha = new ChaCha20();
        chacha.Init(key, 0, nonce, 0, 1);
        byte[] ciphertext = new byte[plaintext.Length];
        chacha.XorKeyStream(plaintext, 0, ciphertext, 0, plaintext.Length);
        Assert.Equal(
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab"
            + "8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d",
            TestUtil.ToHex(ciphertext));
    }

    [Fact]
    [Trait("Source", "RFC 8439 section 2.5.2")]
    public void Rfc8439_2_5_2_Poly1305()
    {
        byte[] key = TestUtil.Hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] message = TestUtil.Ascii("Cryptographic Forum Research Group");
        var poly = new Poly1305();
        byte[] tag = new byte[16];

        // Fed as 5 + 29 bytes so the pending-block path runs as well.
        poly.Init(key, 0);
        poly.Update(message, 0, 5);
        poly.Update(message, 5, message.Length - 5);
        poly.Final(tag, 0);
        Assert.Equal("a8061dc1305136c6c22b8baf0c0127a9", TestUtil.ToHex(tag));
    }

    [Fact]
    [Trait("Source", "RFC 8439 section 2.8.2")]
    public void Rfc8439_2_8_2_AeadEncryption()
    {
        byte[] key = TestUtil.Hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = TestUtil.Hex("070000004041424344454647");
        byte[] ad = TestUtil.Hex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = TestUtil.Ascii(Sunscreen);
        const string expected =
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b29"
            + "05d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
            + "1ae10b594f09e26a7e902ecbd0600691";
        Assert.Equal(expected, TestUtil.ToHex(ChaCha20Poly1305.Seal(key, nonce, ad, plaintext)));

        var aead = new ChaCha20Poly1305();
        byte[] output = new byte[plaintext.Length + 16 + 3];
        aead.Encrypt(key, 0, nonce, 0, ad, 0, ad.Length, plaintext, 0, plaintext.Length, output, 3);
        Assert.Equal(expected, TestUtil.ToHex(output, 3, plaintext.Length + 16));
    }

    [Fact]
    [Trait("Source", "RFC 8439 appendix A.5")]
    public void Rfc8439_A_5_AeadDecryption()
    {
        byte[] key = TestUtil.Hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        byte[] nonce = TestUtil.Hex("000000000102030405060708");
        byte[] ad = TestUtil.Hex("f33388860000000000004e91");
        byte[] input = TestUtil.Hex(
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
            + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9"
            + "166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a0bb2"
            + "316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29a6ad5c"
            + "b4022b02709b"
            + "eead9d67890cbb22392336fea1851f38");
        string expected = "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced, or "
            + "obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference material or to "
            + "cite them other than as /\u201cwork in progress./\u201d";

        byte[]? opened = ChaCha20Poly1305.Open(key, nonce, ad, input);
        Assert.NotNull(opened);
        Assert.Equal(expected, Encoding.UTF8.GetString(opened));

        var aead = new ChaCha20Poly1305();
        byte[] output = new byte[input.Length - 16];
        Assert.True(aead.TryDecrypt(key, 0, nonce, 0, ad, 0, ad.Length, input, 0, input.Length, output, 0));
        Assert.Equal(opened, output);
    }
}
