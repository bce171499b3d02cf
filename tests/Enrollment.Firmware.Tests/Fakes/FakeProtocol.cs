using System.Security.Cryptography;
using System.Text;
using Enrollment.Enrollee.Enrolling;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>
/// A stand-in for the protocol seam, used to test the state machine on its own (the real X3DH functions
/// are exercised by the tests that use <c>ProtocolAdapter</c>). Keys are hashes, the result is tagged with
/// HMAC-SHA256 under an attempt key derived from EK_B, so that a result for another attempt is rejected as
/// the real AEAD would reject it. It records every EK_B it was given, for the no-reuse assertions.
/// </summary>
internal sealed class FakeProtocol : IEnrolleeProtocol
{
    public const string ResultTopicPrefix = "enroll/v1/results/";

    public List<byte[]> EphemeralPrivates { get; } = new();

    public int MaxMessageSize => 96;

    public static byte[] PublicOf(byte[] privateKey) => SHA256.HashData(Concat("pub", privateKey));

    public static byte[] IdOf(byte[] eikPublic) => SHA256.HashData(eikPublic);

    public static byte[] AttemptKey(byte[] ekPublic) => SHA256.HashData(Concat("sk", ekPublic));

    /// <summary>A bundle this fake accepts (version byte 1) or rejects as badly signed (anything else).</summary>
    public static byte[] Bundle(byte version = 1) => new byte[] { (byte)'F', (byte)'B', version, 0x42 };

    public void MakePublicKey(byte[] privateKey, byte[] publicKey) => PublicOf(privateKey).CopyTo(publicKey, 0);

    public int MakeEnrolleeId(byte[] eikPublic, byte[] id)
    {
        IdOf(eikPublic).CopyTo(id, 0);
        return 32;
    }

    /// <summary>Time at and after which the fake bundle is expired (0 = never).</summary>
    public long ExpiresAt { get; set; }

    public List<long> TimesSeen { get; } = new();

    public bool ReadBundle(byte[] bundle, int count, long nowUnixSeconds, byte[] enrolleeId, int enrolleeIdLength, BundleInfo info)
    {
        TimesSeen.Add(nowUnixSeconds);
        if (count != 4 || bundle[0] != 'F' || bundle[1] != 'B' || bundle[2] != 1 || Expired(nowUnixSeconds))
        {
            return false;
        }

        info.Mqtt.Host = "broker.test";
        info.Mqtt.Port = 8883;
        info.Mqtt.UseTls = true;
        info.Mqtt.CaKind = 2;
        info.Mqtt.CaData = Encoding.ASCII.GetBytes("CA-DER");
        info.RequestTopic = "enroll/v1/requests";
        info.ResultTopic = ResultTopicPrefix + Convert.ToHexStringLower(enrolleeId, 0, 10);
        return true;
    }

    private bool Expired(long now) => ExpiresAt != 0 && now != 0 && now >= ExpiresAt;

    public int BuildMessage(byte[] bundle, int bundleCount, long nowUnixSeconds, byte[] eikPrivate, byte[] ekPrivate,
        byte[] ikPrivate, byte[] ikPublic, byte[] signatureRandom, byte[] message, byte[] attemptState,
        out int attemptStateLength)
    {
        attemptStateLength = 0;
        TimesSeen.Add(nowUnixSeconds);
        if (Expired(nowUnixSeconds))
        {
            return BuildFailure.Expired;
        }

        byte[] eikPublic = PublicOf(eikPrivate);
        EphemeralPrivates.Add((byte[])ekPrivate.Clone());
        byte[] ekPublic = PublicOf(ekPrivate);
        PublicOf(ikPrivate).CopyTo(ikPublic, 0);
        ekPublic.CopyTo(message, 0);
        eikPublic.CopyTo(message, 32);
        ikPublic.CopyTo(message, 64);
        AttemptKey(ekPublic).CopyTo(attemptState, 0);
        attemptStateLength = 32;
        return 96;
    }

