using NSecHash = NSec.Cryptography.HashAlgorithm;

namespace Enrollment.Crypto.Tests;

/// <summary>
/// Behaviour every hash must share: differential agreement with libsodium (through NSec), incremental
/// hashing with random splits, offsets into larger buffers, argument checks and zero allocation.
/// One derived class per algorithm supplies the adapters and the NIST known answers.
/// </summary>
public abstract class HashTestsBase
{
    protected abstract int HashSize { get; }

    protected abstract int BlockSize { get; }

    protected abstract NSecHash Reference { get; }

    protected abstract object Create();

    protected abstract void Update(object hasher, byte[] data, int offset, int count);

    protected abstract void Final(object hasher, byte[] output, int offset);

    protected abstract void Reset(object hasher);

    protected abstract void StaticHash(byte[] data, int offset, int count, byte[] output, int outputOffset);

    protected abstract byte[] StaticHash(byte[] data);

    [Fact]
    public void Differential_RandomInputs_MatchLibsodium()
    {
        var random = new Random(0x5A17);
        object hasher = Create();
        byte[] output = new byte[HashSize + 7];
        for (int i = 0; i < 3000; i++)
        {
            int length = TestUtil.InterestingLength(random, BlockSize, 4 * BlockSize);
            int offset = random.Next(8);
            byte[] buffer = TestUtil.RandomBytes(random, offset + length + random.Next(8));
            byte[] expected = Reference.Hash(buffer.AsSpan(offset, length));

            int outputOffset = random.Next(8);
            Update(hasher, buffer, offset, length);
            Final(hasher, output, outputOffset);
            Assert.True(expected.AsSpan().SequenceEqual(output.AsSpan(outputOffset, HashSize)), "case " + i + ", length " + length);

            byte[] viaStatic = new byte[HashSize];
            StaticHash(buffer, offset, length, viaStatic, 0);
            Assert.Equal(expected, viaStatic);
        }
    }

    [Fact]
    public void Incremental_RandomSplits_GiveTheOneShotDigest()
    {
        var random = new Random(0x1C4E);
        object hasher = Create();
        byte[] output = new byte[HashSize];
        for (int i = 0; i < 500; i++)
        {
            byte[] data = TestUtil.RandomBytes(random, TestUtil.InterestingLength(random, BlockSize, 5 * BlockSize));
            byte[] expected = StaticHash(data);
            int position = 0;
            while (position < data.Length)
            {
                int chunk = random.Next(3) == 0 ? 0 : random.Next(1, Math.Min(data.Length - position, BlockSize + 3) + 1);
                Update(hasher, data, position, chunk);
                position += chunk;
            }

            Final(hasher, output, 0);
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void Final_ResetsForTheNextMessage_AndResetDiscardsInput()
    {
        object hasher = Create();
        byte[] first = new byte[HashSize];
        byte[] second = new byte[HashSize];
        byte[] abc = TestUtil.Ascii("abc");
        Update(hasher, abc, 0, 3);
        Final(hasher, first, 0);
        Update(hasher, abc, 0, 3);
        Final(hasher, second, 0);
        Assert.Equal(first, second);

        Update(hasher, TestUtil.Ascii("garbage"), 0, 7);
        Reset(hasher);
        Update(hasher, abc, 0, 3);
        Final(hasher, second, 0);
        Assert.Equal(first, second);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        object hasher = Create();
        byte[] data = new byte[10];
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => Update(hasher, null!, 0, 0)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => Update(hasher, data, -1, 1)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => Update(hasher, data, 11, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => Update(hasher, data, 5, 6)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => Update(hasher, data, 0, -1)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Final(hasher, new byte[HashSize - 1], 0)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Final(hasher, new byte[HashSize], 1)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentNullException>(() => Final(hasher, null!, 0)).ParamName);
        Assert.Equal("outputOffset", Assert.Throws<ArgumentOutOfRangeException>(() => StaticHash(data, 0, 1, new byte[HashSize], -1)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => StaticHash(null!)).ParamName);
    }

    [Fact]
    public void InstanceHashing_AllocatesNothing_AfterWarmUp()
    {
        object hasher = Create();
        byte[] data = TestUtil.RandomBytes(new Random(3), 1000);
        byte[] output = new byte[HashSize];
        Update(hasher, data, 0, data.Length);
        Final(hasher, output, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Update(hasher, data, 0, 1 + (i * 97));
            Update(hasher, data, 3, 5);
            Final(hasher, output, 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    protected void AssertKnownAnswer(byte[] message, string expectedHex)
    {
        Assert.Equal(expectedHex, TestUtil.ToHex(StaticHash(message)));

        // Same message through the instance, fed in 7-byte pieces so buffering is exercised too.
        object hasher = Create();
        for (int p = 0; p < message.Length; p += 7)
        {
            Update(hasher, message, p, Math.Min(7, message.Length - p));
        }

        byte[] output = new byte[HashSize];
        Final(hasher, output, 0);
        Assert.Equal(expectedHex, TestUtil.ToHex(output));
    }
}
