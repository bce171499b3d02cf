using Enrollment.Protocol.Crypto;
using Xunit.Abstractions;
using NSecAead = NSec.Cryptography.AeadAlgorithm;
using NSecKey = NSec.Cryptography.Key;
using NSecKeyBlobFormat = NSec.Cryptography.KeyBlobFormat;

namespace Enrollment.Crypto.Tests;

/// <summary>ChaCha20-Poly1305 (RFC 8439 2.8): Wycheproof, libsodium differential, contract and allocation tests.</summary>
public sealed class ChaCha20Poly1305Tests(ITestOutputHelper output)
{
    [Fact]
    public void Wycheproof_ChaCha20Poly1305_AllCases()
    {
        // Notes: Ktv, Pseudorandom and the EdgeCase* flags are valid and must round trip byte for byte;
        // ModifiedTag is invalid and must fail to decrypt with the output zeroed; InvalidNonceSize (RFC 7539
        // allows only 96-bit nonces) is invalid and our API rejects it as an argument error naming "nonce"
        // (the exact-length static forms, and the offset forms when the nonce is shorter than 12 bytes).
        var file = Wycheproof.Load("chacha20_poly1305_test.json");
        var counter = new CaseCounter();
        var aead = new ChaCha20Poly1305();
        foreach (var (group, test) in file.Cases())
        {
            string id = "tcId " + Wycheproof.Id(test);
            byte[] key = Wycheproof.Bytes(test, "key");
            byte[] nonce = Wycheproof.Bytes(test, "iv");
            byte[] ad = Wycheproof.Bytes(test, "aad");
            byte[] msg = Wycheproof.Bytes(test, "msg");
            byte[] ct = Wycheproof.Bytes(test, "ct");
            byte[] tag = Wycheproof.Bytes(test, "tag");
            string result = Wycheproof.Result(test);
            byte[] sealedInput = ct.Concat(tag).ToArray();

            if (group.GetProperty("ivSize").GetInt32() != 96)
            {
                Assert.Equal("invalid", result);
                Assert.True(Wycheproof.HasFlag(test, "InvalidNonceSize"), id);
                Assert.Equal("nonce", Assert.ThrowsAny<ArgumentException>(() => ChaCha20Poly1305.Open(key, nonce, ad, sealedInput)).ParamName);
                Assert.Equal("nonce", Assert.ThrowsAny<ArgumentException>(() => ChaCha20Poly1305.Seal(key, nonce, ad, msg)).ParamName);
                if (nonce.Length < ChaCha20Poly1305.NonceSize)
                {
                    Assert.Equal("nonce", Assert.ThrowsAny<ArgumentException>(() =>
                        aead.TryDecrypt(key, 0, nonce, 0, ad, 0, ad.Length, sealedInput, 0, sealedInput.Length, new byte[ct.Length], 0)).ParamName);
                }

                counter.Add("invalid (nonce size rejected by argument validation)");
                continue;
            }

            byte[] plain = new byte[ct.Length];
            Array.Fill(plain, (byte)0xA5);
            bool opened = aead.TryDecrypt(key, 0, nonce, 0, ad, 0, ad.Length, sealedInput, 0, sealedInput.Length, plain, 0);
            if (result == "valid")
            {
                Assert.True(opened, id);
                Assert.Equal(msg, plain);
                byte[] sealedOutput = new byte[msg.Length + 16];
                aead.Encrypt(key, 0, nonce, 0, ad, 0, ad.Length, msg, 0, msg.Length, sealedOutput, 0);
                Assert.True(sealedInput.AsSpan().SequenceEqual(sealedOutput), id);
                counter.Add("valid");
            }
            else
            {
                Assert.Equal("invalid", result);
                Assert.False(opened, id);
                Assert.All(plain, b => Assert.Equal(0, b));
                Assert.Null(ChaCha20Poly1305.Open(key, nonce, ad, sealedInput));
                counter.Add("invalid (authentication failed)");
            }
        }

        output.WriteLine("Wycheproof chacha20_poly1305_test.json: " + counter);
        Assert.True(counter.Get("valid") > 0);
        Assert.True(counter.Get("invalid (authentication failed)") > 0);
        Assert.True(counter.Get("invalid (nonce size rejected by argument validation)") > 0);
        Assert.Equal(file.NumberOfTests, counter.Total);
    }

