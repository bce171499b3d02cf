using System.ComponentModel.DataAnnotations;

namespace Enrollment.Service.Host;

/// <summary>
/// Root of the service's configuration (section "Enrollment"). Every field has a default that runs the
/// service on embedded parts (SQLite, embedded broker); validated at bind time (ValidateOnStart), so a bad
/// value stops start-up with one message instead of failing on first use.
/// </summary>
internal sealed class ServiceOptions
{
    public const string SectionName = "Enrollment";

    /// <summary>Where the SQLite database and the development key-encryption key live.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    [Required]
    public StorageOptions Storage { get; set; } = new();

    [Required]
    public MqttOptions Mqtt { get; set; } = new();

    [Required]
    public KeyOptions Keys { get; set; } = new();

    [Required]
    public LifetimeOptions Lifetimes { get; set; } = new();

    [Required]
    public HttpOptions Http { get; set; } = new();

    [Required]
    public AdminOptions Admin { get; set; } = new();

    [Required]
    public EventOptions Events { get; set; } = new();

    [Required]
    public ChannelOptions Channel { get; set; } = new();
}

internal enum StorageProvider
{
    Sqlite,
    PostgreSql,
}

internal sealed class StorageOptions
{
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Npgsql connection string (PostgreSql); for SQLite, optional (default: enrollment.db in the data directory).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Under load, how long a group commit waits for more writes before it commits (0: never). Measured with the
    /// load benchmark on 2 cores: 2 ms took the service from 527-644 to 471-582 us of CPU per enrollment at peak
    /// and the machine from 61-68% to 43-58% busy at half of peak, for about 4 ms more median latency there.
    /// A write that arrives alone is committed at once.
    /// </summary>
    [Range(0, 50)]
    public double CommitLingerMilliseconds { get; set; } = 2;
}

