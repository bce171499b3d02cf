using System.Security.Cryptography;
using Enrollment.Enrollee.Enrolling;

namespace Enrollment.Tool.Tests;

/// <summary>
/// A stand-in for the enrollee's protocol functions, for tests about the serial link and the service API
/// only: it accepts bundles that <see cref="FakeService"/> issues (they start with <see cref="Magic"/>)
/// and points the device at a broker port where nothing listens, so the device stays before enrollment.
/// The real protocol runs in the end-to-end tests against the real service.
/// </summary>
internal sealed class FakeProtocol : IEnrolleeProtocol
{
    public static readonly byte[] Magic = "FAKEBUNDLE"u8.ToArray();

    public int MaxMessageSize => 256;

    /// <summary>Takes any bundle (the real service's too) without verifying it.</summary>
    public bool AcceptAnyBundle { get; init; }

    public void MakePublicKey(byte[] privateKey, byte[] publicKey) => SHA256.HashData(privateKey.AsSpan(0, 32), publicKey);

    public int MakeEnrolleeId(byte[] eikPublic, byte[] id)
    {
        SHA256.HashData(eikPublic.AsSpan(0, 32), id);
        return 32;
    }

    public bool ReadBundle(byte[] bundle, int count, long nowUnixSeconds, byte[] enrolleeId, int enrolleeIdLength, BundleInfo info)
    {
        if (!AcceptAnyBundle && (count < Magic.Length || !bundle.AsSpan(0, Magic.Length).SequenceEqual(Magic)))
        {
            return false;
        }

        info.Mqtt.Host = "127.0.0.1";
        info.Mqtt.Port = 9;
        info.RequestTopic = "enroll/v1/request";
        info.ResultTopic = "enroll/v1/result/x";
        return true;
    }

    public int BuildMessage(byte[] bundle, int bundleCount, long nowUnixSeconds, byte[] eikPrivate, byte[] ekPrivate, byte[] ikPrivate,
        byte[] ikPublic, byte[] signatureRandom, byte[] message, byte[] attemptState, out int attemptStateLength)
    {
        attemptStateLength = 0;
        return 0;
    }

    public bool ReadResult(byte[] attemptState, int attemptStateLength, byte[] result, int offset, int count, EnrollmentResult into) => false;
}
