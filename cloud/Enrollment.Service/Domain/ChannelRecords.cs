namespace Enrollment.Service.Domain;

// Rows of the secure channel (docs/session-protocol.md; migration 2). Times are Unix milliseconds; uint64
// counters and window bitmaps travel as their two's-complement long (BIGINT has no unsigned form).

internal static class ChannelState
{
    public const string Active = "active";
    public const string Revoked = "revoked";
}

/// <summary>The replay window of section 4: highest accepted counter and the 128-bit map below it.</summary>
internal readonly record struct WindowState(bool Any, ulong Top, ulong Low, ulong High)
{
    public static readonly WindowState Empty = new(false, 0, 0, 0);
}

/// <summary>
/// What the enrollment transaction writes for a new device: epoch 0 keys sealed with the KEK, the broker
/// password's SHA-256 and, only when dynamic security must still create the broker client, the password
/// sealed with the KEK.
/// </summary>
internal sealed record ChannelInit(string DeviceId, byte[] SealedKeys, byte[] BrokerPasswordHash, byte[]? SealedBrokerPassword, long At);

/// <summary>A device's channel as stored, with its current IK_B (enrollees.ik_b) and Hash(EIK_B) (its enrollee id, which names its result topic).</summary>
internal sealed record DeviceChannelRow(
    string DeviceId,
    string State,
    uint Epoch,
    byte[] SealedKeys,
    ulong SendReserved,
    WindowState Window,
    uint OfferedEpoch,
    byte[] BrokerPasswordHash,
    byte[]? SealedBrokerPassword,
    byte[] IdentityKey,
    long? RevokedAt,
    byte[] EikHash);

/// <summary>What an accepted up frame changes besides the window.</summary>
internal abstract record FrameEffect
{
    public sealed record None : FrameEffect;

    public sealed record Telemetry(ulong Counter, byte[] Payload) : FrameEffect;

    public sealed record Acknowledgement(uint CommandId, byte Status, byte[] Detail) : FrameEffect;

    /// <summary>IK_B replaced by IK_B' (section 8): identity updated and a history row appended.</summary>
    public sealed record Rotation(byte[] OldKey, byte[] NewKey, byte[] Request) : FrameEffect;
}

internal enum FrameRecordOutcome
{
    Recorded,
    /// <summary>The device was revoked (by another process or request) or its epoch moved: nothing was written.</summary>
    NotActive,
}

internal sealed record TelemetryRow(long Id, long At, uint Epoch, ulong Counter, byte[] Payload);

internal sealed record CommandRow(uint CommandId, byte[] Body, long CreatedAt, long? AckedAt, int? AckStatus, byte[]? AckDetail, long? ExpiredAt = null);

/// <summary>The commands to send again in a new epoch (oldest first) and how many were just marked expired.</summary>
internal sealed record CommandResend(IReadOnlyList<CommandRow> Commands, int Expired);

internal sealed record IdentityHistoryRow(long Id, long At, byte[] OldKey, byte[] NewKey, byte[] Request);
