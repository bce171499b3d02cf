using Enrollment.Tool.Config;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Cache;

internal static class WorkKind
{
    /// <summary>POST /v1/enrollees that could not reach the service; the device already has its bundle.</summary>
    public const string Register = "register";

    /// <summary>DELETE /v1/enrollees/{id} of a pending enrollee whose device never got its bundle.</summary>
    public const string Delete = "delete";
}

internal sealed class QueuedWork
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string Service { get; init; }

    /// <summary>The device's enrollee id (hex), for the people reading `enroll queue list`.</summary>
    public required string Device { get; init; }

    public string? EikPublicKey { get; init; }

    public string? PetName { get; init; }

    public string? BundleId { get; init; }

    /// <summary>For <see cref="WorkKind.Delete"/>: the service's id of the pending enrollee.</summary>
    public string? EnrolleeId { get; init; }

    public DateTimeOffset QueuedAt { get; init; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}

internal sealed class QueueContents
{
    public List<QueuedWork> Items { get; set; } = [];
}

/// <summary>What one flush did.</summary>
internal sealed record FlushResult(int Done, int Dropped, int Remaining, IReadOnlyList<string> Lines, ServiceException? StoppedBy);

/// <summary>
/// Service calls that must happen but could not (the service was down): registrations of devices that got
/// their bundles, and deletions of pending enrollees whose devices did not. Kept encrypted and durable in the
/// tool's directory, retried by `enroll queue flush` and before every command that reaches the service.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Store<QueueContents> _store;

    public WorkQueue(string directory)
    {
        _store = new Store<QueueContents>(directory, "queue", ToolJson.Default.QueueContents);
    }

    public IReadOnlyList<QueuedWork> List() => _store.Read().Items;

    public Task AddAsync(QueuedWork work, CancellationToken ct) =>
        _store.UpdateAsync(q =>
        {
            q.Items.Add(work);
            return 0;
        }, ct);

    /// <summary>Removes an item (a queued registration whose device then never got its bundle).</summary>
    public Task<bool> RemoveAsync(string id, CancellationToken ct) => _store.UpdateAsync(q => q.Items.RemoveAll(w => w.Id == id) > 0, ct);

    /// <summary>
    /// Sends the queued work of this service in order. Stops at the first transient or auth failure (the
    /// rest would fail alike); drops an item the service refuses for good (say, an expired bundle), saying so.
    /// </summary>
    public async Task<FlushResult> FlushAsync(ServiceClient client, CancellationToken ct)
    {
        var lines = new List<string>();
        int done = 0, dropped = 0;
        ServiceException? stoppedBy = null;
        foreach (var item in List().Where(w => w.Service == client.Settings.Key).ToList())
        {
            try
            {
                if (item.Kind == WorkKind.Register)
                {
                    var enrollee = await client.RegisterAsync(new RegisterRequest(item.EikPublicKey!, item.PetName, item.BundleId!), ct).ConfigureAwait(false);
                    lines.Add("registered device " + item.Device + " (enrollee " + enrollee.Id + ")");
                }
                else
                {
                    bool existed = await client.DeleteEnrolleeAsync(item.EnrolleeId!, ct).ConfigureAwait(false);
                    lines.Add((existed ? "deleted" : "already gone:") + " pending enrollee " + item.EnrolleeId + " of device " + item.Device);
                }

                done++;
                await RemoveAsync(item.Id, ct).ConfigureAwait(false);
            }
            catch (ServiceException e) when (e.Kind == ServiceFailureKind.Rejected)
            {
                dropped++;
                lines.Add("dropped " + item.Kind + " of device " + item.Device + ": the service refused it for good: " + e.Message);
                await RemoveAsync(item.Id, ct).ConfigureAwait(false);
            }
            catch (ServiceException e)
            {
                stoppedBy = e;
                await _store.UpdateAsync(q =>
                {
                    var stored = q.Items.FirstOrDefault(w => w.Id == item.Id);
                    if (stored != null)
                    {
                        stored.Attempts++;
                        stored.LastError = e.Message;
                    }

                    return 0;
                }, ct).ConfigureAwait(false);
                break;
            }
        }

        int remaining = List().Count(w => w.Service == client.Settings.Key);
        return new FlushResult(done, dropped, remaining, lines, stoppedBy);
    }
}
