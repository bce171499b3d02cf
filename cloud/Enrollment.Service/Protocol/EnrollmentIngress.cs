using System.Diagnostics;
using System.Security.Cryptography;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Protocol;

/// <summary>
/// The service procedure of docs/protocol.md section 11 (OP-0006's checks, in its order):
///   decode (no public-key work) -> EK_B seen? -> enrollee pending? -> expired? -> SPK accepted, OPK bound
///   and unused? -> open (4 DH, AEAD, XEdDSA on libsodium) -> one transaction -> sealed result.
/// Every check before the open uses only the header, memory and the database, so a flood of unknown or replayed
/// messages costs no public-key operation; the first checks run on the in-memory <see cref="IngressIndex"/>,
/// so such a flood does not reach the database either (the database read and the conditional commit stay
/// the authority for whatever the index lets through). A rejection changes nothing stored; it is logged and counted,
/// and answered (when enabled) with the generic notice that tells an observer nothing.
/// </summary>
internal sealed partial class EnrollmentIngress : IEnrollmentMessageHandler, IDisposable
{
    private readonly IEnrollmentStore _store;
    private readonly IngressIndex _index;
    private readonly ServiceKeys _keys;
    private readonly ServiceMetrics _metrics;
    private readonly IEventSink _events;
    private readonly TimeProvider _time;
    private readonly MqttOptions _mqtt;
    private readonly ILogger<EnrollmentIngress> _log;
    private readonly IChannelEnrollment _channel;
    private readonly RejectionLog _rejections;

    public EnrollmentIngress(IEnrollmentStore store, IngressIndex index, ServiceKeys keys, ServiceMetrics metrics, IEventSink events, TimeProvider time,
        IOptions<ServiceOptions> options, ILogger<EnrollmentIngress> log, IChannelEnrollment channel)
    {
        _channel = channel;
        _store = store;
        _index = index;
        _keys = keys;
        _metrics = metrics;
        _events = events;
        _time = time;
        _mqtt = options.Value.Mqtt;
        _duplicateAnswers = new PerSecondBudget(_mqtt.DuplicateAnswersPerSecond);
        _log = log;
        _rejections = new RejectionLog(log);
    }

    public void Dispose() => _rejections.Dispose();

    /// <summary>
    /// The checks that need neither the database nor public-key work (docs/protocol.md section 11, steps 1-5:
    /// decode, EK_B seen, enrollee pending, expiry, OPK binding, SPK), run synchronously where the message arrives.
    /// Returns the answer of a message they settle (a rejection: usually nothing to publish), or null with the
    /// message's state in <paramref name="passed"/> for <see cref="HandleAsync(Prechecked, CancellationToken)"/>.
    /// A flood of junk is settled here, on MQTTnet's dispatcher, without a worker, a thread-pool hop or a queue
    /// slot of its own: measured under the load benchmark's flood, junk queued among real messages delayed each
    /// real enrollment's continuations behind thousands of work items a second.
    /// </summary>
    public IngressAnswer? TryAnswerEarly(byte[] payload, out Prechecked? passed)
    {
        passed = null;
        var started = Stopwatch.GetTimestamp();
        if (!EnrollmentMessage.TryDecode(payload, 0, payload.Length, out var message))
        {
            // No trustworthy EK_B to address a notice to: drop silently.
            return Reject(started, RejectReason.Malformed, null, null);
        }

        var topic = _mqtt.ResultTopicOf(message.EnrolleeId);
        var messageHash = SHA256.HashData(payload);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var precheck = _index.Check(message.EphemeralKey, messageHash, message.EnrolleeId, message.OneTimePreKeyId, now, out var vetted);
        var early = precheck switch
        {
            PrecheckVerdict.Replayed => RejectReason.Replayed,
            PrecheckVerdict.UnknownEnrollee => RejectReason.UnknownEnrollee,
            PrecheckVerdict.Expired => RejectReason.Expired,
            PrecheckVerdict.OneTimePrekeyMismatch => RejectReason.OneTimePrekeyMismatch,
            // The SPK lives in memory too: checked here so that a pending enrollee's id under a wrong SPK id
            // does not reach the database either (the order among rejections is unchanged: nothing between).
            PrecheckVerdict.Pass when _keys.FindAccepted(message.SignedPreKeyId, now) is null => RejectReason.SignedPrekeyUnknown,
            _ => RejectReason.None,
        };
        if (early != RejectReason.None)
        {
            return Reject(started, early, message, topic);
        }

        if (precheck == PrecheckVerdict.Seen && !_duplicateAnswers.TryTake())
        {
            // A copy of an accepted message beyond Mqtt:DuplicateAnswersPerSecond: a replay flood of captured
            // messages would otherwise cost a database read and a QoS 1 publish each. Dropped here, on the
            // dispatcher; a device that still needs its answer publishes the same bytes again after its timeout.
            _metrics.DuplicateDropped();
            return new IngressAnswer(null, null);
        }

        passed = new Prechecked(message, messageHash, topic, vetted, started, now);
        return null;
    }

