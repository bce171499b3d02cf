namespace Enrollment.Tool.Provisioning;

/// <summary>What to provision on one port.</summary>
internal sealed record ProvisionRequest(string Port, int Baud, string? PetName, byte[] Ssid, byte[] WifiPassword, bool Wait, TimeSpan WaitTimeout);

/// <summary>One device's outcome, printed as one JSON object per device with --json (docs/enroll-tool.md).</summary>
internal sealed class ProvisionReport
{
    public required string Port { get; init; }

    public int ExitCode { get; set; }

    public string Outcome { get; set; } = "ok";

    public string? Message { get; set; }

    /// <summary>The device's enrollee id (hex SHA-256 of EIK_B), from its HelloReply.</summary>
    public string? EnrolleeId { get; set; }

    public string? PetName { get; set; }

    public string? Firmware { get; set; }

    /// <summary>The service's id of the pending enrollee (for DELETE /v1/enrollees/{id}).</summary>
    public string? ServiceEnrolleeId { get; set; }

    public string? BundleId { get; set; }

    public bool RegistrationQueued { get; set; }

    public string? State { get; set; }

    public string? Status { get; set; }

    public string? DeviceId { get; set; }

    /// <summary>Port open to bundle stored: the enroller's own time, without the device's enrollment compute.</summary>
    public long ToolMilliseconds { get; set; }

    /// <summary>Of which: opening the port.</summary>
    public long OpenMilliseconds { get; set; }

    /// <summary>Of which: Hello to HelloReply.</summary>
    public long HelloMilliseconds { get; set; }

    /// <summary>Of which: waiting for the service (bundle cache and registration).</summary>
    public long ServiceMilliseconds { get; set; }

    /// <summary>Of which: the Bundle message over the link until the device confirmed it stored it.</summary>
    public long TransferMilliseconds { get; set; }

    public long TotalMilliseconds { get; set; }
}

/// <summary>The steps a device goes through, for the live display.</summary>
internal enum Stage
{
    Opening,
    Hello,
    Bundle,
    Registering,
    Transferring,
    Enrolling,
    Done,
    Failed,
}
