using System.Data.Common;
using System.Threading.Channels;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore
{
    private const int MaxCommitBatch = 64;
    private readonly Channel<PendingCommit> _commits = Channel.CreateUnbounded<PendingCommit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _committer;

    public Task<SeenEphemeralKey?> FindSeenEphemeralKeyAsync(byte[] ephemeralKey, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, "SELECT message_hash, result FROM seen_ephemeral_keys WHERE ek_b = @k",
                r => new SeenEphemeralKey((byte[])r.GetValue(0), (byte[])r.GetValue(1)), ct, ("k", ephemeralKey)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    /// <summary>
    /// Everything the ingress's cheap checks need, in one round trip: the seen record of EK_B, the newest
    /// enrollee with this Hash(EIK_B) with its approving enroller, the OPK the header names, and the
    /// enrollee's bundle (for Addr). A flood of unknown ids costs one indexed query per message.
    /// </summary>
    public Task<IngressState> LoadIngressStateAsync(byte[] ephemeralKey, byte[] eikHash, uint opkId, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null,
                "SELECT s.message_hash, s.result, " +
                "e.id, e.eik_hash, e.eik_public, e.pet_name, e.bundle_id, e.opk_id, e.enroller_id, e.enroller_name, e.state, " +
                "e.created_at, e.expires_at, e.enrolled_at, e.ik_b, e.revoked_at, " +
                "o.opk_id, o.public_key, o.private_key, o.state, " +
                "b.bundle_id, b.opk_id, b.spk_id, b.enroller_id, b.created_at, b.expires_at, b.state, b.address " +
                "FROM (SELECT 1 AS one) x " +
                "LEFT JOIN seen_ephemeral_keys s ON s.ek_b = @k " +
                "LEFT JOIN (SELECT e.*, p.name AS enroller_name FROM enrollees e JOIN principals p ON p.id = e.enroller_id " +
                "WHERE e.eik_hash = @h ORDER BY e.created_at DESC, e.id LIMIT 1) e ON 1 = 1 " +
                "LEFT JOIN one_time_prekeys o ON o.opk_id = @o " +
                "LEFT JOIN bundles b ON b.bundle_id = e.bundle_id",
                r => new IngressState(
                    r.IsDBNull(0) ? null : new SeenEphemeralKey((byte[])r.GetValue(0), (byte[])r.GetValue(1)),
                    r.IsDBNull(2) ? null : MapEnrolleeAt(r, 2),
                    r.IsDBNull(16) ? null : new OneTimePrekeyRow((uint)ToLong(r.GetValue(16)), (byte[])r.GetValue(17), NullableBytes(r, 18), r.GetString(19)),
                    r.IsDBNull(20) ? null : MapBundleAt(r, 20)),
                ct, ("k", ephemeralKey), ("h", eikHash), ("o", (long)opkId)).ConfigureAwait(false);
            return rows[0];
        }, ct);

    /// <summary>
    /// The success transaction of issue 4 item 5: consume the OPK (delete its private key), record EK_B with
    /// the result bytes (a QoS 1 duplicate gets the same answer), move the enrollee to enrolled with IK_B and
    /// drop EIK_B, and write the audit row. Each step is conditional on the state the checks saw, so a race
    /// (duplicate, revocation, expiry) undoes that enrollment's changes and reports it.
    /// Group commit: enrollments arriving together share one database transaction (one fsync), each in its
    /// own savepoint so that one that lost a race is rolled back alone. The caller's task completes only
    /// after the commit is durable.
    /// </summary>
    public Task<CompleteOutcome> CompleteEnrollmentAsync(CompletedEnrollment done, CancellationToken ct)
    {
        _ = _committer.Value;
        var pending = new PendingCommit(done, new TaskCompletionSource<CompleteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_commits.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqlEnrollmentStore));
        }

        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<PendingCommit>(MaxCommitBatch);
        while (await _commits.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxCommitBatch && _commits.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var outcomes = await WriteAsync(async (c, tx) =>
                {
                    var results = new CompleteOutcome[batch.Count];
                    for (var i = 0; i < batch.Count; i++)
                    {
                        await ExecAsync(c, tx, "SAVEPOINT enrollment", CancellationToken.None).ConfigureAwait(false);
                        results[i] = await ApplyAsync(c, tx, batch[i].Enrollment).ConfigureAwait(false);
                        await ExecAsync(c, tx, results[i] == CompleteOutcome.Committed ? "RELEASE SAVEPOINT enrollment" : "ROLLBACK TO SAVEPOINT enrollment",
                            CancellationToken.None).ConfigureAwait(false);
                        if (results[i] != CompleteOutcome.Committed)
                        {
                            await ExecAsync(c, tx, "RELEASE SAVEPOINT enrollment", CancellationToken.None).ConfigureAwait(false);
                        }
                    }

                    return results;
                }, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(outcomes[i]);
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
            {
                // Nothing of this batch is committed; each caller leaves its message unacknowledged for redelivery.
                foreach (var p in batch)
                {
                    p.Done.TrySetException(e);
                }
            }
        }
    }

    private static async Task<CompleteOutcome> ApplyAsync(DbConnection c, DbTransaction tx, CompletedEnrollment done)
    {
        var ct = CancellationToken.None;
        if (await ScalarAsync(c, tx, "SELECT 1 FROM seen_ephemeral_keys WHERE ek_b = @k", ct, ("k", done.EphemeralKey)).ConfigureAwait(false) is not null)
        {
            return CompleteOutcome.AlreadySeen;
        }

        var opk = await ExecAsync(c, tx,
            "UPDATE one_time_prekeys SET state = 'used', private_key = NULL, changed_at = @t WHERE opk_id = @o AND state = 'reserved'", ct,
            ("t", done.At), ("o", (long)done.OpkId)).ConfigureAwait(false);
        var enrollee = opk != 1 ? 0 : await ExecAsync(c, tx,
            "UPDATE enrollees SET state = 'enrolled', ik_b = @ik, eik_public = NULL, enrolled_at = @t " +
            "WHERE id = @i AND state = 'pending' AND opk_id = @o AND expires_at > @t", ct,
            ("ik", done.IkB), ("t", done.At), ("i", done.EnrolleeId), ("o", (long)done.OpkId)).ConfigureAwait(false);
        if (enrollee != 1)
        {
            return CompleteOutcome.StateChanged;
        }

        if (done.Channel is { } channel)
        {
            await InsertChannelAsync(c, tx, channel, ct).ConfigureAwait(false);
        }

        await ExecAsync(c, tx, "INSERT INTO seen_ephemeral_keys (ek_b, enrollee_id, message_hash, result, created_at) VALUES (@k, @i, @m, @r, @t)", ct,
            ("k", done.EphemeralKey), ("i", done.EnrolleeId), ("m", done.MessageHash), ("r", done.ResultMessage), ("t", done.At)).ConfigureAwait(false);
        await AuditAsync(c, tx, done.At, "enrollee:" + done.EnrolleeId, "enrollee.enrolled", "mqtt-ingress",
            "opk " + done.OpkId + " consumed", ct).ConfigureAwait(false);
        return CompleteOutcome.Committed;
    }

    private sealed record PendingCommit(CompletedEnrollment Enrollment, TaskCompletionSource<CompleteOutcome> Done);
}
