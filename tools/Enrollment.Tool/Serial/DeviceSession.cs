using Enrollment.Enrollee.Link;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;

namespace Enrollment.Tool.Serial;

/// <summary>What the device said about itself in its HelloReply.</summary>
internal sealed record DeviceInfo(string EnrolleeId, byte[] EikPublic, string? PetName, string FirmwareVersion, byte State, byte Code)
{
    public string StateName => EnrolleeState.Name(State);

    public string CodeName => StatusCode.Name(Code);
}

/// <summary>One Status from the device.</summary>
internal sealed record DeviceStatus(byte State, byte Code, int Attempt, int WaitSeconds, string? DeviceId)
{
    public string StateName => EnrolleeState.Name(State);

    public string CodeName => StatusCode.Name(Code);
}

/// <summary>
/// The enroller's end of the serial protocol (docs/serial-protocol.md): the core's own
/// <see cref="EnrollerLink"/> (framing, CRC-32, stop-and-wait) and message codecs, driven from one thread.
/// Every wait has a deadline; every failure is a <see cref="ToolFailure"/> naming its kind.
/// </summary>
internal sealed partial class DeviceSession : ILinkHandler, IDisposable
{
    /// <summary>
    /// The device acknowledges within one poll period (20 ms on the ESP32) plus the wire time of a frame
    /// (12.5 ms at 115200 baud); 250 ms is the device's own figure (DeviceTimings.AckTimeoutMilliseconds).
    /// Eight retries give up after about 2.25 s of silence: long enough for a busy USB adapter, short enough
    /// that a pulled cable is reported at once.
    /// </summary>
    public const int AckTimeoutMilliseconds = 250;

    public const int MaxRetries = 8;

    private readonly PortLink _port;
    private readonly EnrollerLink _link;
    private readonly Queue<(byte Type, byte[] Payload)> _inbox = new();
    private readonly List<byte> _failedSends = [];
    private readonly byte[] _buffer = new byte[Limits.MaxBundleMessage];

    public DeviceSession(PortLink port)
    {
        _port = port;
        var options = new LinkOptions
        {
            AckTimeoutMilliseconds = AckTimeoutMilliseconds,
            MaxRetries = MaxRetries,
            QueueSlots = 2,
            SlotSize = Limits.MaxBundleMessage,
        };
        _link = new EnrollerLink(port, new HostClock(), this, options);
    }

    public LinkCounters Counters => _link.Counters;

    public string PortPath => _port.Path;

    void ILinkHandler.OnMessage(byte type, byte[] payload, int offset, int count) =>
        _inbox.Enqueue((type, payload.AsSpan(offset, count).ToArray()));

    void ILinkHandler.OnSendFailed(byte type) => _failedSends.Add(type);

    void ILinkHandler.OnMessageTooLarge(byte type)
    {
        // The device sends nothing near the limit; a too-large message is line noise or another protocol.
    }

    /// <summary>Opens a session: Hello with our link versions, until a HelloReply answers it.</summary>
    public DeviceInfo Hello(TimeSpan timeout, CancellationToken ct)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var hello = new HelloMessage { VersionCount = 1 };
        hello.Versions[0] = Frame.Version1;
        SendHello(hello);
        long retryAt = long.MaxValue;
        var reply = new HelloReplyMessage();
        var error = new ErrorMessage();
        while (Environment.TickCount64 < deadline)
        {
            Pump(deadline, ct);
            if (_port.Lost != null)
            {
                throw new ToolFailure(ExitCode.LinkLost, "The port " + PortPath + " failed while saying hello: " + _port.Lost);
            }

            while (_inbox.TryDequeue(out var m))
            {
                if (m.Type == MessageType.HelloReply && reply.TryDecode(m.Payload, 0, m.Payload.Length) && reply.SelectedVersion != 0)
                {
                    _link.NegotiatedVersion = reply.SelectedVersion;
                    return new DeviceInfo(Convert.ToHexStringLower(reply.EnrolleeId, 0, reply.EnrolleeIdLength), reply.EikPublic[..Limits.PublicKeySize],
                        reply.PetNameLength > 0 ? System.Text.Encoding.UTF8.GetString(reply.PetName, 0, reply.PetNameLength) : null,
                        System.Text.Encoding.UTF8.GetString(reply.FirmwareVersion, 0, reply.FirmwareVersionLength), reply.State, reply.Code);
                }

                if (m.Type == MessageType.Error && error.TryDecode(m.Payload, 0, m.Payload.Length) && error.Code == ErrorCode.NotReady)
                {
                    // No identity yet (the device waits for its random generator): ask again shortly.
                    retryAt = Environment.TickCount64 + 300;
                }
            }

            if (Environment.TickCount64 >= retryAt && _link.IsIdle)
            {
                retryAt = long.MaxValue;
                SendHello(hello);
            }

            if (_failedSends.Remove(MessageType.Hello))
            {
                break;
            }
        }

