using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

/// <summary>
/// Per-device channel state (docs/session-protocol.md sections 4, 5, 7 and 8). Every write that follows an
/// accepted frame is conditional on the device still being active in this epoch, so a revocation committed
/// by any request or process stops the next frame even before this process has heard of it.
/// </summary>
internal interface IChannelStore
{
    Task<DeviceChannelRow?> LoadChannelAsync(string deviceId, CancellationToken ct);

    /// <summary>Persists the down-counter reservation before any counter below it is used (section 5).</summary>
    Task<bool> ReserveSendCountersAsync(string deviceId, uint epoch, ulong reservedLimit, CancellationToken ct);

    /// <summary>Persists the window after an accepted frame together with what the frame changes, in one transaction.</summary>
    Task<FrameRecordOutcome> RecordFrameAsync(string deviceId, uint epoch, WindowState window, FrameEffect effect, long now, int telemetryKept, CancellationToken ct);

    /// <summary>Persists the highest epoch offered before the rekey response goes out (section 7.5 step 2).</summary>
    Task<bool> OfferEpochAsync(string deviceId, uint epoch, CancellationToken ct);

    /// <summary>Switches the device to a confirmed epoch: new sealed keys, counters and window from zero.</summary>
    Task<bool> CommitEpochAsync(string deviceId, uint epoch, byte[] sealedKeys, string reason, long now, CancellationToken ct);

    /// <summary>Assigns the next command id (unique per device, from 1) and stores the command; 0 when the device is not active.</summary>
    Task<uint> AddCommandAsync(string deviceId, byte[] body, long now, CancellationToken ct);

    Task<IReadOnlyList<CommandRow>> ListCommandsAsync(string deviceId, CancellationToken ct);

    Task<IReadOnlyList<TelemetryRow>> ListTelemetryAsync(string deviceId, int limit, CancellationToken ct);

    Task<IReadOnlyList<IdentityHistoryRow>> ListIdentityHistoryAsync(string deviceId, CancellationToken ct);

    /// <summary>Devices whose broker client dynamic security has not created yet.</summary>
    Task<IReadOnlyList<string>> ListUnprovisionedBrokerClientsAsync(CancellationToken ct);

    /// <summary>Drops the sealed broker password once the broker holds the client (only the hash stays).</summary>
    Task ForgetBrokerPasswordAsync(string deviceId, CancellationToken ct);
}
