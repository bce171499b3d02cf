using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

public class PayloadTests
{
    [Fact]
    public void Command_round_trips_and_is_laid_out_as_specified()
    {
        var body = "reboot"u8.ToArray();
        var buffer = new byte[20];
        int n = ChannelPayloads.WriteCommand(0x01020304, body, 0, body.Length, buffer, 2);
        Assert.Equal(10, n);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffer[2..6]);
        Assert.True(ChannelPayloads.TryReadCommand(buffer, 2, n, out uint id, out int bodyOffset, out int bodyLength));
        Assert.Equal((0x01020304u, 6, 6), (id, bodyOffset, bodyLength));
        Assert.Equal(body, buffer[bodyOffset..(bodyOffset + bodyLength)]);
        Assert.False(ChannelPayloads.TryReadCommand(buffer, 2, 3, out _, out _, out _));
    }

    [Fact]
    public void Acknowledgement_round_trips_and_rejects_unknown_status()
    {
        var buffer = new byte[16];
        int n = ChannelPayloads.WriteAcknowledgement(77, AcknowledgementStatus.Unsupported, "x"u8.ToArray(), 0, 1, buffer, 0);
        Assert.Equal(new byte[] { 0, 0, 0, 77, 2, (byte)'x' }, buffer[..n]);
        Assert.True(ChannelPayloads.TryReadAcknowledgement(buffer, 0, n, out uint id, out var status, out int detailOffset, out int detailLength));
        Assert.Equal((77u, AcknowledgementStatus.Unsupported, 5, 1), (id, status, detailOffset, detailLength));
        buffer[4] = 3;
        Assert.False(ChannelPayloads.TryReadAcknowledgement(buffer, 0, n, out _, out _, out _, out _));
        Assert.False(ChannelPayloads.TryReadAcknowledgement(buffer, 0, 4, out _, out _, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelPayloads.WriteAcknowledgement(1, (AcknowledgementStatus)9, [], 0, 0, buffer, 0));
    }

    [Fact]
    public void Revocation_round_trips_and_rejects_bad_fields()
    {
        var buffer = new byte[ChannelPayloads.RevocationSize];
        ChannelPayloads.WriteRevocation(1800000000, RevocationReason.Compromised, buffer, 0);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0x6B, 0x49, 0xD2, 0x00, 2 }, buffer);
        Assert.True(ChannelPayloads.TryReadRevocation(buffer, 0, buffer.Length, out long at, out var reason));
        Assert.Equal((1800000000L, RevocationReason.Compromised), (at, reason));
        foreach (var r in new byte[] { 0, 4, 0xFF })
        {
            var bad = (byte[])buffer.Clone();
            bad[8] = r;
            Assert.False(ChannelPayloads.TryReadRevocation(bad, 0, bad.Length, out _, out _));
        }

        var future = (byte[])buffer.Clone();
        future[0] = 0x80; // 2^63 and above is a format error (docs/protocol.md section 1)
        Assert.False(ChannelPayloads.TryReadRevocation(future, 0, future.Length, out _, out _));
        Assert.False(ChannelPayloads.TryReadRevocation(buffer, 0, 8, out _, out _));
        Assert.False(ChannelPayloads.TryReadRevocation(new byte[10], 0, 10, out _, out _));
    }

    [Fact]
    public void Revocation_is_only_believed_inside_the_channel()
    {
        var pair = ChannelPair.Random();
        var payload = new byte[ChannelPayloads.RevocationSize];
        ChannelPayloads.WriteRevocation(1800000000, RevocationReason.Operator, payload, 0);
        var frame = ChannelPair.Seal(pair.ServiceSender, ChannelMessageType.Revocation, payload);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.DeviceReceiver, frame, out var plain, out var type));
        Assert.Equal(ChannelMessageType.Revocation, type);
        Assert.True(ChannelPayloads.TryReadRevocation(plain, 0, plain.Length, out _, out var reason));
        Assert.Equal(RevocationReason.Operator, reason);

        // Someone without K_down (anyone on the broker, or the device itself) cannot make one the device accepts.
        var forger = ChannelPair.Random();
        ChannelPair.Seal(forger.ServiceSender, ChannelMessageType.Command, payload); // counter 0 was accepted above: use a fresh one
        var forged = ChannelPair.Seal(forger.ServiceSender, ChannelMessageType.Revocation, payload);
        Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(pair.DeviceReceiver, forged, out _, out _));
        ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, payload); // counter 0 is taken below
        var selfMade = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, payload);
        selfMade[0] = (byte)ChannelMessageType.Revocation; // a device-sealed frame relabelled as down
        Assert.Equal(ChannelOpenStatus.Tampered, ChannelPair.Open(pair.DeviceReceiver, selfMade, out _, out _));
    }

    [Fact]
    public void Rotation_result_round_trips()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var buffer = new byte[ChannelPayloads.RotationResultSize];
        ChannelPayloads.WriteRotationResult(key, false, buffer, 0);
        Assert.True(ChannelPayloads.TryReadRotationResult(buffer, 0, buffer.Length, out int keyOffset, out bool accepted));
        Assert.False(accepted);
        Assert.Equal(key, buffer[keyOffset..(keyOffset + 32)]);
        buffer[32] = 2;
        Assert.False(ChannelPayloads.TryReadRotationResult(buffer, 0, buffer.Length, out _, out _));
        Assert.False(ChannelPayloads.TryReadRotationResult(buffer, 0, 32, out _, out _));
    }
}
