using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests;

/// <summary>Well-formed sample values of every message, small and large, for the codec contract tests.</summary>
internal static class Samples
{
    internal static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        for (var i = 0; i < length; i++)
            b[i] = (byte)((i * 31) + (seed * 17) + 1);
        return b;
    }

    internal static ServiceAddress PlainAddress() =>
        new("127.0.0.1", 1883, false, CaKind.None, null, ServiceAddress.DefaultRequestTopic, ServiceAddress.DefaultResultTopicPrefix);

    internal static ServiceAddress HashAddress() =>
        new("broker.example.com", 8883, true, CaKind.Sha256, Bytes(32, 7), "tenant/enroll/v1/request", "tenant/enroll/v1/result/");

    internal static ServiceAddress CertificateAddress() =>
        new("mqtt.example.org", 8883, true, CaKind.Certificate, Bytes(700, 9), "enroll/v1/request", "enroll/v1/result/");

    /// <summary>The largest address the format allows (2566 bytes).</summary>
    internal static ServiceAddress LargestAddress() =>
        new(new string('h', 253), 65535, true, CaKind.Certificate, Bytes(2048, 3), new string('t', 128), new string('r', 128));

    internal static ServiceAddress[] Addresses() => [PlainAddress(), HashAddress(), CertificateAddress(), LargestAddress()];

    internal static EnrollmentBundle Bundle(ServiceAddress address) =>
        new(Bytes(16, 1), 1_800_000_000, Bytes(32, 2), 7, 1_900_000_000, Bytes(32, 3), Bytes(64, 4), 0xA1B2C3D4, Bytes(32, 5), address);

    internal static EnrollmentMessage Message() =>
        new(Bytes(32, 11), Bytes(32, 12), 7, 0xA1B2C3D4, Bytes(EnrollmentMessage.CiphertextSize, 13));

    internal static EnrollmentOutcome Accepted() =>
        EnrollmentOutcome.Accepted("dev-0001", "dev/v1/dev-0001/", Utf8.GetBytes("dev-0001"), Bytes(40, 21), 100000, 86400);

    /// <summary>The largest outcome the format allows (590 bytes).</summary>
    internal static EnrollmentOutcome LargestAccepted() =>
        EnrollmentOutcome.Accepted(new string('d', 64), new string('p', 128), Utf8.GetBytes(new string('u', 128)), Bytes(256, 22), uint.MaxValue, uint.MaxValue);

    internal static EnrollmentOutcome[] Outcomes() =>
    [
        Accepted(),
        LargestAccepted(),
        EnrollmentOutcome.Accepted("x", "d/", [], [], 0, 0),
        EnrollmentOutcome.Rejection(EnrollmentStatus.Busy, 30),
        EnrollmentOutcome.Rejection(EnrollmentStatus.Expired, 0),
        EnrollmentOutcome.Rejection(EnrollmentStatus.Unknown, 0),
        EnrollmentOutcome.Rejection(EnrollmentStatus.Replayed, 0),
        EnrollmentOutcome.Rejection(EnrollmentStatus.Malformed, 0),
        EnrollmentOutcome.Rejection(EnrollmentStatus.Rejected, 0),
    ];

    internal static EnrollmentResult Result(int ciphertextLength) =>
        new(Bytes(32, 31), Bytes(12, 32), Bytes(ciphertextLength, 33));

    internal static EnrollmentNotice[] Notices() =>
    [
        new(Bytes(32, 41), EnrollmentStatus.Busy, 60),
        new(Bytes(32, 42), EnrollmentStatus.Busy, ProtocolConstants.MaxRetryAfterSeconds),
        new(Bytes(32, 43), EnrollmentStatus.Rejected, 0),
    ];
}
