using System.Security.Cryptography;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

public class RekeyTests
{
    private const string DeviceId = "dev-0001";
    private static readonly OwnPrimitives P = OwnPrimitives.Instance;

    private sealed class Parties
    {
        public byte[] IkAPrivate { get; } = RandomNumberGenerator.GetBytes(32);
        public byte[] IkBPrivate { get; } = RandomNumberGenerator.GetBytes(32);
        public byte[] IkAPublic => Det.Public(IkAPrivate);
        public byte[] IkBPublic => Det.Public(IkBPrivate);

        public RekeyInitiator Start(RekeyReason reason = RekeyReason.Boot, string deviceId = DeviceId) =>
            RekeyInitiator.Start(P, IkBPrivate, IkAPublic, deviceId, RandomNumberGenerator.GetBytes(32), reason);

        public RekeyStatus Respond(byte[] init, uint epoch, out RekeyResponder? responder, byte[]? ikB = null, string deviceId = DeviceId) =>
            RekeyResponder.Respond(P, IkAPrivate, ikB ?? IkBPublic, deviceId, init, 0, init.Length, RandomNumberGenerator.GetBytes(32), epoch, out responder);
    }

    private static (EpochKeys Device, EpochKeys Service) Handshake(Parties p, uint lastEpoch, uint newEpoch, RekeyReason reason = RekeyReason.Boot)
    {
        var initiator = p.Start(reason);
        Assert.Equal(RekeyStatus.Completed, p.Respond(initiator.InitMessage, newEpoch, out var responder));
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(responder!.ResponseMessage, 0, 54, lastEpoch, out var confirm, out var deviceKeys));
        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm!, 0, confirm!.Length, out var serviceKeys));
        return (deviceKeys!, serviceKeys!);
    }

    [Fact]
    public void Both_sides_derive_the_same_fresh_keys_and_the_new_epoch()
    {
        var p = new Parties();
        var (device, service) = Handshake(p, 0, 1);
        Assert.Equal(device.Up, service.Up);
        Assert.Equal(device.Down, service.Down);
        Assert.NotEqual(device.Up, device.Down);
        Assert.Equal(1u, device.Epoch);
        var (device2, _) = Handshake(p, 1, 2);
        Assert.NotEqual(device.Up, device2.Up); // fresh ephemerals: every epoch has new keys
    }

    [Fact]
    public void Rekey_across_a_simulated_reboot_restores_the_channel_and_retires_the_old_epoch()
    {
        var p = new Parties();
        var enrollment = EpochKeys.FromEnrollment(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var service = new ChannelPair(enrollment.Up, enrollment.Down, 0);
        var beforeReboot = ChannelPair.Seal(service.DeviceSender, ChannelMessageType.Telemetry, [1, 2, 3]);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(service.ServiceReceiver, beforeReboot, out _, out _));
        var oldCommand = ChannelPair.Seal(service.ServiceSender, ChannelMessageType.Command, [0, 0, 0, 1]);

        // Power loss: the device keeps only what is in flash (IK_B, IK_A, its device id); RAM keys are gone.
        var keptIkB = (byte[])p.IkBPrivate.Clone();
        var initiator = RekeyInitiator.Start(P, keptIkB, p.IkAPublic, DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Boot);
        Assert.Equal(RekeyStatus.Completed, p.Respond(initiator.InitMessage, service.ServiceReceiver.Epoch + 1, out var responder));
        Assert.Equal(RekeyReason.Boot, responder!.Reason);
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(responder.ResponseMessage, 0, 54, 0, out var confirm, out var deviceKeys));
        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm!, 0, confirm!.Length, out var serviceKeys));

        var deviceSide = new ChannelPair(deviceKeys!.Up, deviceKeys.Down, deviceKeys.Epoch);
        var serviceSide = new ChannelPair(serviceKeys!.Up, serviceKeys.Down, serviceKeys.Epoch);
        var telemetry = ChannelPair.Seal(deviceSide.DeviceSender, ChannelMessageType.Telemetry, [4, 5, 6]);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(serviceSide.ServiceReceiver, telemetry, out var plain, out _));
        Assert.Equal(new byte[] { 4, 5, 6 }, plain);
        var command = ChannelPair.Seal(serviceSide.ServiceSender, ChannelMessageType.Command, [0, 0, 0, 2]);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(deviceSide.DeviceReceiver, command, out _, out _));

        // Frames of the old session are stale on both sides, even replayed.
        Assert.Equal(ChannelOpenStatus.StaleEpoch, ChannelPair.Open(serviceSide.ServiceReceiver, beforeReboot, out _, out _));
        Assert.Equal(ChannelOpenStatus.StaleEpoch, ChannelPair.Open(deviceSide.DeviceReceiver, oldCommand, out _, out _));
        Assert.Equal(ChannelOpenStatus.StaleEpoch, ChannelPair.Open(serviceSide.ServiceReceiver, ChannelPair.Seal(service.DeviceSender, ChannelMessageType.Telemetry, [9]), out _, out _));
    }

    [Fact]
    public void A_device_without_IK_B_cannot_complete_and_a_service_without_IK_A_is_not_believed()
    {
        var p = new Parties();
        var impostor = new Parties(); // holds other identity keys
        // Impostor device: knows IK_A public and the device id, not IK_B private.
        var fake = RekeyInitiator.Start(P, impostor.IkBPrivate, p.IkAPublic, DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Boot);
        Assert.Equal(RekeyStatus.Completed, p.Respond(fake.InitMessage, 1, out var responder));
        Assert.Equal(RekeyStatus.BadConfirmation, fake.Finish(responder!.ResponseMessage, 0, 54, 0, out _, out _));
        var forgedConfirm = new byte[] { 0x22, 1, 0, 0, 0, 1 }.Concat(RandomNumberGenerator.GetBytes(16)).ToArray();
        Assert.Equal(RekeyStatus.BadConfirmation, responder.Confirm(forgedConfirm, 0, 22, out _));

        // Impostor service: answers with its own IK_A.
        var genuine = p.Start();
        Assert.Equal(RekeyStatus.Completed, RekeyResponder.Respond(P, impostor.IkAPrivate, p.IkBPublic, DeviceId, genuine.InitMessage, 0, 35, RandomNumberGenerator.GetBytes(32), 1, out var fakeService));
        Assert.Equal(RekeyStatus.BadConfirmation, genuine.Finish(fakeService!.ResponseMessage, 0, 54, 0, out _, out _));

        // The service holding another device's IK_B, or another device id, does not agree either.
        var other = p.Start();
        Assert.Equal(RekeyStatus.Completed, p.Respond(other.InitMessage, 1, out var wrongIk, ikB: impostor.IkBPublic));
        Assert.Equal(RekeyStatus.BadConfirmation, other.Finish(wrongIk!.ResponseMessage, 0, 54, 0, out _, out _));
        Assert.Equal(RekeyStatus.Completed, p.Respond(other.InitMessage, 1, out var wrongId, deviceId: "dev-0002"));
        Assert.Equal(RekeyStatus.BadConfirmation, other.Finish(wrongId!.ResponseMessage, 0, 54, 0, out _, out _));

        // After all those injected answers the device still completes with the genuine one.
        Assert.Equal(RekeyStatus.Completed, p.Respond(other.InitMessage, 1, out var real));
        Assert.Equal(RekeyStatus.Completed, other.Finish(real!.ResponseMessage, 0, 54, 0, out _, out _));
    }

    [Fact]
    public void Every_bit_flip_of_each_handshake_message_fails_and_the_genuine_messages_still_complete()
    {
        // libsodium on both sides here: the logic under test is the protocol's, and this keeps ~5000 DHs fast.
        var s = SodiumPrimitives.Instance;
        var p = new Parties();
        var initiator = RekeyInitiator.Start(s, p.IkBPrivate, p.IkAPublic, DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Boot);
        var init = initiator.InitMessage;
        RekeyResponder? Respond(byte[] message) =>
            RekeyResponder.Respond(s, p.IkAPrivate, p.IkBPublic, DeviceId, message, 0, message.Length, RandomNumberGenerator.GetBytes(32), 5, out var r) == RekeyStatus.Completed ? r : null;
        var responder = Respond(init);
        Assert.NotNull(responder);
        var response = responder.ResponseMessage;

        for (int bit = 0; bit < init.Length * 8; bit++)
        {
            var copy = (byte[])init.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            var r = Respond(copy);
            if (r != null)
                Assert.NotEqual(RekeyStatus.Completed, initiator.Finish(r.ResponseMessage, 0, 54, 4, out _, out _));
        }

        for (int bit = 0; bit < response.Length * 8; bit++)
        {
            var copy = (byte[])response.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(RekeyStatus.Completed, initiator.Finish(copy, 0, 54, 4, out _, out _));
        }

        Assert.Equal(RekeyStatus.Completed, initiator.Finish(response, 0, 54, 4, out var confirm, out var deviceKeys));
        for (int bit = 0; bit < confirm!.Length * 8; bit++)
        {
            var copy = (byte[])confirm.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(RekeyStatus.Completed, responder.Confirm(copy, 0, copy.Length, out _));
        }

        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm, 0, confirm.Length, out var serviceKeys));
        Assert.Equal(deviceKeys!.Up, serviceKeys!.Up);
        Assert.Equal(5u, serviceKeys.Epoch);
    }

    [Fact]
    public void Truncated_extended_and_stale_messages_are_rejected()
    {
        var p = new Parties();
        var initiator = p.Start();
        var init = initiator.InitMessage;
        for (int n = 0; n < init.Length; n++)
            Assert.Equal(RekeyStatus.Malformed, RekeyResponder.Respond(P, p.IkAPrivate, p.IkBPublic, DeviceId, init, 0, n, RandomNumberGenerator.GetBytes(32), 1, out _));
        var longer = init.Append((byte)0).ToArray();
        Assert.Equal(RekeyStatus.Malformed, p.Respond(longer, 1, out _));
        foreach (var reason in new byte[] { 0, 5, 0xFF })
        {
            var bad = (byte[])init.Clone();
            bad[34] = reason;
            Assert.Equal(RekeyStatus.Malformed, p.Respond(bad, 1, out _));
        }

        Assert.Equal(RekeyStatus.Completed, p.Respond(init, 3, out var responder));
        var response = responder!.ResponseMessage;
        for (int n = 0; n < response.Length; n++)
            Assert.Equal(RekeyStatus.Malformed, initiator.Finish(response, 0, n, 0, out _, out _));
        Assert.Equal(RekeyStatus.StaleEpoch, initiator.Finish(response, 0, 54, 3, out _, out _));
        Assert.Equal(RekeyStatus.StaleEpoch, initiator.Finish(response, 0, 54, 7, out _, out _));
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(response, 0, 54, 2, out var confirm, out _));
        Assert.Equal(RekeyStatus.WrongState, initiator.Finish(response, 0, 54, 2, out _, out _));
        for (int n = 0; n < confirm!.Length; n++)
            Assert.Equal(RekeyStatus.Malformed, responder.Confirm(confirm, 0, n, out _));
        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm, 0, 22, out _));
        Assert.Equal(RekeyStatus.WrongState, responder.Confirm(confirm, 0, 22, out _));
    }

    [Fact]
    public void A_lost_confirm_is_replaced_by_the_first_authentic_frame_of_the_new_epoch()
    {
        var p = new Parties();
        var initiator = p.Start(RekeyReason.Time);
        Assert.Equal(RekeyStatus.Completed, p.Respond(initiator.InitMessage, 8, out var responder));
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(responder!.ResponseMessage, 0, 54, 7, out _, out var deviceKeys));
        var device = new ChannelPair(deviceKeys!.Up, deviceKeys.Down, deviceKeys.Epoch);
        var frame = ChannelPair.Seal(device.DeviceSender, ChannelMessageType.Telemetry, [1, 2]);

        var wrongKey = ChannelPair.Seal(ChannelPair.Random(8).DeviceSender, ChannelMessageType.Telemetry, [1, 2]);
        Assert.Equal(RekeyStatus.BadConfirmation, responder.ConfirmWithFrame(wrongKey, 0, wrongKey.Length, out _));
        var otherEpoch = ChannelPair.Seal(new ChannelPair(deviceKeys.Up, deviceKeys.Down, 7).DeviceSender, ChannelMessageType.Telemetry, [1, 2]);
        Assert.Equal(RekeyStatus.Malformed, responder.ConfirmWithFrame(otherEpoch, 0, otherEpoch.Length, out _));
        var down = ChannelPair.Seal(device.ServiceSender, ChannelMessageType.Command, [0, 0, 0, 1]);
        Assert.Equal(RekeyStatus.Malformed, responder.ConfirmWithFrame(down, 0, down.Length, out _));

        Assert.Equal(RekeyStatus.Completed, responder.ConfirmWithFrame(frame, 0, frame.Length, out var serviceKeys));
        Assert.Equal(deviceKeys.Up, serviceKeys!.Up);
        var service = new ChannelPair(serviceKeys.Up, serviceKeys.Down, serviceKeys.Epoch);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(service.ServiceReceiver, frame, out var plain, out _));
        Assert.Equal(new byte[] { 1, 2 }, plain);
        Assert.Equal(RekeyStatus.WrongState, responder.ConfirmWithFrame(frame, 0, frame.Length, out _));
    }

    [Fact]
    public void A_device_holding_an_uncommitted_epoch_recovers_with_the_next_offer()
    {
        var p = new Parties();
        var first = p.Start();
        Assert.Equal(RekeyStatus.Completed, p.Respond(first.InitMessage, 1, out var r1));
        Assert.Equal(RekeyStatus.Completed, first.Finish(r1!.ResponseMessage, 0, 54, 0, out _, out var lost));
        // Confirm and frames lost; the service restarted and dropped the pending handshake. The device holds epoch 1.
        var again = p.Start(RekeyReason.Requested);
        Assert.Equal(RekeyStatus.Completed, p.Respond(again.InitMessage, 1, out var sameNumber));
        Assert.Equal(RekeyStatus.StaleEpoch, again.Finish(sameNumber!.ResponseMessage, 0, 54, lost!.Epoch, out _, out _));
        Assert.Equal(RekeyStatus.Completed, p.Respond(again.InitMessage, 2, out var next)); // highest offered + 1
        Assert.Equal(RekeyStatus.Completed, again.Finish(next!.ResponseMessage, 0, 54, lost.Epoch, out var confirm, out var keys));
        Assert.Equal(RekeyStatus.Completed, next.Confirm(confirm!, 0, 22, out var serviceKeys));
        Assert.Equal((2u, 2u), (keys!.Epoch, serviceKeys!.Epoch));
    }

    [Fact]
    public void A_replayed_confirm_does_not_complete_a_later_handshake()
    {
        var p = new Parties();
        var first = p.Start();
        Assert.Equal(RekeyStatus.Completed, p.Respond(first.InitMessage, 1, out var r1));
        Assert.Equal(RekeyStatus.Completed, first.Finish(r1!.ResponseMessage, 0, 54, 0, out var confirm1, out _));
        // An attacker replays the first init; the service answers with a fresh e_A, and the old confirm does not fit.
        Assert.Equal(RekeyStatus.Completed, p.Respond(first.InitMessage, 1, out var r2));
        Assert.Equal(RekeyStatus.BadConfirmation, r2!.Confirm(confirm1!, 0, 22, out _));
    }

    [Fact]
    public void Low_order_ephemeral_keys_are_refused_by_both_sides()
    {
        var p = new Parties();
        var initiator = p.Start();
        // u = 0 and u = 1 are low-order points (RFC 7748 section 6.1): every DH with them is zero.
        foreach (var u in new byte[] { 0, 1 })
        {
            var response = new byte[54];
            response[0] = 0x21;
            response[1] = 1;
            response[2] = u;
            response[37] = 1;
            Assert.Equal(RekeyStatus.WeakKey, initiator.Finish(response, 0, 54, 0, out _, out _));

            var init = new byte[35];
            init[0] = 0x20;
            init[1] = 1;
            init[2] = u;
            init[34] = 1;
            Assert.Equal(RekeyStatus.WeakKey, p.Respond(init, 1, out _));
        }
    }

    [Fact]
    public void Arguments_are_checked_and_name_the_parameter()
    {
        var p = new Parties();
        Assert.Equal("reason", Assert.Throws<ArgumentOutOfRangeException>(() => p.Start(RekeyReason.None)).ParamName);
        Assert.Equal("ephemeralPrivateKey", Assert.Throws<ArgumentException>(() => RekeyInitiator.Start(P, p.IkBPrivate, p.IkAPublic, DeviceId, new byte[31], RekeyReason.Boot)).ParamName);
        var init = p.Start().InitMessage;
        Assert.Equal("newEpoch", Assert.Throws<ArgumentOutOfRangeException>(() => p.Respond(init, 0, out _)).ParamName);
        Assert.Equal("deviceId", Assert.Throws<ArgumentException>(() => p.Respond([1, 2], 1, out _, deviceId: "no spaces")).ParamName);
        Assert.Equal("deviceId", Assert.Throws<ArgumentException>(() => p.Start(deviceId: "")).ParamName);
    }

    [Fact]
    public void Epoch_zero_comes_from_the_enrollment_session_keys()
    {
        var sk = RandomNumberGenerator.GetBytes(32);
        var keys = EpochKeys.FromEnrollment(Enrollment.Protocol.X3dh.SessionKeys.Derive(sk));
        Assert.Equal(0u, keys.Epoch);
        Assert.Equal(HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, "Ockam Enrollment v1 session up"u8.ToArray()), keys.Up);
        Assert.Equal(HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, "Ockam Enrollment v1 session down"u8.ToArray()), keys.Down);
        var pair = new ChannelPair(keys.Up, keys.Down, keys.Epoch);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.Telemetry, [1]), out _, out _));
        keys.Clear();
        Assert.All(keys.Up.Concat(keys.Down), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(true, 0UL, 0L, RekeyReason.None)]
    [InlineData(false, 0UL, 0L, RekeyReason.Boot)]
    [InlineData(true, 99UL, 59L, RekeyReason.None)]
    [InlineData(true, 100UL, 0L, RekeyReason.Messages)]
    [InlineData(true, 0UL, 60L, RekeyReason.Time)]
    [InlineData(true, 0UL, -1L, RekeyReason.Time)]
    public void Policy_names_the_reason_a_rekey_is_due(bool hasSession, ulong sent, long age, RekeyReason expected)
    {
        Assert.Equal(expected, new RekeyPolicy(100, 60).Evaluate(hasSession, sent, age));
    }

    [Fact]
    public void Policy_zero_selects_the_defaults()
    {
        var policy = new RekeyPolicy(0, 0);
        Assert.Equal((RekeyPolicy.DefaultMessages, RekeyPolicy.DefaultSeconds), (policy.AfterMessages, policy.AfterSeconds));
        Assert.Equal(RekeyReason.Messages, policy.Evaluate(true, RekeyPolicy.DefaultMessages, 0));
    }
}
