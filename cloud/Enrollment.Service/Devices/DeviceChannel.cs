using Enrollment.Protocol.Session;
using Enrollment.Service.Domain;
using Enrollment.Service.Protocol;

namespace Enrollment.Service.Devices;

/// <summary>
/// One device's channel in memory: the up receiver (replay window), the down sender (counters), the
/// pending rekey handshake and the revocation flag. Every use holds <see cref="Gate"/>, so frames of one
/// device are handled one at a time while different devices run in parallel. The database row is the
/// durable copy; this object is rebuilt from it after a restart or a failed write.
/// </summary>
internal sealed class DeviceChannel
{
    private readonly ReservedCounters _counters = new();
    private readonly TokenBucket _inits = new();

    public DeviceChannel(string deviceId, byte[] identityKey, uint offeredEpoch, bool revoked, long? revokedAt)
    {
        DeviceId = deviceId;
        IdentityKey = identityKey;
        OfferedEpoch = offeredEpoch;
        Revoked = revoked;
        RevokedAt = revokedAt;
    }

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public string DeviceId { get; }

    /// <summary>
    /// The protocol's enrollee id text (Hash(EIK_B)): what the device reported in its hello and what the APIs and
    /// lifecycle events call its device id beside the record id <see cref="DeviceId"/>.
    /// </summary>
    public string? EnrolleeIdText { get; init; }

    /// <summary>Set (under the gate) the moment a revocation is known; from then on every message is dropped.</summary>
    public volatile bool Revoked;

    public long? RevokedAt { get; set; }

    public byte[] IdentityKey { get; set; }

    public uint Epoch => Receiver.Epoch;

    public uint OfferedEpoch { get; set; }

    public ChannelReceiver Receiver { get; private set; } = null!;

    public ChannelSender Sender { get; private set; } = null!;

    public RekeyResponder? Pending { get; private set; }

    public long? LastRevocationNoticeAt { get; set; }

    /// <summary>
    /// Hash(EIK_B) of the device's enrollment, while its sealed result may still be retained at the broker
    /// (loaded at epoch 0 with no up frame yet); null once the device has been heard and the result cleared.
    /// </summary>
    public byte[]? RetainedResultOf { get; set; }

    /// <summary>The value the database holds for the down reservation of this epoch.</summary>
    public ulong DurableReservation
    {
        get => _counters.Durable;
        set => _counters.Durable = value;
    }

    /// <summary>
    /// Switches to an epoch's keys (copied): sender from <paramref name="sendFrom"/>, receiver with <paramref name="window"/>.
    /// Both seal and open on libsodium (the shared managed AEAD is the device's).
    /// </summary>
    public void Install(uint epoch, byte[] up, byte[] down, ulong sendFrom, WindowState window, int reservationBlock)
    {
        Receiver?.Clear();
        Sender?.Clear();
        Receiver = new ChannelReceiver(up, epoch, DeviceId, ChannelDirection.Up, LibsodiumX3dhPrimitives.Instance);
        Receiver.RestoreWindow(window.Any, window.Top, window.Low, window.High);
        _counters.Epoch = epoch;
        _counters.Durable = sendFrom;
        Sender = new ChannelSender(down, epoch, sendFrom, DeviceId, ChannelDirection.Down, _counters, reservationBlock, LibsodiumX3dhPrimitives.Instance);
    }

    public WindowState ExportWindow()
    {
        Receiver.ExportWindow(out var any, out var top, out var low, out var high);
        return new WindowState(any, top, low, high);
    }

    /// <summary>A newer init replaces a pending handshake (docs/session-protocol.md section 7.5 step 2).</summary>
    public void SetPending(RekeyResponder? responder)
    {
        Pending?.Clear();
        Pending = responder;
    }

    /// <summary>Rekey inits of this device: <paramref name="perMinute"/> per minute, bursts of the same size.</summary>
    public bool TakeInitToken(long nowMs, int perMinute) => _inits.TryTake(nowMs, perMinute, 60_000);

    public void Clear()
    {
        Receiver?.Clear();
        Sender?.Clear();
        SetPending(null);
    }

    /// <summary>
    /// The sender's ICounterStore. ChannelSender.Reserve is synchronous, so the service writes the reservation
    /// to the database asynchronously first (ChannelService.SealDownAsync) and this store only confirms that
    /// the limit the sender asks for is already durable: a sender can never run past what the database holds.
    /// </summary>
    private sealed class ReservedCounters : ICounterStore
    {
        public uint Epoch { get; set; }

        public ulong Durable { get; set; }

        public bool Reserve(uint epoch, ulong reservedLimit) => epoch == Epoch && reservedLimit <= Durable;
    }
}
