using System.Text;
using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;
using Enrollment.Protocol.Session;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The enrolled device's secure channel (docs/session-protocol.md) against a service-side peer built from
/// the shared classes: identity on the broker, telemetry up, commands down and acknowledged, replayed and
/// tampered frames dropped.
/// </summary>
public class ChannelTests
{
    [Fact]
    public void The_enrolled_device_connects_as_its_device_id_with_the_outcome_credentials_on_its_own_topics()
    {
        var f = ChannelFixture.Enrolled();
        MqttSettings settings = f.Rig.Mqtt.LastSettings!;
        Assert.Equal("device-0042", settings.ClientId);
        Assert.Equal("device-0042", settings.User);
        Assert.Equal(f.Service.BrokerPassword, settings.Password);
        Assert.Equal("dev/v1/device-0042/down", f.Rig.Mqtt.Subscriptions[^1]); // after the enrollment's result topic
        Assert.Equal("device-0042", f.Device.DeviceId);
        Assert.Equal(0u, f.Device.Epoch);
    }

    [Fact]
    public void Without_credentials_in_the_outcome_the_device_connects_without_any()
    {
        var f = ChannelFixture.Enrolled(configure: s =>
        {
            s.BrokerUser = Array.Empty<byte>();
            s.BrokerPassword = Array.Empty<byte>();
        });
        Assert.Null(f.Rig.Mqtt.LastSettings!.User);
        Assert.Null(f.Rig.Mqtt.LastSettings!.Password);
        Assert.Equal("device-0042", f.Rig.Mqtt.LastSettings!.ClientId);
    }

    [Fact]
    public void Telemetry_sent_by_the_device_opens_at_the_service_in_order()
    {
        var f = ChannelFixture.Enrolled();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(f.Telemetry("reading " + i));
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => "reading " + i), f.Peer.Telemetry.Select(t => Encoding.UTF8.GetString(t.Payload)));
        Assert.All(f.Peer.Telemetry, t => Assert.Equal(0u, t.Epoch));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (0u, (ulong)i)), f.Peer.UpFrames);
        Assert.Empty(f.Peer.Drops);
        Assert.Throws<ArgumentOutOfRangeException>(() => f.Device.SendTelemetry(new byte[1025], 0, 1025));
    }

    [Fact]
    public void A_command_is_handed_to_the_handler_once_and_acknowledged_each_time_it_is_sent()
    {
        var f = ChannelFixture.Enrolled();
        var handler = new RecordingHandler { Detail = "done"u8.ToArray() };
        f.Device.SetCommandHandler(handler);
        f.Peer.SendCommand(7, "open valve"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 1, 1000));
        Assert.Equal((7u, AcknowledgementStatus.Done), (f.Peer.Acks[0].Id, f.Peer.Acks[0].Status));
        Assert.Equal("done", Encoding.UTF8.GetString(f.Peer.Acks[0].Detail));
        Assert.Equal("open valve", Encoding.UTF8.GetString(handler.Calls.Single().Body));

        // The service did not get the acknowledgement and sends the command again, in a new frame.
        f.Peer.SendCommand(7, "open valve"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 2, 1000));
        Assert.Single(handler.Calls);
        Assert.Equal(1, f.Device.ChannelCounters.Commands);
    }

    [Fact]
    public void Without_a_handler_a_command_is_acknowledged_as_unsupported()
    {
        var f = ChannelFixture.Enrolled();
        f.Peer.SendCommand(9, "x"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 1, 1000));
        Assert.Equal(AcknowledgementStatus.Unsupported, f.Peer.Acks[0].Status);
    }

    [Fact]
    public void Replayed_and_tampered_down_frames_are_ignored()
    {
        var f = ChannelFixture.Enrolled();
        var handler = new RecordingHandler();
        f.Device.SetCommandHandler(handler);
        byte[] frame = f.Peer.SendCommand(1, "a"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 1, 1000));

        f.Peer.Inject(frame); // a replay (or a QoS 1 duplicate)
        for (int i = 0; i < 20; i++)
        {
            f.Rig.Tick();
        }

        Assert.Equal(1, f.Device.ChannelCounters.Replayed);

        // Every byte of a fresh frame flipped in turn: none is accepted, and the genuine frame still is.
        byte[] next = f.Peer.SealCommand(2, "b"u8.ToArray());
        for (int i = 0; i < next.Length; i++)
        {
            byte[] forged = next.ToArray();
            forged[i] ^= 0x01;
            f.Peer.Inject(forged);
            f.Rig.Tick();
        }

        Assert.Single(handler.Calls);
        f.Peer.Inject(next);
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 2, 1000));
        Assert.Equal(new uint[] { 1, 2 }, handler.Calls.Select(c => c.Id));
        Assert.True(f.Device.ChannelCounters.Tampered + f.Device.ChannelCounters.Malformed
            + f.Device.ChannelCounters.UnknownEpoch + f.Device.ChannelCounters.Replayed >= next.Length);
        Assert.Equal(2, f.Peer.Acks.Count);
    }

    [Fact]
    public void A_revocation_forged_without_the_down_key_is_ignored()
    {
        var f = ChannelFixture.Enrolled();
        var impostor = new ChannelSender(new byte[32], 0, 5, "device-0042", ChannelDirection.Down, new NullCounters(), 64);
        byte[] payload = new byte[ChannelPayloads.RevocationSize];
        ChannelPayloads.WriteRevocation(1, RevocationReason.Operator, payload, 0);
        byte[] frame = new byte[30 + payload.Length];
        impostor.Seal(ChannelMessageType.Revocation, payload, 0, payload.Length, frame, 0, out _);
        f.Peer.Inject(frame);
        f.Rig.Tick();
        f.Rig.Tick();
        Assert.Equal(EnrolleeState.Enrolled, f.Device.State);
        Assert.Equal(1, f.Device.ChannelCounters.Tampered);
        Assert.True(f.Telemetry("still here"));
    }

    [Fact]
    public void Nothing_secret_reaches_the_log()
    {
        var f = ChannelFixture.Enrolled();
        f.Telemetry("t");
        f.RebootAndRekey();
        f.Device.RotateIdentity();
        Assert.True(f.RunUntil(() => !f.Device.RotationPending && f.Peer.Commits >= 2));
        string log = f.Rig.Log.All;
        var record = new DeviceRecord();
        byte[] stored = f.Rig.Files.Files[DeviceRecord.FileName];
        Assert.True(record.TryDecode(stored, stored.Length));
        foreach (byte[] secret in new[] { f.Service.BrokerPassword, f.Service.EnrolledSession!.Up, f.Service.EnrolledSession.Down, record.IkPrivate })
        {
            Assert.DoesNotContain(Convert.ToHexString(secret), log, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(secret), log);
        }

        Assert.DoesNotContain(Encoding.Latin1.GetString(f.Service.BrokerPassword), log);
        Assert.Contains("connected as device-0042", log);
        Assert.Contains("epoch 1 established", log);
    }

    private sealed class NullCounters : ICounterStore
    {
        public bool Reserve(uint epoch, ulong reservedLimit) => true;
    }
}
