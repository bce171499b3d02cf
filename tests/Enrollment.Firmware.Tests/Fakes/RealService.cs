using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>
/// A service built on the protocol's real service-side functions (docs/protocol.md section 11), with fixed
/// test keys: issues a bundle, opens enrollment messages from registered enrollees, seals the result, and
/// answers a redelivered message with the stored result.
/// </summary>
internal sealed class RealService : IServiceHandler
{
    private readonly IX3dhPrimitives _p = DefaultX3dhPrimitives.Instance;
    private readonly byte[] _ikA = Fill(0x11);
    private readonly byte[] _spkA = Fill(0x22);
    private readonly byte[] _opkA = Fill(0x33);
    private readonly ServiceAddress _address;
    private readonly Dictionary<string, (byte[] Message, byte[] Result)> _answered = new();
    private readonly Random _random = new(9);

    /// <summary>A service whose bundles name <paramref name="address"/> (default: broker.test:8883 over TLS).</summary>
    public RealService(ServiceAddress? address = null)
    {
        _address = address ?? new ServiceAddress("broker.test", 8883, true, CaKind.None, null,
            ServiceAddress.DefaultRequestTopic, ServiceAddress.DefaultResultTopicPrefix);
    }

    public byte[]? RegisteredEik { get; set; }
    public int Accepted { get; private set; }
    public int Rejected { get; private set; }
    public Queue<uint> BusyScript { get; } = new();

    /// <summary>The accepted outcome's figures (0 = the service default) and broker credentials.</summary>
    public uint RekeyAfterMessages { get; set; }
    public uint RekeyAfterSeconds { get; set; }
    public byte[] BrokerUser { get; set; } = "device-0042"u8.ToArray();
    public byte[] BrokerPassword { get; set; } = Fill(0x66, 24);
    public const string DeviceId = "device-0042";
    public const string TopicPrefix = "dev/v1/device-0042/";

    /// <summary>
    /// Like the cloud service with per-enrollee request topics (docs/protocol.md section 14): an acceptance is
    /// published retained and the service stops listening on the request topic.
    /// </summary>
    public bool RetainResultAndStopListening { get; set; }

    /// <summary>What the service keeps of the accepted enrollment, for the channel peer: IK_A, IK_B and epoch 0's keys.</summary>
    public byte[] IdentityPrivateKey => _ikA;
    public byte[]? EnrolledIdentityKey { get; private set; }
    public SessionKeys? EnrolledSession { get; private set; }

    public byte[] IssueBundle(long expiresAt = 4_102_444_800)
    {
        byte[] spkInput = EnrollmentBundle.BuildSpkSigningInput(7, Public(_spkA), expiresAt);
        byte[] signature = new byte[64];
        _p.Sign(_ikA, 0, spkInput, 0, spkInput.Length, Fill(0x44, 64), 0, signature, 0);
        return new EnrollmentBundle(Fill(0x55, 16), expiresAt, Public(_ikA), 7, expiresAt, Public(_spkA), signature, 9,
            Public(_opkA), _address).Encode();
    }

    public void Handle(FakeBroker broker, byte[] bytes)
    {
        if (!EnrollmentMessage.TryDecode(bytes, 0, bytes.Length, out EnrollmentMessage? message))
        {
            Rejected++;
            return;
        }

        string topic = _address.ResultTopicFor(EnrolleeId.ToText(message.EnrolleeId));
        string key = Convert.ToHexString(message.EphemeralKey);
        if (_answered.TryGetValue(key, out var seen))
        {
            if (seen.Message.AsSpan().SequenceEqual(bytes))
            {
                broker.Publish(topic, seen.Result);
            }
            else
            {
                Rejected++; // an EK_B in a different message: the device reused an ephemeral key
            }

            return;
        }

        if (RegisteredEik == null
            || ServiceHandshake.Open(message, _ikA, _spkA, _opkA, RegisteredEik, _address.Encode(), _p, out EnrolledIdentity? identity) != OpenStatus.Opened
            || identity == null)
        {
            Rejected++;
            return;
        }

        EnrollmentOutcome outcome = BusyScript.Count > 0
            ? EnrollmentOutcome.Rejection(EnrollmentStatus.Busy, BusyScript.Dequeue())
            : EnrollmentOutcome.Accepted(DeviceId, TopicPrefix, BrokerUser, BrokerPassword, RekeyAfterMessages, RekeyAfterSeconds);
        byte[] nonce = new byte[12];
        _random.NextBytes(nonce);
        byte[] result = ServiceHandshake.SealResult(identity.SharedSecret, message.EphemeralKey, outcome, nonce);
        if (outcome.IsAccepted)
        {
            EnrolledIdentityKey = identity.IdentityKey.ToArray();
            EnrolledSession = SessionKeys.Derive(identity.SharedSecret);
        }

        identity.Clear();
        if (outcome.IsAccepted)
        {
            // Only an acceptance is stored and answered again (docs/protocol.md section 11).
            _answered[key] = (bytes, result);
            Accepted++;
            if (RetainResultAndStopListening)
            {
                broker.EnrollmentTopic = "(nobody listens)";
                broker.Publish(topic, result, retain: true);
                return;
            }
        }

        broker.Publish(topic, result);
    }

    private byte[] Public(byte[] privateKey)
    {
        byte[] publicKey = new byte[32];
        _p.PublicKey(privateKey, 0, publicKey, 0);
        return publicKey;
    }

    private static byte[] Fill(int seed, int length = 32) => Enumerable.Range(seed, length).Select(i => (byte)i).ToArray();
}
