using Enrollment.Protocol.Session;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>
/// The service's side of the channel (docs/session-protocol.md sections 5-9), built in the test from the
/// shared classes only: <see cref="RekeyResponder"/> answers inits with epochs above every one it offered,
/// commits on the confirm or on the first frame of the pending epoch, opens up frames with a
/// <see cref="ChannelReceiver"/>, seals commands and revocations with a <see cref="ChannelSender"/>, and
/// verifies rotations with <see cref="IdentityRotation.Verify"/>. It logs every up frame's (epoch, counter)
/// as published, opened or not, for the no-nonce-reuse assertions.
/// </summary>
internal sealed class ChannelPeer
{
    private readonly FakeBroker _broker;
    private readonly IX3dhPrimitives _p = DefaultX3dhPrimitives.Instance;
    private readonly byte[] _ikA;
    private readonly Random _random = new(77);
    private readonly MemoryCounters _counters = new();
    private ChannelSender? _down;
    private ChannelReceiver? _up;
    private RekeyResponder? _pending;

    public ChannelPeer(RealService service, FakeBroker broker)
    {
        _broker = broker;
        _ikA = service.IdentityPrivateKey;
        IdentityKey = service.EnrolledIdentityKey ?? throw new InvalidOperationException("not enrolled yet");
        Install(EpochKeys.FromEnrollment(service.EnrolledSession!));
        broker.Tap = OnPublication;
    }

    public string DeviceId => RealService.DeviceId;
    public string UpTopic => RealService.TopicPrefix + "up";
    public string DownTopic => RealService.TopicPrefix + "down";
    public byte[] IdentityKey { get; private set; }
    public uint Epoch { get; private set; }
    public uint HighestOffered { get; private set; }
    public bool Revoked { get; private set; }

    /// <summary>When false the peer sees inits but does not answer (a service that is down or lost the handshake).</summary>
    public bool AnswersRekeys { get; set; } = true;

    /// <summary>Every up frame (type 0x10..0x15) as published: (epoch, counter).</summary>
    public List<(uint Epoch, ulong Counter)> UpFrames { get; } = new();
    public List<(uint Epoch, byte[] Payload)> Telemetry { get; } = new();
    public List<(uint Id, AcknowledgementStatus Status, byte[] Detail)> Acks { get; } = new();
    public List<RekeyReason> Inits { get; } = new();
    public List<byte[]> Responses { get; } = new();
    public List<(byte[] Old, byte[] New, byte[] Request)> History { get; } = new();
    public Dictionary<ChannelOpenStatus, int> Drops { get; } = new();
    public int Commits { get; private set; }

    public byte[] SendCommand(uint id, byte[] body)
    {
        byte[] frame = SealCommand(id, body);
        _broker.Publish(DownTopic, frame);
        return frame;
    }

    /// <summary>Seals a command frame without publishing it (to deliver later, or never).</summary>
    public byte[] SealCommand(uint id, byte[] body)
    {
        byte[] payload = new byte[4 + body.Length];
        int length = ChannelPayloads.WriteCommand(id, body, 0, body.Length, payload, 0);
        return Seal(ChannelMessageType.Command, payload, length);
    }

    public byte[] Revoke(RevocationReason reason = RevocationReason.Operator)
    {
        Revoked = true;
        byte[] payload = new byte[ChannelPayloads.RevocationSize];
        ChannelPayloads.WriteRevocation(1_800_000_000, reason, payload, 0);
        return SendDown(ChannelMessageType.Revocation, payload, payload.Length);
    }

    public byte[] SendDown(ChannelMessageType type, byte[] payload, int length)
    {
        byte[] frame = Seal(type, payload, length);
        _broker.Publish(DownTopic, frame);
        return frame;
    }

    private byte[] Seal(ChannelMessageType type, byte[] payload, int length)
    {
        byte[] frame = new byte[SessionConstants.MinFrameSize + length];
        Assert.Equal(ChannelSealStatus.Sealed, _down!.Seal(type, payload, 0, length, frame, 0, out int frameLength));
        Assert.Equal(frame.Length, frameLength);
        return frame;
    }

    public void Inject(byte[] bytes) => _broker.Publish(DownTopic, bytes);

