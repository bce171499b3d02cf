using System.Security.Cryptography;
using System.Text;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Session;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Session.Tests;

/// <summary>
/// <see cref="IX3dhPrimitives"/> over this repository's X25519 (RFC 7748) and XEdDSA directly, so these tests
/// do not depend on which build of DefaultX3dhPrimitives they run against.
/// </summary>
internal sealed class OwnPrimitives : IX3dhPrimitives
{
    public static readonly OwnPrimitives Instance = new();

    public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset) =>
        X25519.ScalarMult(privateKey, privateKeyOffset, publicKey, publicKeyOffset, output, outputOffset);

    public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset) =>
        X25519.ScalarMultBase(privateKey, privateKeyOffset, output, outputOffset);

    public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset) =>
        XEdDsa.Sign(privateKey, privateKeyOffset, message, messageOffset, messageLength, random, randomOffset, signature, signatureOffset);

    public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset) =>
        XEdDsa.Verify(publicKey, publicKeyOffset, message, messageOffset, messageLength, signature, signatureOffset);
}

/// <summary>
/// A counter store that keeps what a flash page would: the last durably written reservation. It can be told
/// to fail the next write (flash full or power lost mid-write), and a "crash" is simply dropping the sender
/// and building a new one from <see cref="Persisted"/>.
/// </summary>
internal sealed class FlashCounterStore : ICounterStore
{
    public uint PersistedEpoch { get; private set; }
    public ulong Persisted { get; private set; }
    public int Writes { get; private set; }
    public bool FailNext { get; set; }

    public bool Reserve(uint epoch, ulong reservedLimit)
    {
        if (FailNext)
        {
            FailNext = false;
            return false;
        }

        Assert.True(epoch != PersistedEpoch || reservedLimit > Persisted, "reservations only grow within an epoch");
        PersistedEpoch = epoch;
        Persisted = reservedLimit;
        Writes++;
        return true;
    }
}

internal static class Det
{
    /// <summary>Deterministic test bytes: SHA-256(seed || "/" || label || counter) blocks, truncated.</summary>
    public static byte[] Bytes(string seed, string label, int length)
    {
        var output = new byte[length];
        for (int block = 0, done = 0; done < length; block++)
        {
            var digest = SHA256.HashData(Encoding.ASCII.GetBytes(seed + "/" + label + "/" + block));
            int n = Math.Min(32, length - done);
            Array.Copy(digest, 0, output, done, n);
            done += n;
        }

        return output;
    }

    public static byte[] Public(byte[] privateKey) => X25519.ScalarMultBase(privateKey);
}

/// <summary>A device and the service holding the same epoch's keys, with sender and receiver for each direction.</summary>
internal sealed class ChannelPair
{
    public const string DeviceId = "dev-0001";

    public ChannelPair(byte[] up, byte[] down, uint epoch = 0, string deviceId = DeviceId)
    {
        DeviceStore = new FlashCounterStore();
        ServiceStore = new FlashCounterStore();
        DeviceSender = new ChannelSender(up, epoch, 0, deviceId, ChannelDirection.Up, DeviceStore, 16);
        ServiceReceiver = new ChannelReceiver(up, epoch, deviceId, ChannelDirection.Up);
        ServiceSender = new ChannelSender(down, epoch, 0, deviceId, ChannelDirection.Down, ServiceStore, 16);
        DeviceReceiver = new ChannelReceiver(down, epoch, deviceId, ChannelDirection.Down);
    }

    public FlashCounterStore DeviceStore { get; }
    public FlashCounterStore ServiceStore { get; }
    public ChannelSender DeviceSender { get; }
    public ChannelReceiver ServiceReceiver { get; }
    public ChannelSender ServiceSender { get; }
    public ChannelReceiver DeviceReceiver { get; }

    public static ChannelPair Random(uint epoch = 0) =>
        new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), epoch);

    public static byte[] Seal(ChannelSender sender, ChannelMessageType type, byte[] payload)
    {
        var frame = new byte[SessionConstants.MinFrameSize + payload.Length];
        Assert.Equal(ChannelSealStatus.Sealed, sender.Seal(type, payload, 0, payload.Length, frame, 0, out int n));
        Assert.Equal(frame.Length, n);
        return frame;
    }

    public static ChannelOpenStatus Open(ChannelReceiver receiver, byte[] frame, out byte[] plaintext, out ChannelMessageType type)
    {
        var buffer = new byte[SessionConstants.MaxPayloadSize];
        var status = receiver.Open(frame, 0, frame.Length, buffer, 0, out type, out int length, out _);
        plaintext = buffer.AsSpan(0, length).ToArray();
        return status;
    }
}
