using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore
{
    private const string EnrolleeColumns =
        "SELECT e.id, e.eik_hash, e.eik_public, e.pet_name, e.bundle_id, e.opk_id, e.enroller_id, p.name, e.state, " +
        "e.created_at, e.expires_at, e.enrolled_at, e.ik_b, e.revoked_at FROM enrollees e JOIN principals p ON p.id = e.enroller_id ";

    private static EnrolleeRow MapEnrollee(DbDataReader r) => MapEnrolleeAt(r, 0);

    private static EnrolleeRow MapEnrolleeAt(DbDataReader r, int o) => new(
        r.GetString(o), (byte[])r.GetValue(o + 1), NullableBytes(r, o + 2), NullableString(r, o + 3), r.GetString(o + 4),
        (uint)ToLong(r.GetValue(o + 5)), ToLong(r.GetValue(o + 6)), r.GetString(o + 7), r.GetString(o + 8), ToLong(r.GetValue(o + 9)),
        ToLong(r.GetValue(o + 10)), NullableLong(r, o + 11), NullableBytes(r, o + 12), NullableLong(r, o + 13));

    private static BundleRow MapBundle(DbDataReader r) => MapBundleAt(r, 0);

    private static BundleRow MapBundleAt(DbDataReader r, int o) => new(
        r.GetString(o), (uint)ToLong(r.GetValue(o + 1)), (uint)ToLong(r.GetValue(o + 2)), ToLong(r.GetValue(o + 3)),
        ToLong(r.GetValue(o + 4)), ToLong(r.GetValue(o + 5)), r.GetString(o + 6), (byte[])r.GetValue(o + 7));

    private const string BundleColumns = "SELECT bundle_id, opk_id, spk_id, enroller_id, created_at, expires_at, state, address FROM bundles ";

    public Task<BundleRow?> GetBundleAsync(string bundleId, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, BundleColumns + "WHERE bundle_id = @b", MapBundle, ct, ("b", bundleId)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    public Task<IReadOnlyList<ReservedBundle>> ReserveBundlesAsync(
        int count, long enrollerId, string enrollerName, uint spkId, byte[] address, long now, long expiresAt, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<ReservedBundle>>(async (c, tx) =>
        {
            var free = await QueryAsync(c, tx,
                "SELECT opk_id, public_key FROM one_time_prekeys WHERE state = 'free' ORDER BY opk_id LIMIT @n" + _dialect.ClaimSuffix,
                r => ((uint)ToLong(r.GetValue(0)), (byte[])r.GetValue(1)), ct, ("n", (long)count)).ConfigureAwait(false);
            var result = new List<ReservedBundle>(free.Count);
            foreach (var (opkId, opkPublic) in free)
            {
                var claimed = await ExecAsync(c, tx,
                    "UPDATE one_time_prekeys SET state = 'reserved', changed_at = @t WHERE opk_id = @o AND state = 'free'", ct,
                    ("t", now), ("o", (long)opkId)).ConfigureAwait(false);
                if (claimed != 1)
                {
                    continue;
                }

                var bundle = new BundleRow(RecordIds.New(now), opkId, spkId, enrollerId, now, expiresAt, BundleState.Reserved, address);
                await ExecAsync(c, tx,
                    "INSERT INTO bundles (bundle_id, opk_id, spk_id, enroller_id, created_at, expires_at, state, address) VALUES (@b, @o, @s, @e, @t, @x, 'reserved', @a)", ct,
                    ("b", bundle.Id), ("o", (long)opkId), ("s", (long)spkId), ("e", enrollerId), ("t", now), ("x", expiresAt), ("a", address)).ConfigureAwait(false);
                await AuditAsync(c, tx, now, "bundle:" + bundle.Id, "bundle.issued", "enroller:" + enrollerName, "opk " + opkId, ct).ConfigureAwait(false);
                result.Add(new ReservedBundle(bundle, opkPublic));
            }

            return result;
        }, ct);

    public async Task<RegisterResult> RegisterEnrolleeAsync(NewEnrollee e, string enrollerName, CancellationToken ct)
    {
        var vetted = new StrongBox<VettedEnrollee?>();
        var result = await RegisterCoreAsync(e, enrollerName, vetted, ct).ConfigureAwait(false);
        if (result.Outcome == RegisterOutcome.Created)
        {
            // After the commit and before the enroller's answer (the device gets its bundle only after that).
            // The rows go with it so that the enrollment message needs no read of them (EnrollmentIngress).
            var created = result.Enrollee!;
            Index.AddPending(created.EikHash, created.ExpiresAt, created.OpkId, vetted.Value);
        }

        return result;
    }

    /// <summary>Group-committed with other registrations and enrollments (SqlEnrollmentStore.GroupCommit.cs).</summary>
    private Task<RegisterResult> RegisterCoreAsync(NewEnrollee e, string enrollerName, StrongBox<VettedEnrollee?> vetted, CancellationToken ct) =>
        GroupWriteAsync(async (c, tx) =>
        {
            var none = CancellationToken.None; // the group's transaction outlives any one caller's cancellation
            var existing = await QueryAsync(c, tx, EnrolleeColumns + "WHERE e.bundle_id = @b", MapEnrollee, none, ("b", e.BundleId)).ConfigureAwait(false);
            if (existing.Count > 0)
            {
                var x = existing[0];
                var same = x.EnrollerId == e.EnrollerId && x.EikHash.AsSpan().SequenceEqual(e.EikHash) &&
                           string.Equals(x.PetName, e.PetName, StringComparison.Ordinal);
                return same
                    ? new RegisterResult(RegisterOutcome.Existing, x, null)
                    : new RegisterResult(RegisterOutcome.Conflict, null, "the bundle is already bound to a different enrollee");
            }

            var bundles = await QueryAsync(c, tx, BundleColumns + "WHERE bundle_id = @b", MapBundle, none, ("b", e.BundleId)).ConfigureAwait(false);
            if (bundles.Count == 0 || bundles[0].EnrollerId != e.EnrollerId)
            {
                // Another enroller's bundle is reported as unknown: ids are not an oracle across enrollers.
                return new RegisterResult(RegisterOutcome.BundleUnknown, null, null);
            }

            var bundle = bundles[0];
            if (bundle.State == BundleState.Expired || bundle.ExpiresAt <= e.CreatedAt)
            {
                return new RegisterResult(RegisterOutcome.BundleExpired, null, null);
            }

            if (bundle.State != BundleState.Reserved)
            {
                return new RegisterResult(RegisterOutcome.BundleUnknown, null, null);
            }

            var pending = ToLong(await ScalarAsync(c, tx, "SELECT COUNT(*) FROM enrollees WHERE eik_hash = @h AND state = 'pending'", none,
                ("h", e.EikHash)).ConfigureAwait(false));
            if (pending > 0)
            {
                return new RegisterResult(RegisterOutcome.Conflict, null, "an enrollee with this EIK_B is already pending");
            }

            await ExecAsync(c, tx,
                "INSERT INTO enrollees (id, eik_hash, eik_public, pet_name, bundle_id, opk_id, enroller_id, state, created_at, expires_at) " +
                "VALUES (@i, @h, @k, @n, @b, @o, @e, 'pending', @t, @x)", none,
                ("i", e.Id), ("h", e.EikHash), ("k", e.EikPublic), ("n", e.PetName), ("b", e.BundleId), ("o", (long)bundle.OpkId),
                ("e", e.EnrollerId), ("t", e.CreatedAt), ("x", e.ExpiresAt)).ConfigureAwait(false);
            await ExecAsync(c, tx, "UPDATE bundles SET state = 'bound' WHERE bundle_id = @b", none, ("b", e.BundleId)).ConfigureAwait(false);
            await AuditAsync(c, tx, e.CreatedAt, "enrollee:" + e.Id, "enrollee.pending", "enroller:" + enrollerName,
                "bundle " + e.BundleId + ", opk " + bundle.OpkId, none).ConfigureAwait(false);
            var created = await QueryAsync(c, tx, EnrolleeColumns + "WHERE e.id = @i", MapEnrollee, none, ("i", e.Id)).ConfigureAwait(false);
            var opk = await QueryAsync(c, tx, "SELECT opk_id, public_key, private_key, state FROM one_time_prekeys WHERE opk_id = @o", MapOneTimePrekey, none,
                ("o", (long)bundle.OpkId)).ConfigureAwait(false);
            vetted.Value = opk.Count == 1 ? new VettedEnrollee(created[0], bundle with { State = BundleState.Bound }, opk[0]) : null;
            return new RegisterResult(RegisterOutcome.Created, created[0], null);
        }, r => r.Outcome == RegisterOutcome.Created, ct);

    public Task<IReadOnlyList<EnrolleeRow>> ListEnrolleesAsync(long? enrollerId, string? state, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<EnrolleeRow>>(async c => await QueryAsync(c, null,
            EnrolleeColumns + "WHERE (@e IS NULL OR e.enroller_id = @e) AND (@s IS NULL OR e.state = @s) ORDER BY e.created_at, e.id",
            MapEnrollee, ct, ("e", enrollerId), ("s", state)).ConfigureAwait(false), ct);

    public Task<EnrolleeRow?> GetEnrolleeAsync(string id, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, EnrolleeColumns + "WHERE e.id = @i", MapEnrollee, ct, ("i", id)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    public Task<EnrolleeRow?> FindEnrolleeByEikHashAsync(byte[] eikHash, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, EnrolleeColumns + "WHERE e.eik_hash = @h ORDER BY e.created_at DESC, e.id LIMIT 1",
                MapEnrollee, ct, ("h", eikHash)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    public async Task<bool> DeletePendingEnrolleeAsync(string id, long enrollerId, string actor, long now, CancellationToken ct)
    {
        var deleted = await DeletePendingCoreAsync(id, enrollerId, actor, now, ct).ConfigureAwait(false);
        if (deleted is not null)
        {
            Index.RemovePending(deleted.EikHash, deleted.OpkId);
        }

        return deleted is not null;
    }

    private Task<EnrolleeRow?> DeletePendingCoreAsync(string id, long enrollerId, string actor, long now, CancellationToken ct) =>
        WriteAsync<EnrolleeRow?>(async (c, tx) =>
        {
            var rows = await QueryAsync(c, tx, EnrolleeColumns + "WHERE e.id = @i AND e.enroller_id = @e AND e.state = 'pending'",
                MapEnrollee, ct, ("i", id), ("e", enrollerId)).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return null;
            }

            await ExecAsync(c, tx, "DELETE FROM enrollees WHERE id = @i", ct, ("i", id)).ConfigureAwait(false);
            await DiscardOpkAsync(c, tx, rows[0].OpkId, now, ct).ConfigureAwait(false);
            await ExecAsync(c, tx, "UPDATE bundles SET state = 'withdrawn' WHERE bundle_id = @b", ct, ("b", rows[0].BundleId)).ConfigureAwait(false);
            await AuditAsync(c, tx, now, "enrollee:" + id, "enrollee.deleted", actor, "opk " + rows[0].OpkId + " discarded", ct).ConfigureAwait(false);
            return rows[0];
        }, ct);

    public async Task<bool> RevokeEnrolleeAsync(string id, string actor, long now, CancellationToken ct)
    {
        var revoked = await RevokeCoreAsync(id, actor, now, ct).ConfigureAwait(false);
        if (revoked is not null)
        {
            Index.RemovePending(revoked.EikHash, revoked.OpkId);
        }

        return revoked is not null;
    }

    private Task<EnrolleeRow?> RevokeCoreAsync(string id, string actor, long now, CancellationToken ct) =>
        WriteAsync<EnrolleeRow?>(async (c, tx) =>
        {
            var rows = await QueryAsync(c, tx, EnrolleeColumns + "WHERE e.id = @i", MapEnrollee, ct, ("i", id)).ConfigureAwait(false);
            if (rows.Count == 0 || rows[0].State is not (EnrolleeState.Pending or EnrolleeState.Enrolled))
            {
                return null;
            }

            await ExecAsync(c, tx, "UPDATE enrollees SET state = 'revoked', revoked_at = @t, eik_public = NULL WHERE id = @i", ct,
                ("t", now), ("i", id)).ConfigureAwait(false);
            if (rows[0].State == EnrolleeState.Pending)
            {
                await DiscardOpkAsync(c, tx, rows[0].OpkId, now, ct).ConfigureAwait(false);
            }

            await RevokeChannelAsync(c, tx, id, now, ct).ConfigureAwait(false);
            await AuditAsync(c, tx, now, "enrollee:" + id, "enrollee.revoked", actor, "was " + rows[0].State, ct).ConfigureAwait(false);
            return rows[0];
        }, ct);

    public Task<IReadOnlyList<byte[]>> ListAwaitedEikHashesAsync(long now, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<byte[]>>(async c => await QueryAsync(c, null,
            "SELECT eik_hash FROM enrollees WHERE state = 'pending' AND expires_at > @t",
            r => (byte[])r.GetValue(0), ct, ("t", now)).ConfigureAwait(false), ct);

    public Task<IReadOnlyList<byte[]>> ListUnawaitedEikHashesAsync(long since, long now, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<byte[]>>(async c => await QueryAsync(c, null,
            "SELECT eik_hash FROM enrollees WHERE expires_at > @s AND NOT (state = 'pending' AND expires_at > @t)",
            r => (byte[])r.GetValue(0), ct, ("s", since), ("t", now)).ConfigureAwait(false), ct);

    public Task<IReadOnlyList<UnconfirmedResult>> ListUnconfirmedResultsAsync(long now, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<UnconfirmedResult>>(async c => await QueryAsync(c, null,
            "SELECT e.eik_hash, b.address, s.result FROM enrollees e " +
            "JOIN device_channels d ON d.device_id = e.id " +
            "JOIN seen_ephemeral_keys s ON s.enrollee_id = e.id " +
            "JOIN bundles b ON b.bundle_id = e.bundle_id " +
            "WHERE e.state = 'enrolled' AND e.expires_at > @t AND d.epoch = 0 AND d.recv_any = 0",
            r => new UnconfirmedResult((byte[])r.GetValue(0), (byte[])r.GetValue(1), (byte[])r.GetValue(2)), ct, ("t", now)).ConfigureAwait(false), ct);

    public async Task<int> ExpirePendingEnrolleesAsync(long now, CancellationToken ct)
    {
        var expired = await ExpirePendingCoreAsync(now, ct).ConfigureAwait(false);
        foreach (var (_, opkId, eikHash) in expired)
        {
            Index.RemovePending(eikHash, opkId);
        }

        return expired.Count;
    }

    private Task<List<(string Id, uint OpkId, byte[] EikHash)>> ExpirePendingCoreAsync(long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var due = await QueryAsync(c, tx, "SELECT id, opk_id, eik_hash FROM enrollees WHERE state = 'pending' AND expires_at <= @t",
                r => (r.GetString(0), (uint)ToLong(r.GetValue(1)), (byte[])r.GetValue(2)), ct, ("t", now)).ConfigureAwait(false);
            foreach (var (id, opkId, _) in due)
            {
                await ExecAsync(c, tx, "UPDATE enrollees SET state = 'expired', eik_public = NULL WHERE id = @i", ct, ("i", id)).ConfigureAwait(false);
                await DiscardOpkAsync(c, tx, opkId, now, ct).ConfigureAwait(false);
                await AuditAsync(c, tx, now, "enrollee:" + id, "enrollee.expired", "service", null, ct).ConfigureAwait(false);
            }

            return due;
        }, ct);

    public Task<int> ExpireReservedBundlesAsync(long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var due = await QueryAsync(c, tx, "SELECT bundle_id, opk_id FROM bundles WHERE state = 'reserved' AND expires_at <= @t",
                r => (r.GetString(0), (uint)ToLong(r.GetValue(1))), ct, ("t", now)).ConfigureAwait(false);
            foreach (var (id, opkId) in due)
            {
                await ExecAsync(c, tx, "UPDATE bundles SET state = 'expired' WHERE bundle_id = @b", ct, ("b", id)).ConfigureAwait(false);
                // An OPK that was handed out is never handed out again (OP-0006: one-time), so it is discarded, not freed.
                await DiscardOpkAsync(c, tx, opkId, now, ct).ConfigureAwait(false);
                await AuditAsync(c, tx, now, "bundle:" + id, "bundle.expired", "service", "opk " + opkId + " discarded", ct).ConfigureAwait(false);
            }

            return due.Count;
        }, ct);

    public Task<IReadOnlyList<AuditRow>> ListAuditAsync(string? subject, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<AuditRow>>(async c => await QueryAsync(c, null,
            "SELECT id, at, subject, action, actor, detail FROM audit_log WHERE (@s IS NULL OR subject = @s) ORDER BY id LIMIT @n",
            r => new AuditRow(ToLong(r.GetValue(0)), ToLong(r.GetValue(1)), r.GetString(2), r.GetString(3), r.GetString(4), NullableString(r, 5)),
            ct, ("s", subject), ("n", (long)limit)).ConfigureAwait(false), ct);

    private static Task<int> DiscardOpkAsync(DbConnection c, DbTransaction tx, uint opkId, long now, CancellationToken ct) =>
        ExecAsync(c, tx,
            "UPDATE one_time_prekeys SET state = 'discarded', private_key = NULL, changed_at = @t WHERE opk_id = @o AND state = 'reserved'", ct,
            ("t", now), ("o", (long)opkId));

}