internal sealed class MqttOptions
{
    /// <summary>External broker host; empty = run the embedded broker on <see cref="EmbeddedPort"/>.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate (TLS only).</summary>
    public string? CaFile { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Fixed client id, with a persistent session, so QoS 1 messages published while the service is down wait for it.</summary>
    [Required, MinLength(1), MaxLength(64)]
    public string ClientId { get; set; } = "enrollment-service";

    /// <summary>Address of the embedded broker (loopback only unless changed on purpose).</summary>
    [Required]
    public string EmbeddedAddress { get; set; } = "127.0.0.1";

    [Range(0, 65535)]
    public int EmbeddedPort { get; set; } = 1883;

    /// <summary>The broker host written into bundles (what devices connect to); default: the broker's own host.</summary>
    public string? AdvertisedHost { get; set; }

    [Range(0, 65535)]
    public int AdvertisedPort { get; set; }

    /// <summary>How bundles name the broker CA when TLS is on (docs/protocol.md section 7): Certificate, Sha256 or None.</summary>
    public BundleCaKind BundleCa { get; set; } = BundleCaKind.Certificate;

    /// <summary>Answer rejected messages with an unauthenticated notice (docs/protocol.md section 12); off under a flood saves broker work.</summary>
    public bool SendNotices { get; set; } = true;

    /// <summary>
    /// Copies of an accepted enrollment message (a QoS 1 redelivery, a device's retry, or a replay) answered from
    /// the stored result per second; beyond that they are dropped before any database read. A device whose copy
    /// was dropped republishes after its result timeout (seconds), so only a replay flood meets this limit.
    /// </summary>
    [Range(1, 1_000_000)]
    public int DuplicateAnswersPerSecond { get; set; } = 200;

    [Range(1, 120)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Topic devices publish enrollment messages to (docs/protocol.md "Topics").</summary>
    [Required, MinLength(1), MaxLength(128)]
    public string EnrollmentTopic { get; set; } = "enroll/v1/request";

    /// <summary>
    /// Each enrollee publishes to EnrollmentTopic + "/" + its id text (the bundle says so: docs/protocol.md
    /// section 7, flags bit 1), so that under a flood the service can subscribe only to the topics of enrollees
    /// an enroller approved and the broker drops enrollment messages for anyone else before they cost the service
    /// anything (<see cref="FloodRejectionsPerSecond"/>; the load benchmark measured forwarding alone slowing real
    /// enrollments by more than 20%). Devices need firmware that knows the flag (older ones refuse such bundles).
    /// Off: one shared request topic.
    /// </summary>
    public bool RequestTopicPerEnrollee { get; set; } = true;

    /// <summary>
    /// With <see cref="RequestTopicPerEnrollee"/>: while the service rejects at most this many enrollment messages a
    /// second before any public-key work, it listens on every enrollee's request topic (EnrollmentTopic + "/+") besides
    /// the approved enrollees' own, so it answers, logs and counts each rejection; above it (a flood of junk or
    /// replays) it drops the wildcard for <see cref="FloodHold"/>, so the broker drops the flood. 0: always only
    /// approved enrollees' topics. Host/MqttLink.FloodFilter.cs.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FloodRejectionsPerSecond { get; set; } = 200;

    /// <summary>How long the service listens only on approved enrollees' topics after the last flood second it saw (checked at each maintenance round).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan FloodHold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Results go to this prefix followed by the enrollee id text.</summary>
    [Required, MinLength(1), MaxLength(128)]
    public string ResultTopicPrefix { get; set; } = "enroll/v1/result/";

    /// <summary>
    /// Device topics are this prefix, the device id, then "/up" or "/down" (docs/protocol.md section 14); the
    /// service subscribes to prefix + "+/up". Must end with '/'.
    /// </summary>
    [Required, MinLength(2), MaxLength(60)]
    public string DeviceTopicPrefix { get; set; } = "dev/v1/";

    /// <summary>
    /// External Mosquitto with the dynamic security plugin: the service (Username must be a dynsec admin)
    /// creates a client and role per enrolled device and deletes them on revocation (docs/broker.md).
    /// </summary>
    public bool DynamicSecurity { get; set; }

    /// <summary>Embedded broker: check device credentials and topics (docs/broker.md); off only for load tests.</summary>
    public bool EmbeddedAuthorization { get; set; } = true;

    /// <summary>
    /// Messages processed at once (crypto runs in parallel; commits are serialised on SQLite and grouped). Enough
    /// that the workers waiting for a group commit (Storage:CommitLingerMilliseconds) do not leave the cores idle:
    /// with 16 and a 2 ms linger the peak fell to 1,738-1,783/s, with 64 it was 2,168-2,450/s.
    /// </summary>
    [Range(1, 256)]
    public int Workers { get; set; } = 64;

    public bool IsEmbedded => string.IsNullOrWhiteSpace(Host);

    /// <summary>Where the answers for one enrollee go: ResultTopicPrefix + its id text (docs/protocol.md section 14).</summary>
    public string ResultTopicOf(byte[] eikHash) => ResultTopicPrefix + Domain.EnrolleeIdentity.Text(eikHash);

    /// <summary>The topic filter that covers every enrollment message: the shared topic, or each enrollee's under it.</summary>
    public string EnrollmentTopicFilter => RequestTopicPerEnrollee ? EnrollmentTopic + "/+" : EnrollmentTopic;
}

internal sealed class KeyOptions
{
    /// <summary>Base64 of 32 bytes. Required in Production; Development generates one into the data directory.</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>How long a signed prekey is handed out in new bundles before the next one replaces it.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan SignedPrekeyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a replaced signed prekey still accepts enrollments (bundles already handed out use it).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan SignedPrekeyOverlap { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Free one-time prekeys the background refiller keeps ready.</summary>
    [Range(1, 1_000_000)]
    public int OneTimePrekeyPool { get; set; } = 200;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class LifetimeOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan PendingEnrollee { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan Bundle { get; set; } = TimeSpan.FromDays(7);

    [Range(1, 1000)]
    public int MaxBundlesPerRequest { get; set; } = 100;
}

internal sealed class HttpOptions
{
    [Required]
    public string Address { get; set; } = "127.0.0.1";

    [Range(0, 65535)]
    public int Port { get; set; } = 5080;

    /// <summary>PFX (PKCS#12) or PEM certificate for HTTPS; required unless Development on loopback.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }
}

internal sealed class AdminOptions
{
    /// <summary>Operator bearer token given by configuration (environment variable), compared as a SHA-256 hash in fixed time.</summary>
    public string? Token { get; set; }
}

internal enum EventSinkKind
{
    Log,
    EventHubs,
}

internal sealed class EventOptions
{
    public EventSinkKind Sink { get; set; } = EventSinkKind.Log;

    public string? EventHubsConnectionString { get; set; }

    public string? EventHubName { get; set; }
}

internal enum BundleCaKind
{
    None,
    Sha256,
    Certificate,
}
