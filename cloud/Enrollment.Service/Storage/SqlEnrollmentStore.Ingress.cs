using System.Data.Common;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore
{
    /// <summary>EK_B values recorded by the group transaction now running (the writer's alone; cleared per group).</summary>
    private readonly List<byte[]> _groupEphemeralKeys = new(MaxCommitBatch);

    /// <summary>
    /// The stored answer for <paramref name="ephemeralKey"/> accepted from the enrollee with Hash(EIK_B) =
    /// <paramref name="eikHash"/> (any of its records: a re-approved device keeps its earlier ones). Found through
    /// the enrollee, since EK_B is no key of the table (migration 4); the same bytes name the same enrollee.
    /// </summary>
    public Task<SeenEphemeralKey?> FindSeenEphemeralKeyAsync(byte[] eikHash, byte[] ephemeralKey, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, SeenByEnrolleeSql,
                r => new SeenEphemeralKey((byte[])r.GetValue(0), (byte[])r.GetValue(1)), ct, ("h", eikHash), ("k", ephemeralKey)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    private const string SeenByEnrolleeSql =
        "SELECT s.message_hash, s.result FROM enrollees se JOIN seen_ephemeral_keys s ON s.enrollee_id = se.id " +
        "WHERE se.eik_hash = @h AND s.ek_b = @k";

    /// <summary>
    /// Fills <see cref="Index"/> from the database: every pending enrollee (Hash(EIK_B), expiry, bound OPK) and
    /// every accepted EK_B with its message hash. Run once at start, before the MQTT subscription and the
    /// HTTP API, so that no write can slip between the read and the index going live.
    /// </summary>
    public Task LoadIndexAsync(CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var pending = await QueryAsync(c, null, "SELECT eik_hash, expires_at, opk_id FROM enrollees WHERE state = 'pending'",
                r => ((byte[])r.GetValue(0), ToLong(r.GetValue(1)), (uint)ToLong(r.GetValue(2))), ct).ConfigureAwait(false);
            var seen = await QueryAsync(c, null, "SELECT ek_b, message_hash FROM seen_ephemeral_keys",
                r => ((byte[])r.GetValue(0), (byte[])r.GetValue(1)), ct).ConfigureAwait(false);
            Index.Load(pending, seen);
            return 0;
        }, ct);

    private const string IngressStateSql =
        "SELECT s.message_hash, s.result, " +
        "e.id, e.eik_hash, e.eik_public, e.pet_name, e.bundle_id, e.opk_id, e.enroller_id, e.enroller_name, e.state, " +
        "e.created_at, e.expires_at, e.enrolled_at, e.ik_b, e.revoked_at, " +
        "o.opk_id, o.public_key, o.private_key, o.state, " +
        "b.bundle_id, b.opk_id, b.spk_id, b.enroller_id, b.created_at, b.expires_at, b.state, b.address " +
        "FROM (SELECT 1 AS one) x " +
        "LEFT JOIN (" + SeenByEnrolleeSql + ") s ON 1 = 1 " +
        "LEFT JOIN (SELECT e.*, p.name AS enroller_name FROM enrollees e JOIN principals p ON p.id = e.enroller_id " +
        "WHERE e.eik_hash = @h ORDER BY e.created_at DESC, e.id LIMIT 1) e ON 1 = 1 " +
        "LEFT JOIN one_time_prekeys o ON o.opk_id = @o " +
        "LEFT JOIN bundles b ON b.bundle_id = e.bundle_id";

    /// <summary>
    /// Everything the ingress's cheap checks need, in one round trip: the seen record of EK_B accepted from an
    /// enrollee with this Hash(EIK_B), the newest enrollee with this Hash(EIK_B) with its approving enroller, the
    /// OPK the header names, and the enrollee's bundle (for Addr). Only messages the <see cref="Index"/> lets
    /// through get here; the query stays prepared (<see cref="PreparedQuery"/>).
    /// </summary>
    public Task<IngressState> LoadIngressStateAsync(byte[] ephemeralKey, byte[] eikHash, uint opkId, CancellationToken ct) =>
        _ingressState.FirstAsync([ephemeralKey, eikHash, (long)opkId],
            r => new IngressState(
                r.IsDBNull(0) ? null : new SeenEphemeralKey((byte[])r.GetValue(0), (byte[])r.GetValue(1)),
                r.IsDBNull(2) ? null : MapEnrolleeAt(r, 2),
                r.IsDBNull(16) ? null : new OneTimePrekeyRow((uint)ToLong(r.GetValue(16)), (byte[])r.GetValue(17), NullableBytes(r, 18), r.GetString(19)),
                r.IsDBNull(20) ? null : MapBundleAt(r, 20)),
            ct);

    private static OneTimePrekeyRow MapOneTimePrekey(DbDataReader r) =>
        new((uint)ToLong(r.GetValue(0)), (byte[])r.GetValue(1), NullableBytes(r, 2), r.GetString(3));

    /// <summary>
    /// The success transaction of issue 4 item 5: consume the OPK (delete its private key), record EK_B with
    /// the result bytes (a QoS 1 duplicate gets the same answer), move the enrollee to enrolled with IK_B and
    /// drop EIK_B, and write the audit row. Each step is conditional on the state the checks saw, so a race
    /// (duplicate, revocation, expiry) undoes that enrollment's changes and reports it.
    /// Group-committed (SqlEnrollmentStore.GroupCommit.cs): enrollments arriving together share one database
    /// transaction (one fsync), each in its own savepoint so that one that lost a race is rolled back alone.
    /// </summary>
    public Task<CompleteOutcome> CompleteEnrollmentAsync(CompletedEnrollment done, CancellationToken ct) =>
        GroupWriteAsync((c, tx) => ApplyAsync(c, tx, done), o => o == CompleteOutcome.Committed, ct, _ =>
        {
            // On the writer, once the group is durable and before the next one starts: the next group's
            // IsEphemeralKeyRecordedAsync relies on it, and the caller's answer never runs ahead of the index.
            Index.Enrolled(done.EikHash, done.OpkId, done.EphemeralKey, done.MessageHash);
        });

    private async Task<CompleteOutcome> ApplyAsync(DbConnection c, DbTransaction tx, CompletedEnrollment done)
    {
        var ct = CancellationToken.None;
        if (await IsEphemeralKeyRecordedAsync(c, tx, done.EphemeralKey).ConfigureAwait(false))
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
        _groupEphemeralKeys.Add(done.EphemeralKey);
        return CompleteOutcome.Committed;
    }

    /// <summary>
    /// OP-0006's "EK_B seen before", at the commit, on the writer: EK_B is no key of the database (migration 4),
    /// and only this writer records one. So it was recorded if the index holds it (loaded at start, and told of each
    /// commit by the writer itself before the next group starts: <see cref="CompleteEnrollmentAsync"/>) or an
    /// earlier write of the group now running recorded it. Without a loaded index (admin commands, which never
    /// enroll) the table is scanned.
    /// </summary>
    private async Task<bool> IsEphemeralKeyRecordedAsync(DbConnection c, DbTransaction tx, byte[] ephemeralKey)
    {
        if (_groupEphemeralKeys.Exists(k => k.AsSpan().SequenceEqual(ephemeralKey)))
        {
            return true;
        }

        return Index.IsEphemeralKeySeen(ephemeralKey) ?? await ScalarAsync(c, tx, "SELECT 1 FROM seen_ephemeral_keys WHERE ek_b = @k",
            CancellationToken.None, ("k", ephemeralKey)).ConfigureAwait(false) is not null;
    }
}