        throw Unanswered("hello", timeout);
    }

    /// <summary>Sends Bundle (Wi-Fi settings, pet name, bundle) and waits until the device says it stored it.</summary>
    public DeviceStatus SendBundle(BundleMessage message, TimeSpan timeout, CancellationToken ct)
    {
        int count = message.Encode(_buffer, 0);
        int sentBefore = _link.Counters.MessagesSent;
        try
        {
            if (!_link.TrySend(MessageType.Bundle, _buffer, 0, count))
            {
                throw new ToolFailure(ExitCode.Internal, "The link's send queue refused the bundle message (" + count + " bytes).");
            }
        }
        finally
        {
            // The Wi-Fi password is in there: the link keeps its own copy until acknowledged.
            Array.Clear(_buffer);
        }

        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var error = new ErrorMessage();
        while (Environment.TickCount64 < deadline)
        {
            Pump(deadline, ct);
            if (_port.Lost != null)
            {
                throw new ToolFailure(ExitCode.LinkLost, "The port " + PortPath + " failed during the bundle transfer (" + _port.Lost.TrimEnd('.')
                    + "). The device did not get its bundle.");
            }

            if (_failedSends.Remove(MessageType.Bundle))
            {
                throw new ToolFailure(ExitCode.LinkLost, "The device on " + PortPath + " stopped acknowledging during the bundle transfer "
                    + "(cable pulled or device reset). It did not get its bundle.");
            }

            while (_inbox.TryDequeue(out var m))
            {
                if (m.Type == MessageType.Error && error.TryDecode(m.Payload, 0, m.Payload.Length) && error.About == MessageType.Bundle)
                {
                    throw new ToolFailure(ExitCode.DeviceRefused, "The device refused the bundle: " + ErrorName(error.Code) + ".");
                }

                var status = DecodeStatus(m);
                if (status != null && _link.Counters.MessagesSent > sentBefore && status.State >= EnrolleeState.BundleReceived)
                {
                    return status;
                }
            }
        }

        throw new ToolFailure(ExitCode.LinkLost, "The device on " + PortPath + " did not confirm the bundle within " + timeout.TotalSeconds + " s.");
    }

    public void Dispose() => _port.Dispose();

    internal static string ErrorName(byte code) => code switch
    {
        ErrorCode.Malformed => "malformed message",
        ErrorCode.UnsupportedVersion => "unsupported link version",
        ErrorCode.UnexpectedMessage => "unexpected message",
        ErrorCode.WrongState => "wrong state (an attempt is in progress, or it is already enrolled: factory-reset it first)",
        ErrorCode.BundleRejected => "bundle rejected (unreadable, expired or badly signed)",
        ErrorCode.TooLarge => "message too large",
        ErrorCode.ConfirmationMismatch => "confirmation mismatch",
        ErrorCode.NotReady => "not ready (no identity yet)",
        ErrorCode.StorageFailed => "its storage failed",
        _ => "error " + code,
    };

    private void SendHello(HelloMessage hello)
    {
        int n = hello.Encode(_buffer, 0);
        _link.TrySend(MessageType.Hello, _buffer, 0, n);
    }

    private static DeviceStatus? DecodeStatus((byte Type, byte[] Payload) m)
    {
        var status = new StatusMessage();
        if (m.Type != MessageType.Status || !status.TryDecode(m.Payload, 0, m.Payload.Length))
        {
            return null;
        }

        return new DeviceStatus(status.State, status.Code, status.Attempt, status.WaitSeconds,
            status.DeviceIdLength > 0 ? System.Text.Encoding.ASCII.GetString(status.DeviceId, 0, status.DeviceIdLength) : null);
    }

    /// <summary>Runs the link until bytes arrive or 10 ms pass (its retransmission timers need the ticks).</summary>
    private void Pump(long deadline, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        int wait = (int)Math.Clamp(deadline - Environment.TickCount64, 0, 10);
        _port.Signal.Wait(wait, ct);
        _link.Poll();
    }

    /// <summary>Why a request got no answer: nothing at all, garbage, or another protocol.</summary>
    private ToolFailure Unanswered(string what, TimeSpan timeout)
    {
        if (_port.Lost != null)
        {
            return new ToolFailure(ExitCode.LinkLost, "The port " + PortPath + " failed: " + _port.Lost);
        }

        if (_port.BytesReceived == 0)
        {
            return new ToolFailure(ExitCode.NoAnswer, "Nothing answered the " + what + " on " + PortPath
                + ": is a device connected and powered, running the enrollee firmware, on this port?");
        }

        if (_link.Counters.FramesAccepted == 0)
        {
            var sample = _port.Sample;
            if (LooksLikeText(sample))
            {
                return new ToolFailure(ExitCode.NotAnEnrollee, "The device on " + PortPath + " is not an enrollee: it sends text (\""
                    + Printable(sample) + "\") and no enrollment frame.");
            }

            return new ToolFailure(ExitCode.LineGarbled, "Bytes arrive on " + PortPath + " (" + _port.BytesReceived + " bytes) but none forms a valid frame: most likely the baud rate is wrong (--baud; enrollees use 115200).");
        }

        return new ToolFailure(ExitCode.NotAnEnrollee, "The device on " + PortPath + " speaks frames but did not answer the " + what
            + " as an enrollee does (no HelloReply).");
    }

    /// <summary>At least 85% printable ASCII or line breaks: random bytes manage about 38%.</summary>
    internal static bool LooksLikeText(ReadOnlySpan<byte> sample)
    {
        if (sample.Length < 4)
        {
            return false;
        }

        int text = 0;
        foreach (byte b in sample)
        {
            if ((b >= 0x20 && b < 0x7F) || b == '\r' || b == '\n' || b == '\t')
            {
                text++;
            }
        }

        return text * 100 >= sample.Length * 85;
    }

    private static string Printable(ReadOnlySpan<byte> sample)
    {
        var chars = new char[Math.Min(sample.Length, 60)];
        for (int i = 0; i < chars.Length; i++)
        {
            byte b = sample[i];
            chars[i] = b >= 0x20 && b < 0x7F ? (char)b : ' ';
        }

        return new string(chars).Trim();
    }
}
