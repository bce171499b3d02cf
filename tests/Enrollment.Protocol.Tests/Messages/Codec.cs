using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests.Messages;

/// <summary>
/// One decoder behind a uniform shape, so the contract suite and the robustness test run over every message
/// type: Decode returns the canonical re-encoding of what it decoded, or null for a format error.
/// </summary>
public sealed class Codec
{
    private readonly Func<byte[], int, int, byte[]?> _decode;

    private Codec(string name, int maxSize, Func<byte[], int, int, byte[]?> decode)
    {
        Name = name;
        MaxSize = maxSize;
        _decode = decode;
    }

    public string Name { get; }

    /// <summary>Largest valid encoding.</summary>
    public int MaxSize { get; }

    public byte[]? Decode(byte[] buffer) => _decode(buffer, 0, buffer.Length);

    public byte[]? Decode(byte[] buffer, int offset, int count) => _decode(buffer, offset, count);

    public override string ToString() => Name;

    public static readonly Codec Bundle = new("bundle", EnrollmentBundle.MaxSize,
        (b, o, c) => EnrollmentBundle.TryDecode(b, o, c, out var m) ? m.Encode() : null);

    public static readonly Codec Address = new("address", ServiceAddress.MaxEncodedLength,
        (b, o, c) => ServiceAddress.TryDecode(b, o, c, out var m) ? m.Encode() : null);

    public static readonly Codec Message = new("message", EnrollmentMessage.Size,
        (b, o, c) => EnrollmentMessage.TryDecode(b, o, c, out var m) ? m.Encode() : null);

    public static readonly Codec Result = new("result", EnrollmentResult.MaxSize,
        (b, o, c) => EnrollmentResult.TryDecode(b, o, c, out var m) ? m.Encode() : null);

    public static readonly Codec Outcome = new("outcome", EnrollmentOutcome.MaxEncodedLength,
        (b, o, c) => EnrollmentOutcome.TryDecode(b, o, c, out var m) ? m.Encode() : null);

    public static readonly Codec Notice = new("notice", EnrollmentNotice.Size,
        (b, o, c) => EnrollmentNotice.TryDecode(b, o, c, out var m) ? m.Encode() : null);

    public static readonly Codec[] All = [Bundle, Address, Message, Result, Outcome, Notice];

    /// <summary>Valid encodings of each codec's message type, covering each variant and the largest size.</summary>
    public static byte[][] ValidSamples(Codec codec)
    {
        if (codec == Bundle)
            return Samples.Addresses().Select(a => Samples.Bundle(a).Encode()).ToArray();
        if (codec == Address)
            return Samples.Addresses().Select(a => a.Encode()).ToArray();
        if (codec == Message)
            return [Samples.Message().Encode()];
        if (codec == Result)
            return [Samples.Result(EnrollmentResult.MinCiphertextSize).Encode(), Samples.Result(100).Encode(), Samples.Result(EnrollmentResult.MaxCiphertextSize).Encode()];
        if (codec == Outcome)
            return Samples.Outcomes().Select(o => o.Encode()).ToArray();
        return Samples.Notices().Select(n => n.Encode()).ToArray();
    }

    /// <summary>Whether the codec's encodings start with the type and version bytes (the address and outcome are inner structures).</summary>
    public bool HasHeader => this != Address && this != Outcome;
}
