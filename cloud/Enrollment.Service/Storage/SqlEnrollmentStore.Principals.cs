using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore
{
    private static string RoleText(PrincipalRole role) => role == PrincipalRole.Enroller ? "enroller" : "operator";

    private static Principal MapPrincipal(System.Data.Common.DbDataReader r) => new(
        ToLong(r.GetValue(0)), r.GetString(1), r.GetString(2) == "enroller" ? PrincipalRole.Enroller : PrincipalRole.Operator,
        ToLong(r.GetValue(3)), NullableLong(r, 4));

    public Task<Principal> AddPrincipalAsync(string name, PrincipalRole role, byte[] tokenHash, long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var id = ToLong(await ScalarAsync(c, tx,
                "INSERT INTO principals (name, role, token_hash, created_at) VALUES (@n, @r, @h, @t) RETURNING id", ct,
                ("n", name), ("r", RoleText(role)), ("h", tokenHash), ("t", now)).ConfigureAwait(false));
            await AuditAsync(c, tx, now, RoleText(role) + ":" + name, "principal.added", "admin-command", null, ct).ConfigureAwait(false);
            return new Principal(id, name, role, now, null);
        }, ct);

    public Task<IReadOnlyList<Principal>> ListPrincipalsAsync(PrincipalRole role, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Principal>>(async c => await QueryAsync(c, null,
            "SELECT id, name, role, created_at, revoked_at FROM principals WHERE role = @r ORDER BY name",
            MapPrincipal, ct, ("r", RoleText(role))).ConfigureAwait(false), ct);

    public Task<bool> RevokePrincipalAsync(string name, PrincipalRole role, long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var n = await ExecAsync(c, tx,
                "UPDATE principals SET revoked_at = @t WHERE name = @n AND role = @r AND revoked_at IS NULL", ct,
                ("t", now), ("n", name), ("r", RoleText(role))).ConfigureAwait(false);
            if (n > 0)
            {
                await AuditAsync(c, tx, now, RoleText(role) + ":" + name, "principal.revoked", "admin-command", null, ct).ConfigureAwait(false);
            }

            return n > 0;
        }, ct);

    public Task<(Principal Principal, byte[] TokenHash)?> FindPrincipalByTokenHashAsync(byte[] tokenHash, CancellationToken ct) =>
        ReadAsync<(Principal, byte[])?>(async c =>
        {
            var rows = await QueryAsync(c, null,
                "SELECT id, name, role, created_at, revoked_at, token_hash FROM principals WHERE token_hash = @h", r => (MapPrincipal(r), (byte[])r.GetValue(5)),
                ct, ("h", tokenHash)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);
}
