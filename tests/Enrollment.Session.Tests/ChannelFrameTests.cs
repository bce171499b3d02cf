using System.Security.Cryptography;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

public class ChannelFrameTests
{
    private static readonly byte[] Payload = "temperature=21.5;humidity=40"u8.ToArray();

    [Theory]
    [InlineData(ChannelMessageType.Telemetry)]
    [InlineData(ChannelMessageType.Acknowledgement)]
    [InlineData(ChannelMessageType.RotationRequest)]
    public void Up_frames_round_trip(ChannelMessageType type)
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.DeviceSender, type, Payload);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frame, out var plain, out var t));
        Assert.Equal(type, t);
        Assert.Equal(Payload, plain);
    }

    [Theory]
    [InlineData(ChannelMessageType.Command)]
    [InlineData(ChannelMessageType.Revocation)]
    [InlineData(ChannelMessageType.RotationResult)]
    public void Down_frames_round_trip(ChannelMessageType type)
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.ServiceSender, type, Payload);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.DeviceReceiver, frame, out var plain, out var t));
        Assert.Equal(type, t);
        Assert.Equal(Payload, plain);
    }

    [Fact]
    public void Empty_and_maximum_payloads_round_trip_and_one_more_byte_is_refused()
    {
        var pair = ChannelPair.Random();
        foreach (var size in new[] { 0, 1, SessionConstants.MaxPayloadSize })
        {
            var payload = RandomNumberGenerator.GetBytes(size);
            var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, payload);
            Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frame, out var plain, out _));
            Assert.Equal(payload, plain);
        }

        var big = new byte[SessionConstants.MaxPayloadSize + 1];
        var output = new byte[big.Length + SessionConstants.MinFrameSize];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pair.DeviceSender.Seal(ChannelMessageType.Telemetry, big, 0, big.Length, output, 0, out _));
        Assert.Equal("payloadLength", e.ParamName);
        var oversize = new byte[SessionConstants.MaxFrameSize + 1];
        Assert.Equal(ChannelOpenStatus.Malformed, pair.ServiceReceiver.Open(oversize, 0, oversize.Length, new byte[oversize.Length], 0, out _, out _, out _));
    }

    [Fact]
    public void Frame_layout_matches_the_specification()
    {
        var up = RandomNumberGenerator.GetBytes(32);
        var store = new FlashCounterStore();
        var sender = new ChannelSender(up, 0x01020304, 0, "dev-0001", ChannelDirection.Up, store, 4);
        for (int i = 0; i < 5; i++)
            ChannelPair.Seal(sender, ChannelMessageType.Telemetry, Payload);
        var frame = ChannelPair.Seal(sender, ChannelMessageType.Telemetry, Payload);
        Assert.Equal(new byte[] { 0x10, 0x01, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 5 }, frame[..14]);

        // Recompute with the BCL's ChaCha20-Poly1305 from the spec's nonce and AAD alone.
        var nonce = new byte[12];
        nonce[11] = 5;
        var aad = frame[..14].Concat(new byte[] { 8 }).Concat("dev-0001"u8.ToArray()).ToArray();
        var plain = new byte[Payload.Length];
        using var bcl = new System.Security.Cryptography.ChaCha20Poly1305(up);
        bcl.Decrypt(nonce, frame.AsSpan(14, Payload.Length), frame.AsSpan(14 + Payload.Length), plain, aad);
        Assert.Equal(Payload, plain);
    }

    [Fact]
    public void Replayed_frame_is_rejected_and_the_first_copy_is_accepted_once()
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frame, out _, out _));
        Assert.Equal(ChannelOpenStatus.Replayed, ChannelPair.Open(pair.ServiceReceiver, frame, out var plain, out _));
        Assert.Empty(plain);
    }

    [Fact]
    public void Reordered_frames_within_the_window_are_each_accepted_exactly_once()
    {
        var pair = ChannelPair.Random();
        var frames = Enumerable.Range(0, 200).Select(_ => ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload)).ToArray();
        // Deliver 0..199 shuffled in blocks of 100 (inside the 128 window), each twice.
        var rng = new Random(7);
        foreach (var block in new[] { Enumerable.Range(0, 100).ToArray(), Enumerable.Range(100, 100).ToArray() })
        {
            rng.Shuffle(block);
            foreach (var i in block)
                Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frames[i], out _, out _));
            rng.Shuffle(block);
            foreach (var i in block)
                Assert.Equal(ChannelOpenStatus.Replayed, ChannelPair.Open(pair.ServiceReceiver, frames[i], out _, out _));
        }
    }

    [Fact]
    public void Frame_older_than_the_window_is_rejected_as_too_old()
    {
        var pair = ChannelPair.Random();
        var frames = Enumerable.Range(0, 300).Select(_ => ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload)).ToArray();
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frames[299], out _, out _));
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frames[299 - 127], out _, out _));
        Assert.Equal(ChannelOpenStatus.TooOld, ChannelPair.Open(pair.ServiceReceiver, frames[299 - 128], out _, out _));
        Assert.Equal(ChannelOpenStatus.TooOld, ChannelPair.Open(pair.ServiceReceiver, frames[0], out _, out _));
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frames[200], out _, out _));
    }

    [Fact]
    public void Every_single_bit_flip_is_rejected_and_does_not_poison_the_window()
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload);
        var output = new byte[SessionConstants.MaxPayloadSize];
        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            var copy = (byte[])frame.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            var status = pair.ServiceReceiver.Open(copy, 0, copy.Length, output, 0, out _, out int n, out _);
            Assert.NotEqual(ChannelOpenStatus.Accepted, status);
            Assert.Equal(0, n);
            Assert.True(FixedTime.IsZero(output, 0, output.Length), "no plaintext left behind");
        }

        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frame, out var plain, out _));
        Assert.Equal(Payload, plain);
    }

    [Fact]
    public void Tampered_ciphertext_header_counter_and_tag_are_reported_as_tampered()
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload);
        foreach (var index in new[] { 13 /* counter */, 14 /* ciphertext */, frame.Length - 1 /* tag */ })
        {
            var copy = (byte[])frame.Clone();
            copy[index] ^= 0x01;
            Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(pair.ServiceReceiver, copy, out _, out _));
        }

        var retyped = (byte[])frame.Clone();
        retyped[0] = (byte)ChannelMessageType.Acknowledgement; // same direction, still authenticated by the AAD
        Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(pair.ServiceReceiver, retyped, out _, out _));
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload);
        var output = new byte[SessionConstants.MaxPayloadSize];
        for (int length = 0; length < frame.Length; length++)
        {
            var status = pair.ServiceReceiver.Open(frame, 0, length, output, 0, out _, out _, out _);
            Assert.True(status is ChannelOpenStatus.Malformed or ChannelOpenStatus.Tampered, length + ": " + status);
        }

        var extended = frame.Concat(new byte[] { 0 }).ToArray();
        Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(pair.ServiceReceiver, extended, out _, out _));
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frame, out _, out _));
    }

    [Fact]
    public void Stale_epoch_and_unknown_epoch_are_rejected()
    {
        var up = RandomNumberGenerator.GetBytes(32);
        var down = RandomNumberGenerator.GetBytes(32);
        var old = new ChannelPair(up, down, epoch: 3);
        var current = new ChannelPair(up, down, epoch: 4);
        var future = new ChannelPair(up, down, epoch: 5);
        // Same key on purpose: the epoch check, not the key, must stop these.
        Assert.Equal(ChannelOpenStatus.StaleEpoch, ChannelPair.Open(current.ServiceReceiver, ChannelPair.Seal(old.DeviceSender, ChannelMessageType.Telemetry, Payload), out _, out _));
        Assert.Equal(ChannelOpenStatus.UnknownEpoch, ChannelPair.Open(current.ServiceReceiver, ChannelPair.Seal(future.DeviceSender, ChannelMessageType.Telemetry, Payload), out _, out _));
        Assert.Equal(ChannelOpenStatus.StaleEpoch, ChannelPair.Open(current.DeviceReceiver, ChannelPair.Seal(old.ServiceSender, ChannelMessageType.Command, Payload), out _, out _));
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(current.ServiceReceiver, ChannelPair.Seal(current.DeviceSender, ChannelMessageType.Telemetry, Payload), out _, out _));
    }

    [Fact]
    public void Wrong_direction_version_and_type_are_malformed_and_a_wrong_key_or_device_is_tampered()
    {
        var pair = ChannelPair.Random();
        var up = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload);
        Assert.Equal(ChannelOpenStatus.Malformed, ChannelPair.Open(pair.DeviceReceiver, up, out _, out _));
        var badVersion = (byte[])up.Clone();
        badVersion[1] = 2;
        Assert.Equal(ChannelOpenStatus.Malformed, ChannelPair.Open(pair.ServiceReceiver, badVersion, out _, out _));
        foreach (var t in new byte[] { 0x00, 0x02, 0x0F, 0x16, 0x20, 0xFF })
        {
            var badType = (byte[])up.Clone();
            badType[0] = t;
            Assert.Equal(ChannelOpenStatus.Malformed, ChannelPair.Open(pair.ServiceReceiver, badType, out _, out _));
        }

        var otherKey = new ChannelReceiver(RandomNumberGenerator.GetBytes(32), 0, ChannelPair.DeviceId, ChannelDirection.Up);
        Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(otherKey, up, out _, out _));
    }

    [Fact]
    public void The_device_id_is_authenticated()
    {
        var upKey = RandomNumberGenerator.GetBytes(32);
        var sender = new ChannelSender(upKey, 0, 0, "dev-a", ChannelDirection.Up, new FlashCounterStore(), 8);
        var frame = ChannelPair.Seal(sender, ChannelMessageType.Telemetry, Payload);
        Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(new ChannelReceiver(upKey, 0, "dev-b", ChannelDirection.Up), frame, out _, out _));
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(new ChannelReceiver(upKey, 0, "dev-a", ChannelDirection.Up), frame, out _, out _));
    }

    [Fact]
    public void Sender_refuses_types_of_the_other_direction_and_bad_arguments_name_the_parameter()
    {
        var pair = ChannelPair.Random();
        var output = new byte[64];
        Assert.Equal("type", Assert.Throws<ArgumentException>(() => pair.DeviceSender.Seal(ChannelMessageType.Command, Payload, 0, 4, output, 0, out _)).ParamName);
        Assert.Equal("type", Assert.Throws<ArgumentException>(() => pair.ServiceSender.Seal(ChannelMessageType.Telemetry, Payload, 0, 4, output, 0, out _)).ParamName);
        Assert.Equal("type", Assert.Throws<ArgumentException>(() => pair.ServiceSender.Seal(ChannelMessageType.RekeyInit, Payload, 0, 4, output, 0, out _)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => pair.DeviceSender.Seal(ChannelMessageType.Telemetry, Payload, 0, 10, new byte[39], 0, out _)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => new ChannelReceiver(new byte[31], 0, "d", ChannelDirection.Up)).ParamName);
        Assert.Equal("deviceId", Assert.Throws<ArgumentException>(() => new ChannelReceiver(new byte[32], 0, "bad id", ChannelDirection.Up)).ParamName);
        Assert.Equal("deviceId", Assert.Throws<ArgumentException>(() => new ChannelReceiver(new byte[32], 0, new string('a', 65), ChannelDirection.Up)).ParamName);
        Assert.Equal(0UL, pair.DeviceSender.NextCounter);
    }

    [Fact]
    public void Header_can_be_read_for_routing_without_the_key()
    {
        var pair = ChannelPair.Random(epoch: 9);
        ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, Payload);
        var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Acknowledgement, Payload);
        Assert.True(ChannelFrame.TryReadHeader(frame, 0, frame.Length, out var type, out var epoch, out var counter));
        Assert.Equal((ChannelMessageType.Acknowledgement, 9u, 1UL), (type, epoch, counter));
        Assert.False(ChannelFrame.TryReadHeader(frame, 0, SessionConstants.MinFrameSize - 1, out _, out _, out _));
    }
}
