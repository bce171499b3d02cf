using Enrollment.Tool.Config;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Cache;

internal sealed class CachedBundle
{
    public required string Service { get; init; }

    public required string BundleId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The protocol's EnrollmentBundle encoding, base64, passed to the device untouched.</summary>
    public required string Bundle { get; init; }

    public DateTimeOffset FetchedAt { get; init; }
}

internal sealed class CacheContents
{
    public List<CachedBundle> Bundles { get; set; } = [];
}

/// <summary>
/// Bundles fetched ahead (POST /v1/bundles), so provisioning needs the service only to register, and a
/// short outage still lets devices get their bundles (their registrations are then queued).
/// Each bundle reserves one one-time prekey on the service and is used at most once.
/// </summary>
internal sealed class BundleCache
{
    /// <summary>A bundle this close to its expiry is not handed out: the device needs time to enroll.</summary>
    public static readonly TimeSpan MinRemainingLife = TimeSpan.FromHours(1);

    public const int LowWater = 3;
    public const int RefillCount = 10;
    private readonly Store<CacheContents> _store;
    private readonly TimeProvider _time;

    public BundleCache(string directory, TimeProvider? time = null)
    {
        _store = new Store<CacheContents>(directory, "bundles", ToolJson.Default.CacheContents);
        _time = time ?? TimeProvider.System;
    }

    public IReadOnlyList<CachedBundle> List() => _store.Read().Bundles;

    public int Usable(string service) => List().Count(b => b.Service == service && IsUsable(b));

    public async Task<int> FetchAsync(ServiceClient client, int count, CancellationToken ct)
    {
        var issued = await client.IssueBundlesAsync(count, ct).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        await _store.UpdateAsync(c =>
        {
            c.Bundles.AddRange(issued.Select(b => new CachedBundle
            {
                Service = client.Settings.Key, BundleId = b.BundleId, ExpiresAt = b.ExpiresAt, Bundle = b.Bundle, FetchedAt = now,
            }));
            return 0;
        }, ct).ConfigureAwait(false);
        return issued.Count;
    }

    /// <summary>
    /// Removes and returns one usable bundle for this service (expired ones are dropped on the way);
    /// null if none. Refill with <see cref="FetchAsync"/> first when <see cref="Usable"/> is low.
    /// </summary>
    public async Task<CachedBundle?> TakeAsync(string service, CancellationToken ct) =>
        (await TakeManyAsync(service, 1, ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// Removes up to <paramref name="count"/> usable bundles in one rewrite of the cache: a batch pays for one
    /// encrypted, fsynced write instead of one per device.
    /// </summary>
    public Task<List<CachedBundle>> TakeManyAsync(string service, int count, CancellationToken ct) =>
        _store.UpdateAsync(c =>
        {
            c.Bundles.RemoveAll(b => b.ExpiresAt <= _time.GetUtcNow());
            var taken = c.Bundles.Where(b => b.Service == service && IsUsable(b)).OrderBy(b => b.ExpiresAt).Take(count).ToList();
            foreach (var b in taken)
            {
                c.Bundles.Remove(b);
            }

            return taken;
        }, ct);

    /// <summary>Puts back bundles taken for a batch that did not need them all.</summary>
    public Task ReturnManyAsync(IReadOnlyCollection<CachedBundle> bundles, CancellationToken ct) =>
        bundles.Count == 0 ? Task.CompletedTask : _store.UpdateAsync(c =>
        {
            c.Bundles.AddRange(bundles);
            return 0;
        }, ct);

    /// <summary>Puts back a bundle that was taken but never left the enroller (no device, no registration).</summary>
    public Task ReturnAsync(CachedBundle bundle, CancellationToken ct) =>
        _store.UpdateAsync(c =>
        {
            c.Bundles.Add(bundle);
            return 0;
        }, ct);

    private bool IsUsable(CachedBundle b) => b.ExpiresAt - _time.GetUtcNow() > MinRemainingLife;
}
