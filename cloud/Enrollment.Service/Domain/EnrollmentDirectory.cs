using System.Security.Cryptography;
using Enrollment.Service.Host;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Domain;

/// <summary>A bundle as the enroller API returns it.</summary>
internal sealed record IssuedBundle(string BundleId, DateTimeOffset ExpiresAt, byte[] Encoded);

/// <summary>
/// The enroller-facing operations: issuing bundles (one reserved OPK each), registering pending enrollees
/// bound to a bundle's OPK, listing and deleting them. Lifecycle events go to the event sink after commit.
/// </summary>
internal sealed class EnrollmentDirectory
{
    private readonly IEnrollmentStore _store;
    private readonly ServiceKeys _keys;
    private readonly IBundleEncoder _encoder;
    private readonly IEventSink _events;
    private readonly LifetimeOptions _lifetimes;
    private readonly TimeProvider _time;
    private readonly KeyMaintenanceSignal _refill;
    private readonly EnrolleeTopics _topics;

    public EnrollmentDirectory(IEnrollmentStore store, ServiceKeys keys, IBundleEncoder encoder, IEventSink events,
        IOptions<ServiceOptions> options, TimeProvider time, KeyMaintenanceSignal refill, EnrolleeTopics topics)
    {
        _topics = topics;
        _store = store;
        _keys = keys;
        _encoder = encoder;
        _events = events;
        _lifetimes = options.Value.Lifetimes;
        _time = time;
        _refill = refill;
    }

    public async Task<IReadOnlyList<IssuedBundle>> IssueBundlesAsync(int count, long enrollerId, string enrollerName, CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var spk = _keys.Current;
        // A bundle must not outlive the SPK it carries: the SPK stops being accepted at its retire time.
        var expiresAt = Math.Min(now + (long)_lifetimes.Bundle.TotalMilliseconds, spk.RetireAtMs);
        var address = _encoder.ServiceAddress;
        var reserved = await _store.ReserveBundlesAsync(count, enrollerId, enrollerName, spk.Id, address, now, expiresAt, ct).ConfigureAwait(false);
        if (await _store.CountFreeOneTimePrekeysAsync(ct).ConfigureAwait(false) < _keys.RefillThreshold)
        {
            _refill.Request();
        }
        var result = new List<IssuedBundle>(reserved.Count);
        foreach (var r in reserved)
        {
            var encoded = _encoder.Encode(new BundleContents(Convert.FromHexString(r.Bundle.Id), expiresAt / 1000, _keys.IdentityPublicKey,
                spk, r.Bundle.OpkId, r.OpkPublicKey, address));
            result.Add(new IssuedBundle(r.Bundle.Id, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt), encoded));
        }

        return result;
    }

    public async Task<RegisterResult> RegisterAsync(byte[] eikPublic, string? petName, string bundleId, long enrollerId, string enrollerName,
        CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expires = now + (long)_lifetimes.PendingEnrollee.TotalMilliseconds;
        var candidate = new NewEnrollee(RecordIds.New(now), EnrolleeIdentity.Hash(eikPublic),
            eikPublic, petName, bundleId, enrollerId, now, expires);
        var result = await _store.RegisterEnrolleeAsync(candidate, enrollerName, ct).ConfigureAwait(false);
        if (result.Outcome is RegisterOutcome.Created or RegisterOutcome.Existing)
        {
            // Mqtt:RequestTopicPerEnrollee: listen on its request topic before answering (a retry too: the
            // first answer may have been lost together with the subscription).
            await _topics.AwaitAsync(result.Enrollee!.EikHash, ct).ConfigureAwait(false);
        }

        if (result.Outcome == RegisterOutcome.Created)
        {
            await _events.PublishAsync(new LifecycleEvent("enrollee.pending", result.Enrollee!.Id, EnrolleeIdentity.Text(result.Enrollee.EikHash),
                "enroller:" + enrollerName, DateTimeOffset.FromUnixTimeMilliseconds(now)), ct).ConfigureAwait(false);
        }

        return result;
    }

    public Task<IReadOnlyList<EnrolleeRow>> ListPendingAsync(long enrollerId, CancellationToken ct) =>
        _store.ListEnrolleesAsync(enrollerId, EnrolleeState.Pending, ct);

    public async Task<bool> DeleteAsync(string id, long enrollerId, string enrollerName, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // Read first: the row, and with it Hash(EIK_B), is gone once deleted.
        var row = await _store.GetEnrolleeAsync(id, ct).ConfigureAwait(false);
        var deleted = await _store.DeletePendingEnrolleeAsync(id, enrollerId, "enroller:" + enrollerName, now.ToUnixTimeMilliseconds(), ct)
            .ConfigureAwait(false);
        if (deleted)
        {
            if (row is not null)
            {
                // Given up now, not at the next maintenance round: a restart before that round would leave the topic
                // in the broker session with no row left for the start-up sweep to find it by.
                _topics.Release(row.EikHash);
            }

            await _events.PublishAsync(new LifecycleEvent("enrollee.deleted", id, row is null ? null : EnrolleeIdentity.Text(row.EikHash),
                "enroller:" + enrollerName, now), ct).ConfigureAwait(false);
        }

        return deleted;
    }

    public async Task<bool> RevokeAsync(string id, string operatorName, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // Read first, as DeleteAsync does: the event names the device by its Hash(EIK_B) text like the other events.
        var row = await _store.GetEnrolleeAsync(id, ct).ConfigureAwait(false);
        var revoked = await _store.RevokeEnrolleeAsync(id, "operator:" + operatorName, now.ToUnixTimeMilliseconds(), ct).ConfigureAwait(false);
        if (revoked)
        {
            if (row is { State: EnrolleeState.Pending })
            {
                // A revoked approval is no longer listened for: given up now rather than at the next maintenance round.
                _topics.Release(row.EikHash);
            }

            await _events.PublishAsync(new LifecycleEvent("enrollee.revoked", id, row is null ? null : EnrolleeIdentity.Text(row.EikHash),
                "operator:" + operatorName, now), ct).ConfigureAwait(false);
        }

        return revoked;
    }
}

/// <summary>Wakes the key maintenance loop early (the OPK pool ran low after issuing bundles).</summary>
internal sealed class KeyMaintenanceSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Request()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested; one wake-up serves.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
