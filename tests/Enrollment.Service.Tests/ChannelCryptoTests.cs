using System.Security.Cryptography;
using Enrollment.Protocol.Session;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Tests;

/// <summary>
/// The service's channel crypto runs on libsodium (DeviceChannel hands LibsodiumX3dhPrimitives to its sender
/// and receiver; the rekey flows take it from the primitives), the device's on the shared managed code: frames
/// and handshakes must cross between the two byte for byte, and a frame altered anywhere must be refused by
/// the service without moving its replay window.
/// </summary>
public sealed class ChannelCryptoTests
{
    private const string DeviceId = "dev-7f3a";

    [Fact]
    public void Frames_cross_between_the_services_libsodium_and_the_devices_managed_code_both_ways()
    {
        var (up, down) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var service = Installed(up, down, epoch: 3);
        var deviceSender = new ChannelSender(up, 3, 0, DeviceId, ChannelDirection.Up, new UnlimitedCounters(), 16);
        var deviceReceiver = new ChannelReceiver(down, 3, DeviceId, ChannelDirection.Down);
        var managedDown = new ChannelSender(down, 3, 0, DeviceId, ChannelDirection.Down, new UnlimitedCounters(), 16);

        foreach (var length in new[] { 0, 1, 63, 64, 65, 500, SessionConstants.MaxPayloadSize })
        {
            var payload = RandomNumberGenerator.GetBytes(length);

            var upFrame = Seal(deviceSender, ChannelMessageType.Telemetry, payload);
            Assert.Equal(ChannelOpenStatus.Accepted, Open(service.Receiver, upFrame, out var atService));
            Assert.Equal(payload, atService);

            var downFrame = Seal(service.Sender, ChannelMessageType.Command, payload);
            // Same key, counter and header: libsodium's frame is the managed sender's, byte for byte.
            Assert.Equal(Seal(managedDown, ChannelMessageType.Command, payload), downFrame);
            Assert.Equal(ChannelOpenStatus.Accepted, Open(deviceReceiver, downFrame, out var atDevice));
            Assert.Equal(payload, atDevice);
        }
    }

    [Fact]
    public void The_service_refuses_a_frame_altered_in_any_byte_and_its_window_does_not_move()
    {
        var (up, down) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var service = Installed(up, down, epoch: 1);
        var deviceSender = new ChannelSender(up, 1, 0, DeviceId, ChannelDirection.Up, new UnlimitedCounters(), 16);
        var frame = Seal(deviceSender, ChannelMessageType.Telemetry, RandomNumberGenerator.GetBytes(40));
        var before = service.ExportWindow();

        // Header bytes 0..13 are checked first (type, version, epoch) or feed the AAD and nonce (counter);
        // the rest is ciphertext and tag.
        for (var i = 0; i < frame.Length; i++)
        {
            var altered = (byte[])frame.Clone();
            altered[i] ^= 0x20;
            var buffer = Enumerable.Repeat((byte)0xAA, SessionConstants.MaxPayloadSize).ToArray();
            var status = service.Receiver.Open(altered, 0, altered.Length, buffer, 0, out _, out _, out _);
            Assert.NotEqual(ChannelOpenStatus.Accepted, status);
            if (status == ChannelOpenStatus.Tampered)
            {
                Assert.All(buffer.AsSpan(0, 40).ToArray(), b => Assert.Equal(0, b));
            }
        }

        Assert.Equal(before, service.ExportWindow());
        Assert.Equal(ChannelOpenStatus.Accepted, Open(service.Receiver, frame, out _));
        Assert.NotEqual(before, service.ExportWindow());
    }

    [Fact]
    public void A_rekey_between_the_devices_managed_flows_and_the_services_libsodium_flows_agrees_on_the_keys()
    {
        var serviceIdentity = RandomNumberGenerator.GetBytes(32);
        var deviceIdentity = RandomNumberGenerator.GetBytes(32);
        var device = DefaultX3dhPrimitives.Instance;
        var initiator = RekeyInitiator.Start(device, deviceIdentity, Sodium.PublicKey(serviceIdentity), DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Messages);
        var init = initiator.InitMessage;
        Assert.Equal(RekeyStatus.Completed, RekeyResponder.Respond(Enrollment.Service.Protocol.LibsodiumX3dhPrimitives.Instance, serviceIdentity,
            Sodium.PublicKey(deviceIdentity), DeviceId, init, 0, init.Length, RandomNumberGenerator.GetBytes(32), 2, out var responder));
        var response = responder!.ResponseMessage;
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(response, 0, response.Length, 1, out var confirm, out var deviceKeys));
        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm!, 0, confirm!.Length, out var serviceKeys));
        Assert.Equal(deviceKeys!.Up, serviceKeys!.Up);
        Assert.Equal(deviceKeys.Down, serviceKeys.Down);
        Assert.NotEqual(serviceKeys.Up, serviceKeys.Down);
    }

    private static DeviceChannel Installed(byte[] up, byte[] down, uint epoch)
    {
        var channel = new DeviceChannel(DeviceId, RandomNumberGenerator.GetBytes(32), epoch, revoked: false, revokedAt: null);
        channel.Install(epoch, up, down, 0, new WindowState(false, 0, 0, 0), 16);
        channel.DurableReservation = 1 << 20; // what ChannelService writes to the database before sealing
        return channel;
    }

    private static byte[] Seal(ChannelSender sender, ChannelMessageType type, byte[] payload)
    {
        var frame = new byte[SessionConstants.MinFrameSize + payload.Length];
        Assert.Equal(ChannelSealStatus.Sealed, sender.Seal(type, payload, 0, payload.Length, frame, 0, out var n));
        Assert.Equal(frame.Length, n);
        return frame;
    }

    private static ChannelOpenStatus Open(ChannelReceiver receiver, byte[] frame, out byte[] plaintext)
    {
        var buffer = new byte[SessionConstants.MaxPayloadSize];
        var status = receiver.Open(frame, 0, frame.Length, buffer, 0, out _, out var length, out _);
        plaintext = buffer[..length];
        return status;
    }

    private sealed class UnlimitedCounters : ICounterStore
    {
        public bool Reserve(uint epoch, ulong reservedLimit) => true;
    }
}