    /// <summary>The rest of the procedure, for a message that passed <see cref="TryAnswerEarly"/>: database, open, commit.</summary>
    public async Task<IngressAnswer> HandleAsync(Prechecked passed, CancellationToken ct)
    {
        var (message, messageHash, topic, vetted, started, now) = passed;

        // An enrollee registered since start: its rows are in the index (EK_B not seen there either, and a
        // concurrent copy or a changed OPK is caught by the commit's conditions), so nothing is read. Each read
        // cost more than its query: a reader connection discards its page cache whenever the writer committed
        // since its last read (SQLite WAL), so every enrollment paid a cache reset and re-read pages.
        var state = vetted is not null
            ? new IngressState(null, vetted.Enrollee, vetted.OneTimePrekey, vetted.Bundle)
            : await _store.LoadIngressStateAsync(message.EphemeralKey, message.EnrolleeId, message.OneTimePreKeyId, ct).ConfigureAwait(false);
        if (state.Seen is not null)
        {
            return AnswerSeen(started, state.Seen, messageHash, message, topic);
        }

        var enrollee = state.Enrollee;
        var check = CheckEnrollee(enrollee, message, now);
        if (check != RejectReason.None)
        {
            return await RejectUnlessCopyAcceptedAsync(started, check, message, messageHash, topic, ct).ConfigureAwait(false);
        }

        var spk = _keys.FindAccepted(message.SignedPreKeyId, now);
        if (spk is null)
        {
            return Reject(started, RejectReason.SignedPrekeyUnknown, message, topic);
        }

        var opk = state.OneTimePrekey;
        if (opk is null || opk.State != OpkState.Reserved || opk.SealedPrivateKey is null)
        {
            return await RejectUnlessCopyAcceptedAsync(started, RejectReason.OneTimePrekeyUsed, message, messageHash, topic, ct).ConfigureAwait(false);
        }

        var bundle = state.Bundle;
        if (bundle is null)
        {
            return Reject(started, RejectReason.UnknownEnrollee, message, topic);
        }

        return await OpenAndCommitAsync(started, message, messageHash, enrollee!, spk, opk, bundle, topic, now, ct).ConfigureAwait(false);
    }

    private static RejectReason CheckEnrollee(EnrolleeRow? enrollee, EnrollmentMessage message, long now)
    {
        if (enrollee is null || enrollee.State is EnrolleeState.Enrolled or EnrolleeState.Revoked)
        {
            return RejectReason.UnknownEnrollee;
        }

        if (enrollee.State == EnrolleeState.Expired || enrollee.ExpiresAt <= now)
        {
            return RejectReason.Expired;
        }

        if (enrollee.EikPublic is null || message.OneTimePreKeyId != enrollee.OpkId)
        {
            return RejectReason.OneTimePrekeyMismatch;
        }

        return RejectReason.None;
    }