    public bool ReadResult(byte[] attemptState, int attemptStateLength, byte[] result, int offset, int count,
        EnrollmentResult into)
    {
        if (count < 33)
        {
            return false;
        }

        byte[] body = result.AsSpan(offset + 32, count - 32).ToArray();
        byte[] tag = HMACSHA256.HashData(attemptState.AsSpan(0, attemptStateLength), body);
        if (!CryptographicOperations.FixedTimeEquals(tag, result.AsSpan(offset, 32)))
        {
            return false;
        }

        into.Outcome = body[0];
        into.RetryAfterSeconds = (body[1] << 8) | body[2];
        into.DeviceIdLength = body[3];
        body.AsSpan(4, body[3]).CopyTo(into.DeviceId);
        into.SessionLength = body[4 + body[3]];
        body.AsSpan(5 + body[3], into.SessionLength).CopyTo(into.Session);
        return true;
    }

    /// <summary>What the fake service publishes: tag || outcome || retry-after || id || session.</summary>
    public static byte[] Result(byte[] attemptKey, int outcome, int retryAfter, byte[] deviceId, byte[] session)
    {
        var body = new List<byte> { (byte)outcome, (byte)(retryAfter >> 8), (byte)retryAfter, (byte)deviceId.Length };
        body.AddRange(deviceId);
        body.Add((byte)session.Length);
        body.AddRange(session);
        byte[] b = body.ToArray();
        return HMACSHA256.HashData(attemptKey, b).Concat(b).ToArray();
    }

    private static byte[] Concat(string label, byte[] data) => Encoding.ASCII.GetBytes(label).Concat(data).ToArray();
}

/// <summary>
/// The fake service behind the fake broker, following docs/protocol.md section 11: answers each new
/// enrollment message with the next scripted outcome (then Accepted); a redelivery of the identical message
/// gets the identical stored answer; the same EK_B in a DIFFERENT message is an ephemeral key reused by the
/// device, which it counts (the tests assert it never happens) and answers "replayed".
/// </summary>
internal sealed class FakeService : IServiceHandler
{
    private readonly Dictionary<string, (byte[] Message, byte[] Result)> _byEphemeral = new();

    public Queue<(int Outcome, int RetryAfter)> Script { get; } = new();
    public List<byte[]> Messages { get; } = new();
    public int EphemeralReuses { get; private set; }
    public int Redeliveries { get; private set; }
    public bool Silent { get; set; }
    public byte[] DeviceId { get; } = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    public byte[] Session { get; } = Enumerable.Range(100, 64).Select(i => (byte)i).ToArray();

    public void Handle(FakeBroker broker, byte[] message)
    {
        Messages.Add(message);
        if (Silent)
        {
            return;
        }

        byte[] ekPublic = message.AsSpan(0, 32).ToArray();
        byte[] eikPublic = message.AsSpan(32, 32).ToArray();
        string topic = FakeProtocol.ResultTopicPrefix + Convert.ToHexStringLower(FakeProtocol.IdOf(eikPublic), 0, 10);
        string key = Convert.ToHexString(ekPublic);
        if (_byEphemeral.TryGetValue(key, out var seen))
        {
            if (seen.Message.AsSpan().SequenceEqual(message))
            {
                Redeliveries++;
                broker.Publish(topic, seen.Result);
                return;
            }

            EphemeralReuses++;
            broker.Publish(topic, FakeProtocol.Result(FakeProtocol.AttemptKey(ekPublic), EnrollmentResult.Replayed, 0, DeviceId, Session));
            return;
        }

        var (outcome, retryAfter) = Script.Count > 0 ? Script.Dequeue() : (EnrollmentResult.Accepted, 0);
        byte[] result = FakeProtocol.Result(FakeProtocol.AttemptKey(ekPublic), outcome, retryAfter, DeviceId, Session);
        if (outcome == EnrollmentResult.Accepted)
        {
            // Like the real service (docs/protocol.md section 11): only an acceptance is stored and answered
            // again; any other outcome consumed nothing, so the same message may be tried again.
            _byEphemeral[key] = (message, result);
        }

        broker.Publish(topic, result);
    }
}
