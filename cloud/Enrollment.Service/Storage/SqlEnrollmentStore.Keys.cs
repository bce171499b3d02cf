using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore
{
    public Task<IdentityKeyRow?> GetIdentityKeyAsync(CancellationToken ct) =>
        ReadAsync(c => GetIdentityKeyAsync(c, null, ct), ct);

    private static async Task<IdentityKeyRow?> GetIdentityKeyAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, CancellationToken ct)
    {
        var rows = await QueryAsync(c, tx, "SELECT public_key, private_key, created_at FROM identity_key WHERE id = 1",
            r => new IdentityKeyRow((byte[])r.GetValue(0), (byte[])r.GetValue(1), ToLong(r.GetValue(2))), ct).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IdentityKeyRow> EnsureIdentityKeyAsync(IdentityKeyRow candidate, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var n = await ExecAsync(c, tx,
                "INSERT INTO identity_key (id, public_key, private_key, created_at) VALUES (1, @p, @s, @t) ON CONFLICT DO NOTHING", ct,
                ("p", candidate.PublicKey), ("s", candidate.SealedPrivateKey), ("t", candidate.CreatedAt)).ConfigureAwait(false);
            if (n > 0)
            {
                await AuditAsync(c, tx, candidate.CreatedAt, "service", "identity_key.created", "service",
                    Convert.ToHexString(candidate.PublicKey), ct).ConfigureAwait(false);
            }

            return (await GetIdentityKeyAsync(c, tx, ct).ConfigureAwait(false))!;
        }, ct);

    public Task<IReadOnlyList<SignedPrekeyRow>> ListSignedPrekeysAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<SignedPrekeyRow>>(async c => await QueryAsync(c, null,
            "SELECT spk_id, public_key, private_key, signature, created_at, replace_at, retire_at FROM signed_prekeys ORDER BY spk_id",
            r => new SignedPrekeyRow((uint)ToLong(r.GetValue(0)), (byte[])r.GetValue(1), NullableBytes(r, 2), (byte[])r.GetValue(3),
                ToLong(r.GetValue(4)), ToLong(r.GetValue(5)), ToLong(r.GetValue(6))), ct).ConfigureAwait(false), ct);

    public Task InsertSignedPrekeyAsync(SignedPrekeyRow row, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx,
                "INSERT INTO signed_prekeys (spk_id, public_key, private_key, signature, created_at, replace_at, retire_at) " +
                "VALUES (@i, @p, @s, @g, @c, @r, @x)", ct,
                ("i", (long)row.Id), ("p", row.PublicKey), ("s", row.SealedPrivateKey), ("g", row.Signature),
                ("c", row.CreatedAt), ("r", row.ReplaceAt), ("x", row.RetireAt)).ConfigureAwait(false);
            await AuditAsync(c, tx, row.CreatedAt, "spk:" + row.Id, "signed_prekey.created", "service", null, ct).ConfigureAwait(false);
            return 0;
        }, ct);

    public Task<int> RetireSignedPrekeysAsync(long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var ids = await QueryAsync(c, tx, "SELECT spk_id FROM signed_prekeys WHERE retire_at <= @t AND private_key IS NOT NULL",
                r => ToLong(r.GetValue(0)), ct, ("t", now)).ConfigureAwait(false);
            foreach (var id in ids)
            {
                await ExecAsync(c, tx, "UPDATE signed_prekeys SET private_key = NULL WHERE spk_id = @i", ct, ("i", id)).ConfigureAwait(false);
                await AuditAsync(c, tx, now, "spk:" + id, "signed_prekey.retired", "service", null, ct).ConfigureAwait(false);
            }

            return ids.Count;
        }, ct);

    public Task<int> CountFreeOneTimePrekeysAsync(CancellationToken ct) =>
        ReadAsync(async c => (int)ToLong(await ScalarAsync(c, null,
            "SELECT COUNT(*) FROM one_time_prekeys WHERE state = 'free'", ct).ConfigureAwait(false)), ct);

    public Task<uint> MaxKeyIdAsync(CancellationToken ct) =>
        ReadAsync(async c => (uint)Math.Max(
            ToLong(await ScalarAsync(c, null, "SELECT COALESCE(MAX(opk_id), 0) FROM one_time_prekeys", ct).ConfigureAwait(false)),
            ToLong(await ScalarAsync(c, null, "SELECT COALESCE(MAX(spk_id), 0) FROM signed_prekeys", ct).ConfigureAwait(false))), ct);

    public Task InsertOneTimePrekeysAsync(IReadOnlyList<OneTimePrekeyRow> rows, long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            foreach (var row in rows)
            {
                await ExecAsync(c, tx,
                    "INSERT INTO one_time_prekeys (opk_id, public_key, private_key, state, created_at, changed_at) VALUES (@i, @p, @s, 'free', @t, @t)", ct,
                    ("i", (long)row.Id), ("p", row.PublicKey), ("s", row.SealedPrivateKey), ("t", now)).ConfigureAwait(false);
            }

            if (rows.Count > 0)
            {
                await AuditAsync(c, tx, now, "opk-pool", "one_time_prekeys.created", "service",
                    rows.Count + " keys, ids " + rows[0].Id + ".." + rows[^1].Id, ct).ConfigureAwait(false);
            }

            return 0;
        }, ct);

    public Task<OneTimePrekeyRow?> GetOneTimePrekeyAsync(uint id, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, "SELECT opk_id, public_key, private_key, state FROM one_time_prekeys WHERE opk_id = @i",
                r => new OneTimePrekeyRow((uint)ToLong(r.GetValue(0)), (byte[])r.GetValue(1), NullableBytes(r, 2), r.GetString(3)),
                ct, ("i", (long)id)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);
}
