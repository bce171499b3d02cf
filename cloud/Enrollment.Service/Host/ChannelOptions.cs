using System.ComponentModel.DataAnnotations;

namespace Enrollment.Service.Host;

/// <summary>The secure channel after enrollment (docs/session-protocol.md), section "Enrollment:Channel".</summary>
internal sealed class ChannelOptions
{
    /// <summary>Told to each device in its enrollment result: rekey after this many frames (0 = the device's default, 1 000 000).</summary>
    [Range(0, int.MaxValue)]
    public int RekeyAfterMessages { get; set; }

    /// <summary>Told to each device: rekey after this many seconds (0 = the device's default, 86 400).</summary>
    [Range(0, int.MaxValue)]
    public int RekeyAfterSeconds { get; set; }

    /// <summary>Down counters reserved per database write (docs/session-protocol.md section 5: one write per block).</summary>
    [Range(1, 1_000_000)]
    public int CounterReservationBlock { get; set; } = 64;

    /// <summary>Telemetry messages kept per device for the operator API (older ones are deleted).</summary>
    [Range(1, 100_000)]
    public int TelemetryKept { get; set; } = 100;

    /// <summary>Rekey inits accepted per device per minute (each costs three X25519; section 11 asks for a limit).</summary>
    [Range(1, 10_000)]
    public int RekeyInitsPerMinute { get; set; } = 20;

    /// <summary>
    /// Rekey inits accepted per second from all devices together: a bound on the public-key work that inits can
    /// ask of the service however many device identities a sender can publish as (three X25519 each, about
    /// 120 us with libsodium on the benchmark machine: 500 a second is about 6% of one core). Inits beyond it
    /// are dropped like a device's beyond its own limit; the device retries after its rekey timeout, so a whole
    /// fleet rebooting at once is served in turn.
    /// </summary>
    [Range(1, 1_000_000)]
    public int RekeyInitsPerSecond { get; set; } = 500;

    /// <summary>
    /// Unacknowledged commands resent at each new epoch, newest first (docs/session-protocol.md section 6.2).
    /// 8 = the command ids the reference device remembers as carried out, so a resend it already acted on is
    /// recognised and only acknowledged again.
    /// </summary>
    [Range(0, 1000)]
    public int CommandResendLimit { get; set; } = 8;

    /// <summary>An unacknowledged command this old is marked expired at the next new epoch instead of being resent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan CommandMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Time between publishing the revocation frame and removing the device's broker access, so the broker
    /// can deliver the notice before it cuts the device off. Frames are rejected from the start regardless.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RevocationNoticeGrace { get; set; } = TimeSpan.FromMilliseconds(200);
}