    [Fact]
    public void Differential_RandomInputs_MatchLibsodium()
    {
        var random = new Random(0xAEAD);
        var reference = NSecAead.ChaCha20Poly1305;
        var aead = new ChaCha20Poly1305();
        for (int i = 0; i < 3000; i++)
        {
            byte[] key = TestUtil.RandomBytes(random, 32);
            byte[] nonce = TestUtil.RandomBytes(random, 12);
            int adLength = random.Next(3) == 0 ? 0 : TestUtil.InterestingLength(random, 16, 80);
            int length = TestUtil.InterestingLength(random, 64, 600);
            int off = random.Next(6);
            byte[] ad = TestUtil.RandomBytes(random, off + adLength);
            byte[] plaintext = TestUtil.RandomBytes(random, off + length + 2);

            using var nsecKey = NSecKey.Import(reference, key, NSecKeyBlobFormat.RawSymmetricKey);
            byte[] expected = reference.Encrypt(nsecKey, nonce, ad.AsSpan(off, adLength), plaintext.AsSpan(off, length));

            // Ours encrypts to the same bytes, into an offset inside a larger buffer.
            int outOff = random.Next(6);
            byte[] sealedOutput = new byte[outOff + length + 16 + 2];
            aead.Encrypt(key, 0, nonce, 0, ad, off, adLength, plaintext, off, length, sealedOutput, outOff);
            Assert.True(expected.AsSpan().SequenceEqual(sealedOutput.AsSpan(outOff, length + 16)), "case " + i + ", length " + length);

            // Ours opens libsodium's output.
            byte[] opened = new byte[length + 1];
            Assert.True(aead.TryDecrypt(key, 0, nonce, 0, ad, off, adLength, expected, 0, expected.Length, opened, 1), "case " + i);
            Assert.True(plaintext.AsSpan(off, length).SequenceEqual(opened.AsSpan(1)), "case " + i);

            // A one-bit change anywhere in ciphertext || tag is rejected by both.
            expected[random.Next(expected.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(aead.TryDecrypt(key, 0, nonce, 0, ad, off, adLength, expected, 0, expected.Length, opened, 1), "case " + i);
            Assert.Null(reference.Decrypt(nsecKey, nonce, ad.AsSpan(off, adLength), expected));
        }
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("ad")]
    [InlineData("nonce")]
    [InlineData("key")]
    public void Contract_OneBitTamper_IsRejected_AndOutputZeroed(string what)
    {
        var random = new Random(what.Length * 131);
        var aead = new ChaCha20Poly1305();
        for (int i = 0; i < 200; i++)
        {
            byte[] key = TestUtil.RandomBytes(random, 32);
            byte[] nonce = TestUtil.RandomBytes(random, 12);
            byte[] ad = TestUtil.RandomBytes(random, 1 + random.Next(40));
            byte[] plaintext = TestUtil.RandomBytes(random, 1 + random.Next(200));
            byte[] sealedOutput = new byte[plaintext.Length + 16];
            aead.Encrypt(key, 0, nonce, 0, ad, 0, ad.Length, plaintext, 0, plaintext.Length, sealedOutput, 0);

            byte bit = (byte)(1 << random.Next(8));
            switch (what)
            {
                case "ciphertext": sealedOutput[random.Next(plaintext.Length)] ^= bit; break;
                case "tag": sealedOutput[plaintext.Length + random.Next(16)] ^= bit; break;
                case "ad": ad[random.Next(ad.Length)] ^= bit; break;
                case "nonce": nonce[random.Next(12)] ^= bit; break;
                default: key[random.Next(32)] ^= bit; break;
            }

            byte[] opened = new byte[plaintext.Length + 4];
            Array.Fill(opened, (byte)0xEE);
            Assert.False(aead.TryDecrypt(key, 0, nonce, 0, ad, 0, ad.Length, sealedOutput, 0, sealedOutput.Length, opened, 2));
            Assert.Equal(new byte[] { 0xEE, 0xEE }, opened[..2]);
            Assert.All(opened[2..^2], b => Assert.Equal(0, b));
            Assert.Equal(new byte[] { 0xEE, 0xEE }, opened[^2..]);
            Assert.Null(ChaCha20Poly1305.Open(key, nonce, ad, sealedOutput));
        }
    }

    [Fact]
    public void Contract_RoundTrip_InPlace_EmptyMessage_AndNullAd()
    {
        var random = new Random(11);
        var aead = new ChaCha20Poly1305();
        byte[] key = TestUtil.RandomBytes(random, 32);
        byte[] nonce = TestUtil.RandomBytes(random, 12);
        byte[] message = TestUtil.RandomBytes(random, 150);
        byte[] buffer = new byte[150 + 16];
        Array.Copy(message, buffer, 150);
        aead.Encrypt(key, 0, nonce, 0, null, 0, 0, buffer, 0, 150, buffer, 0);
        Assert.Equal(ChaCha20Poly1305.Seal(key, nonce, null, message), buffer);
        Assert.True(aead.TryDecrypt(key, 0, nonce, 0, null, 0, 0, buffer, 0, buffer.Length, buffer, 0));
        Assert.Equal(message, buffer[..150]);

        byte[] tagOnly = ChaCha20Poly1305.Seal(key, nonce, new byte[0], new byte[0]);
        Assert.Equal(16, tagOnly.Length);
        Assert.Equal(Array.Empty<byte>(), ChaCha20Poly1305.Open(key, nonce, null, tagOnly));
        Assert.True(aead.TryDecrypt(key, 0, nonce, 0, null, 0, 0, tagOnly, 0, 16, Array.Empty<byte>(), 0));

        // Shorter than a tag: an authentication failure (false / null), not an argument error.
        Assert.False(aead.TryDecrypt(key, 0, nonce, 0, null, 0, 0, tagOnly, 0, 15, Array.Empty<byte>(), 0));
        Assert.Null(ChaCha20Poly1305.Open(key, nonce, null, new byte[15]));
    }

    [Fact]
    public void Contract_WrongLengths_ThrowNamingTheParameter()
    {
        var aead = new ChaCha20Poly1305();
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] data = new byte[40];
        byte[] outBuf = new byte[56];

        string Enc(Action action) => Assert.ThrowsAny<ArgumentException>(action).ParamName!;

        Assert.Equal("key", Enc(() => aead.Encrypt(new byte[31], 0, nonce, 0, null, 0, 0, data, 0, 40, outBuf, 0)));
        Assert.Equal("key", Enc(() => aead.Encrypt(key, 1, nonce, 0, null, 0, 0, data, 0, 40, outBuf, 0)));
        Assert.Equal("kOff", Enc(() => aead.Encrypt(key, -1, nonce, 0, null, 0, 0, data, 0, 40, outBuf, 0)));
        Assert.Equal("nonce", Enc(() => aead.Encrypt(key, 0, new byte[11], 0, null, 0, 0, data, 0, 40, outBuf, 0)));
        Assert.Equal("nonce", Enc(() => aead.Encrypt(key, 0, null!, 0, null, 0, 0, data, 0, 40, outBuf, 0)));
        Assert.Equal("ad", Enc(() => aead.Encrypt(key, 0, nonce, 0, null, 0, 3, data, 0, 40, outBuf, 0)));
        Assert.Equal("adLen", Enc(() => aead.Encrypt(key, 0, nonce, 0, data, 0, 41, data, 0, 40, outBuf, 0)));
        Assert.Equal("pLen", Enc(() => aead.Encrypt(key, 0, nonce, 0, null, 0, 0, data, 1, 40, outBuf, 0)));
        Assert.Equal("plaintext", Enc(() => aead.Encrypt(key, 0, nonce, 0, null, 0, 0, null!, 0, 0, outBuf, 0)));
        Assert.Equal("output", Enc(() => aead.Encrypt(key, 0, nonce, 0, null, 0, 0, data, 0, 40, new byte[55], 0)));
        Assert.Equal("oOff", Enc(() => aead.Encrypt(key, 0, nonce, 0, null, 0, 0, data, 0, 40, outBuf, 57)));

        Assert.Equal("iLen", Enc(() => aead.TryDecrypt(key, 0, nonce, 0, null, 0, 0, outBuf, 0, 57, data, 0)));
        Assert.Equal("input", Enc(() => aead.TryDecrypt(key, 0, nonce, 0, null, 0, 0, null!, 0, 0, data, 0)));
        Assert.Equal("output", Enc(() => aead.TryDecrypt(key, 0, nonce, 0, null, 0, 0, outBuf, 0, 56, new byte[39], 0)));
        Assert.Equal("nonce", Enc(() => aead.TryDecrypt(key, 0, nonce, 1, null, 0, 0, outBuf, 0, 56, data, 0)));

        Assert.Equal("key", Enc(() => ChaCha20Poly1305.Seal(new byte[33], nonce, null, data)));
        Assert.Equal("nonce", Enc(() => ChaCha20Poly1305.Seal(key, new byte[13], null, data)));
        Assert.Equal("plaintext", Enc(() => ChaCha20Poly1305.Seal(key, nonce, null, null!)));
        Assert.Equal("ciphertextAndTag", Enc(() => ChaCha20Poly1305.Open(key, nonce, null, null!)));
    }

    [Fact]
    public void InstanceAead_AllocatesNothing_AfterWarmUp()
    {
        var aead = new ChaCha20Poly1305();
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] ad = new byte[20];
        byte[] plaintext = new byte[256];
        byte[] sealedOutput = new byte[256 + 16];
        byte[] opened = new byte[256];
        aead.Encrypt(key, 0, nonce, 0, ad, 0, 20, plaintext, 0, 256, sealedOutput, 0);
        Assert.True(aead.TryDecrypt(key, 0, nonce, 0, ad, 0, 20, sealedOutput, 0, 272, opened, 0));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            aead.Encrypt(key, 0, nonce, 0, ad, 0, 20 - i, plaintext, 0, 256 - i, sealedOutput, 0);
            aead.TryDecrypt(key, 0, nonce, 0, ad, 0, 20 - i, sealedOutput, 0, 272 - i, opened, 0);
            aead.TryDecrypt(key, 0, nonce, 0, ad, 0, 20, sealedOutput, 0, 272 - i, opened, 0); // fails
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
