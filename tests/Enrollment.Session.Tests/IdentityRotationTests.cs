using System.Security.Cryptography;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

public class IdentityRotationTests
{
    private const string DeviceId = "dev-0001";
    private static readonly OwnPrimitives P = OwnPrimitives.Instance;
    private readonly byte[] _ikA = Det.Public(RandomNumberGenerator.GetBytes(32));
    private readonly byte[] _ikBPrivate = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _newPrivate = RandomNumberGenerator.GetBytes(32);

    private byte[] IkB => Det.Public(_ikBPrivate);

    private byte[] Request(byte[]? oldPrivate = null, byte[]? newPrivate = null, string deviceId = DeviceId, byte[]? ikA = null) =>
        IdentityRotation.CreateRequest(P, ikA ?? _ikA, oldPrivate ?? _ikBPrivate, newPrivate ?? _newPrivate, deviceId, RandomNumberGenerator.GetBytes(64), RandomNumberGenerator.GetBytes(64));

    private RotationStatus Verify(byte[] payload, string deviceId = DeviceId) =>
        IdentityRotation.Verify(P, _ikA, IkB, deviceId, payload, 0, payload.Length, out _);

    [Fact]
    public void A_genuine_rotation_verifies_and_yields_the_new_key()
    {
        var payload = Request();
        Assert.Equal(IdentityRotation.RequestSize, payload.Length);
        Assert.Equal(RotationStatus.Valid, IdentityRotation.Verify(P, _ikA, IkB, DeviceId, payload, 0, payload.Length, out var next));
        Assert.Equal(Det.Public(_newPrivate), next);
    }

    [Fact]
    public void A_rotation_not_signed_by_the_current_identity_is_rejected()
    {
        // The attacker holds some key pair of its own but not IK_B private.
        Assert.Equal(RotationStatus.BadOldSignature, Verify(Request(oldPrivate: RandomNumberGenerator.GetBytes(32))));
    }

    [Fact]
    public void A_rotation_to_a_key_the_sender_does_not_hold_is_rejected()
    {
        var payload = Request();
        var victimKey = Det.Public(RandomNumberGenerator.GetBytes(32));
        // Substitute IK_B' with someone else's key and re-sign the old part honestly: the new signature cannot follow.
        var forged = IdentityRotation.CreateRequest(P, _ikA, _ikBPrivate, RandomNumberGenerator.GetBytes(32), DeviceId, new byte[64], new byte[64]);
        victimKey.CopyTo(forged, 0);
        var oldInput = IdentityRotation.SigningInput(SessionConstants.RotateOldLabel, _ikA, IkB, victimKey, 0, DeviceId);
        P.Sign(_ikBPrivate, 0, oldInput, 0, oldInput.Length, new byte[64], 0, forged, 32);
        Assert.Equal(RotationStatus.BadNewSignature, Verify(forged));
        Assert.Equal(RotationStatus.Valid, Verify(payload));
    }

    [Fact]
    public void A_rotation_for_another_device_or_service_is_rejected()
    {
        Assert.Equal(RotationStatus.BadOldSignature, Verify(Request(deviceId: "dev-0002")));
        Assert.Equal(RotationStatus.BadOldSignature, Verify(Request(), deviceId: "dev-0002"));
        Assert.Equal(RotationStatus.BadOldSignature, Verify(Request(ikA: Det.Public(RandomNumberGenerator.GetBytes(32)))));
    }

    [Fact]
    public void Every_single_bit_flip_is_rejected()
    {
        var payload = Request();
        for (int bit = 0; bit < payload.Length * 8; bit++)
        {
            var copy = (byte[])payload.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(RotationStatus.Valid, IdentityRotation.Verify(SodiumPrimitives.Instance, _ikA, IkB, DeviceId, copy, 0, copy.Length, out _));
        }

        Assert.Equal(RotationStatus.Valid, IdentityRotation.Verify(SodiumPrimitives.Instance, _ikA, IkB, DeviceId, payload, 0, payload.Length, out _));
    }

    [Fact]
    public void Same_key_low_order_key_and_wrong_sizes_are_rejected()
    {
        Assert.Equal(RotationStatus.SameKey, Verify(Request(newPrivate: _ikBPrivate)));
        var lowOrder = Request();
        Array.Clear(lowOrder, 0, 32);
        lowOrder[0] = 1; // u = 1, a point of order 4 (RFC 7748 section 6.1)
        Assert.Equal(RotationStatus.WeakKey, Verify(lowOrder));
        var payload = Request();
        Assert.Equal(RotationStatus.Malformed, Verify(payload[..159]));
        Assert.Equal(RotationStatus.Malformed, Verify(payload.Append((byte)0).ToArray()));
    }

    [Fact]
    public void Rotation_travels_inside_the_channel_and_the_result_comes_back()
    {
        var pair = ChannelPair.Random();
        var frame = ChannelPair.Seal(pair.DeviceSender, ChannelMessageType.RotationRequest, Request());
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.ServiceReceiver, frame, out var payload, out var type));
        Assert.Equal(ChannelMessageType.RotationRequest, type);
        Assert.Equal(RotationStatus.Valid, IdentityRotation.Verify(P, _ikA, IkB, DeviceId, payload, 0, payload.Length, out var next));

        var result = new byte[ChannelPayloads.RotationResultSize];
        ChannelPayloads.WriteRotationResult(next!, true, result, 0);
        var down = ChannelPair.Seal(pair.ServiceSender, ChannelMessageType.RotationResult, result);
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(pair.DeviceReceiver, down, out var plain, out _));
        Assert.True(ChannelPayloads.TryReadRotationResult(plain, 0, plain.Length, out int keyOffset, out bool accepted));
        Assert.True(accepted);
        Assert.Equal(Det.Public(_newPrivate), plain[keyOffset..(keyOffset + 32)]);

        // The next rekey is authenticated by IK_B'.
        var ikAPrivate = RandomNumberGenerator.GetBytes(32);
        var initiator = RekeyInitiator.Start(P, _newPrivate, Det.Public(ikAPrivate), DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Requested);
        Assert.Equal(RekeyStatus.Completed, RekeyResponder.Respond(P, ikAPrivate, next!, DeviceId, initiator.InitMessage, 0, 35, RandomNumberGenerator.GetBytes(32), 1, out var responder));
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(responder!.ResponseMessage, 0, 54, 0, out _, out _));
    }
}