    private async Task<IngressAnswer> OpenAndCommitAsync(long started, EnrollmentMessage message, byte[] messageHash, EnrolleeRow enrollee,
        SignedPrekey spk, OneTimePrekeyRow opk, BundleRow bundle, string topic, long now, CancellationToken ct)
    {
        var opkPrivate = _keys.OpenOneTimePrekey(opk);
        if (opkPrivate is null)
        {
            return await RejectUnlessCopyAcceptedAsync(started, RejectReason.OneTimePrekeyUsed, message, messageHash, topic, ct).ConfigureAwait(false);
        }

        EnrolledIdentity? identity;
        OpenStatus status;
        _metrics.Opened();
        try
        {
            status = ServiceHandshake.Open(message, _keys.IdentityPrivateKey, spk.PrivateKey, opkPrivate, enrollee.EikPublic!, bundle.Address,
                LibsodiumX3dhPrimitives.Instance, out identity);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(opkPrivate);
        }

        if (status != OpenStatus.Opened || identity is null)
        {
            return Reject(started, status switch
            {
                OpenStatus.DecryptionFailed => RejectReason.DecryptionFailed,
                OpenStatus.BadSignature => RejectReason.BadSignature,
                OpenStatus.InvalidKey => RejectReason.InvalidKey,
                _ => RejectReason.UnknownEnrollee,
            }, message, topic);
        }

        try
        {
            // Issue 8: epoch 0 keys, broker credentials and the channel row, committed with the enrollment.
            var channel = _channel.Prepare(enrollee.Id, identity.SharedSecret, now);
            var sealedResult = ServiceHandshake.SealResult(identity.SharedSecret, message.EphemeralKey, channel.Outcome,
                RandomNumberGenerator.GetBytes(ProtocolConstants.AeadNonceSize), LibsodiumX3dhPrimitives.Instance);
            CryptographicOperations.ZeroMemory(channel.BrokerPassword);
            var done = new CompletedEnrollment(enrollee.Id, enrollee.EikHash, opk.Id, message.EphemeralKey, messageHash, identity.IdentityKey, sealedResult,
                now, channel.Init);
            switch (await _store.CompleteEnrollmentAsync(done, ct).ConfigureAwait(false))
            {
                case CompleteOutcome.Committed:
                    await _channel.OnEnrolledAsync(enrollee.Id, ct).ConfigureAwait(false); // broker access before the device has its result
                    _metrics.Accepted(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    LogAccepted(_log, enrollee.Id, EnrolleeId.ToText(message.EnrolleeId), enrollee.EnrollerName);
                    await _events.PublishAsync(new LifecycleEvent("enrollee.enrolled", enrollee.Id, EnrolleeId.ToText(message.EnrolleeId),
                        "mqtt-ingress", DateTimeOffset.FromUnixTimeMilliseconds(now)), ct).ConfigureAwait(false);
                    return new IngressAnswer(topic, sealedResult, EnrolledId: message.EnrolleeId);
                case CompleteOutcome.AlreadySeen:
                    var seen = await _store.FindSeenEphemeralKeyAsync(message.EnrolleeId, message.EphemeralKey, ct).ConfigureAwait(false);
                    return seen is null ? Reject(started, RejectReason.Replayed, message, topic) : AnswerSeen(started, seen, messageHash, message, topic);
                default:
                    // Revoked, expired or consumed between the checks and the commit.
                    return await RejectUnlessCopyAcceptedAsync(started, RejectReason.StateChanged, message, messageHash, topic, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            identity.Clear();
        }
    }

    /// <summary>
    /// A rejection that a concurrent copy of this very message can cause: the copy committed between this
    /// one's first look and now, so the enrollee is enrolled and its OPK consumed with this EK_B. Every copy
    /// must get the stored answer (docs/protocol.md section 11), so look again before rejecting. Only
    /// messages that passed the in-memory pre-check get here: junk never pays for this read.
    /// </summary>
    private async Task<IngressAnswer> RejectUnlessCopyAcceptedAsync(long started, RejectReason reason, EnrollmentMessage message,
        byte[] messageHash, string topic, CancellationToken ct)
    {
        var winner = await _store.FindSeenEphemeralKeyAsync(message.EnrolleeId, message.EphemeralKey, ct).ConfigureAwait(false);
        return winner is null ? Reject(started, reason, message, topic) : AnswerSeen(started, winner, messageHash, message, topic);
    }

    private IngressAnswer AnswerSeen(long started, SeenEphemeralKey seen, byte[] messageHash, EnrollmentMessage message, string topic)
    {
        // The same bytes again (a QoS 1 redelivery, or a replay of them): the same sealed answer, which only
        // the holder of SK can read. A different message under a seen EK_B is a replay attempt.
        if (!CryptographicOperations.FixedTimeEquals(seen.MessageHash, messageHash))
        {
            return Reject(started, RejectReason.Replayed, message, topic);
        }

        _metrics.Duplicate();
        LogDuplicate(_log, EnrolleeId.ToText(message.EnrolleeId));
        return new IngressAnswer(topic, seen.Result, EnrolledId: message.EnrolleeId);
    }

    private IngressAnswer Reject(long started, RejectReason reason, EnrollmentMessage? message, string? topic)
    {
        var label = Label(reason);
        _metrics.Rejected(label, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (_log.IsEnabled(LogLevel.Information))
        {
            _rejections.Rejected(label, message is null ? "-" : EnrolleeId.ToText(message.EnrolleeId));
        }

        if (message is null || topic is null || !_mqtt.SendNotices || !_notices.TryTake())
        {
            return new IngressAnswer(null, null);
        }

        // docs/protocol.md section 12: before SK exists the service can only say "rejected", whatever the reason.
        return new IngressAnswer(topic, new EnrollmentNotice(message.EphemeralKey, EnrollmentStatus.Rejected, 0).Encode(), Reliable: false);
    }

    /// <summary>
    /// Notices are unauthenticated hints sent at QoS 0, which MQTT may drop anyway (docs/protocol.md section
    /// 12; the enrollee falls back to its own timeout). Beyond this many per second, i.e. under a flood, none
    /// are sent: junk cannot make the service (and the broker) spend their CPU on answers, nor use it to
    /// amplify traffic toward topics the sender picks. Real enrollees are rarely rejected, far below this.
    /// </summary>
    internal const int NoticesPerSecond = 200;

    private readonly PerSecondBudget _notices = new(NoticesPerSecond);
    private readonly PerSecondBudget _duplicateAnswers;

    internal static string Label(RejectReason reason) => reason switch
    {
        RejectReason.Malformed => "malformed",
        RejectReason.Replayed => "replayed",
        RejectReason.UnknownEnrollee => "unknown_enrollee",
        RejectReason.Expired => "expired",
        RejectReason.SignedPrekeyUnknown => "spk_unknown",
        RejectReason.OneTimePrekeyMismatch => "opk_mismatch",
        RejectReason.OneTimePrekeyUsed => "opk_used",
        RejectReason.DecryptionFailed => "decryption_failed",
        RejectReason.BadSignature => "bad_signature",
        RejectReason.InvalidKey => "invalid_key",
        RejectReason.StateChanged => "state_changed",
        _ => "none",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrolled {EnrolleeRecord} (device {DeviceId}), approved by {Enroller}")]
    private static partial void LogAccepted(ILogger logger, string enrolleeRecord, string deviceId, string enroller);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redelivered enrollment message for {DeviceId}: answered with the stored result")]
    private static partial void LogDuplicate(ILogger logger, string deviceId);
}

/// <summary>Why a message was rejected (the metric label); never told to the sender before SK exists.</summary>
internal enum RejectReason
{
    None,
    Malformed,
    Replayed,
    UnknownEnrollee,
    Expired,
    SignedPrekeyUnknown,
    OneTimePrekeyMismatch,
    OneTimePrekeyUsed,
    DecryptionFailed,
    BadSignature,
    InvalidKey,
    StateChanged,
}

/// <summary>A message that passed the ingress's in-memory checks, with what they computed.</summary>
internal sealed record Prechecked(EnrollmentMessage Message, byte[] MessageHash, string Topic, VettedEnrollee? Vetted, long Started, long Now);
