using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Fuzz;

/// <summary>
/// One fuzz target per decoder. A target throws (which the fuzzer records as a crash) when the decoder lets
/// anything escape, or when a decoded message does not re-encode to exactly the input (the encoding is
/// canonical, docs/protocol.md section 5, and Addr is authenticated as bytes).
/// </summary>
internal static class Targets
{
    public static readonly string[] Names = ["bundle", "address", "message", "result", "outcome", "notice", "open-message", "open-result"];

    public static bool TryGet(string name, out Action<byte[]> target)
    {
        target = name switch
        {
            "bundle" => b => Check(b, EnrollmentBundle.TryDecode(b, 0, b.Length, out var m) ? m.Encode() : null),
            "address" => b => Check(b, ServiceAddress.TryDecode(b, 0, b.Length, out var m) ? m.Encode() : null),
            "message" => b => Check(b, EnrollmentMessage.TryDecode(b, 0, b.Length, out var m) ? m.Encode() : null),
            "result" => b => Check(b, EnrollmentResult.TryDecode(b, 0, b.Length, out var m) ? m.Encode() : null),
            "outcome" => b => Check(b, EnrollmentOutcome.TryDecode(b, 0, b.Length, out var m) ? m.Encode() : null),
            "notice" => b => Check(b, EnrollmentNotice.TryDecode(b, 0, b.Length, out var m) ? m.Encode() : null),
            "open-message" => CryptoTargets.OpenMessage,
            "open-result" => CryptoTargets.OpenResult,
            _ => null!,
        };
        return target != null;
    }

    private static void Check(byte[] input, byte[]? reencoded)
    {
        if (reencoded != null && !reencoded.AsSpan().SequenceEqual(input))
            throw new InvalidOperationException("decoded value does not re-encode to the input (non-canonical)");
    }
}