    private void OnPublication(string topic, byte[] message)
    {
        if (topic != UpTopic || message.Length == 0)
        {
            return;
        }

        switch (message[0])
        {
            case (byte)ChannelMessageType.RekeyInit:
                OnInit(message);
                return;
            case (byte)ChannelMessageType.RekeyConfirm:
                if (_pending != null && _pending.Confirm(message, 0, message.Length, out EpochKeys? keys) == RekeyStatus.Completed)
                {
                    Commit(keys!);
                }

                return;
            default:
                OnFrame(message);
                return;
        }
    }

    private void OnInit(byte[] init)
    {
        Inits.Add((RekeyReason)init[34]);
        if (Revoked || !AnswersRekeys)
        {
            return; // section 9: a revoked device's inits are dropped unprocessed
        }

        byte[] eA = new byte[32];
        _random.NextBytes(eA);
        HighestOffered = Math.Max(HighestOffered, Epoch) + 1;
        RekeyStatus status = RekeyResponder.Respond(_p, _ikA, IdentityKey, DeviceId, init, 0, init.Length, eA, HighestOffered, out RekeyResponder? responder);
        Array.Clear(eA);
        if (status != RekeyStatus.Completed)
        {
            return;
        }

        _pending?.Clear();
        _pending = responder!;
        Responses.Add(responder!.ResponseMessage);
        _broker.Publish(DownTopic, responder.ResponseMessage);
    }

    private void OnFrame(byte[] frame)
    {
        if (!ChannelFrame.TryReadHeader(frame, 0, frame.Length, out ChannelMessageType _, out uint epoch, out ulong counter))
        {
            return;
        }

        UpFrames.Add((epoch, counter));
        if (_pending != null && epoch == _pending.Epoch
            && _pending.ConfirmWithFrame(frame, 0, frame.Length, out EpochKeys? keys) == RekeyStatus.Completed)
        {
            Commit(keys!);
        }

        byte[] plain = new byte[SessionConstants.MaxPayloadSize];
        ChannelOpenStatus status = _up!.Open(frame, 0, frame.Length, plain, 0, out ChannelMessageType type, out int length, out _);
        if (status != ChannelOpenStatus.Accepted)
        {
            Drops[status] = Drops.GetValueOrDefault(status) + 1;
            return;
        }

        if (Revoked)
        {
            Revoke(); // section 9, step 2: again while the device keeps publishing
            return;
        }

        byte[] payload = plain.AsSpan(0, length).ToArray();
        switch (type)
        {
            case ChannelMessageType.Telemetry:
                Telemetry.Add((epoch, payload));
                break;
            case ChannelMessageType.Acknowledgement:
                Assert.True(ChannelPayloads.TryReadAcknowledgement(payload, 0, length, out uint id, out AcknowledgementStatus ackStatus, out int detailOffset, out int detailLength));
                Acks.Add((id, ackStatus, payload.AsSpan(detailOffset, detailLength).ToArray()));
                break;
            case ChannelMessageType.RotationRequest:
                OnRotation(payload);
                break;
        }
    }

    private void OnRotation(byte[] request)
    {
        RotationStatus status = IdentityRotation.Verify(_p, Public(_ikA), IdentityKey, DeviceId, request, 0, request.Length, out byte[]? next);
        byte[] key = request.AsSpan(0, 32).ToArray();
        bool repeat = History.Count > 0 && History[^1].New.AsSpan().SequenceEqual(key);
        if (status == RotationStatus.Valid)
        {
            History.Add((IdentityKey, next!, request));
            IdentityKey = next!;
        }

        byte[] result = new byte[ChannelPayloads.RotationResultSize];
        ChannelPayloads.WriteRotationResult(key, status == RotationStatus.Valid || repeat, result, 0);
        SendDown(ChannelMessageType.RotationResult, result, result.Length);
    }

    private void Commit(EpochKeys keys)
    {
        _pending = null;
        Commits++;
        Install(keys);
    }

    private void Install(EpochKeys keys)
    {
        _down?.Clear();
        _up?.Clear();
        _down = new ChannelSender(keys.Down, keys.Epoch, 0, DeviceId, ChannelDirection.Down, _counters, 64);
        _up = new ChannelReceiver(keys.Up, keys.Epoch, DeviceId, ChannelDirection.Up);
        Epoch = keys.Epoch;
        keys.Clear();
    }

    private byte[] Public(byte[] privateKey)
    {
        byte[] key = new byte[32];
        _p.PublicKey(privateKey, 0, key, 0);
        return key;
    }

    private sealed class MemoryCounters : ICounterStore
    {
        public bool Reserve(uint epoch, ulong reservedLimit) => true;
    }
}
