namespace Enrollment.Tool;

/// <summary>
/// The tool's exit codes: one per kind of outcome, so that a factory-line script can act on each
/// (docs/enroll-tool.md carries the same table; <see cref="Table"/> prints it in --help).
/// Values are an API: never renumber.
/// </summary>
internal enum ExitCode
{
    Ok = 0,
    Internal = 1,
    Usage = 2,
    PortUnavailable = 3,
    NoAnswer = 4,
    LineGarbled = 5,
    NotAnEnrollee = 6,
    LinkLost = 7,
    DeviceRefused = 8,
    AuthRejected = 9,
    ServiceUnreachable = 10,
    RegistrationQueued = 11,
    EnrollmentFailed = 12,
    WaitTimedOut = 13,
    ServiceError = 14,
    BatchMixed = 15,
}

internal static class ExitCodes
{
    public static readonly IReadOnlyList<(ExitCode Code, string Meaning)> Table =
    [
        (ExitCode.Ok, "done (with --wait: the device reported enrolled)"),
        (ExitCode.Internal, "unexpected internal error (a bug: please report it)"),
        (ExitCode.Usage, "bad arguments or configuration (missing token, plain HTTP to a non-loopback host, ...)"),
        (ExitCode.PortUnavailable, "the serial port cannot be opened (missing, busy, no permission)"),
        (ExitCode.NoAnswer, "nothing answered on the port (no device, not powered, wrong port)"),
        (ExitCode.LineGarbled, "bytes arrived but no valid frame: most likely the wrong --baud"),
        (ExitCode.NotAnEnrollee, "the device on the port is not an enrollee (it speaks something else)"),
        (ExitCode.LinkLost, "the device stopped answering mid-transfer (cable pulled, reset)"),
        (ExitCode.DeviceRefused, "the device refused (already enrolled or enrolling, bundle rejected, storage failed)"),
        (ExitCode.AuthRejected, "the service rejected the enroller token (expired or revoked: 401/403)"),
        (ExitCode.ServiceUnreachable, "the service is unreachable and nothing could be done offline"),
        (ExitCode.RegistrationQueued, "the device has its bundle but the registration is queued: run `enroll queue flush`"),
        (ExitCode.EnrollmentFailed, "with --wait: the device reported a final enrollment failure"),
        (ExitCode.WaitTimedOut, "with --wait: no final status before --timeout"),
        (ExitCode.ServiceError, "the service refused a request (bundle expired or unknown, conflict, server error)"),
        (ExitCode.BatchMixed, "batch: devices ended with different failures (see each device's line)"),
    ];

    public static string HelpText()
    {
        var lines = new System.Text.StringBuilder("Exit codes:\n");
        foreach (var (code, meaning) in Table)
        {
            lines.Append("  ").Append(((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(2))
                .Append("  ").Append(meaning).Append('\n');
        }

        return lines.ToString();
    }

    /// <summary>A batch's code: the common code if every device ended alike, else <see cref="ExitCode.BatchMixed"/>.</summary>
    public static ExitCode Combine(IEnumerable<ExitCode> codes)
    {
        var distinct = codes.Distinct().ToList();
        return distinct.Count switch
        {
            0 => ExitCode.Ok,
            1 => distinct[0],
            _ => ExitCode.BatchMixed,
        };
    }
}

/// <summary>A failure the tool explains to its user: a clear message and the exit code that names its kind.</summary>
internal sealed class ToolFailure : Exception
{
    public ToolFailure(ExitCode code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    public ExitCode Code { get; }
}
