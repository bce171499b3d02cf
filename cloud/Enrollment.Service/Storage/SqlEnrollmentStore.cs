using System.Data.Common;
using System.Globalization;
using System.Text;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

/// <summary>
/// IEnrollmentStore over plain ADO.NET: one class for both databases, the differences in
/// <see cref="SqlDialect"/>. This file holds the plumbing and migrations; the partial files hold one area each.
/// </summary>
internal sealed partial class SqlEnrollmentStore : IEnrollmentStore, IDisposable
{
    private readonly SqlDialect _dialect;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly PreparedQuery _ingressState;
    private DbConnection? _writer;
    private StatementCache? _writerStatements;
    private int _disposed;

    /// <param name="commitLinger">How long a group commit under load waits for more writes (SqlEnrollmentStore.GroupCommit.cs).</param>
    public SqlEnrollmentStore(SqlDialect dialect, IngressIndex? index = null, TimeSpan commitLinger = default)
    {
        _dialect = dialect;
        _commitLinger = commitLinger;
        Index = index ?? new IngressIndex();
        _ingressState = new PreparedQuery(dialect, IngressStateSql, ("k", Array.Empty<byte>()), ("h", Array.Empty<byte>()), ("o", 0L));
        _committer = new Lazy<Task>(() => Task.Run(CommitLoopAsync));
    }

    public string ProviderName => _dialect.Name;

    private IDisposable? _claim;

    /// <summary>Claims the database for this service process until disposal (<see cref="SqlDialect.TryClaimAsync"/>); false when another holds it.</summary>
    public async Task<bool> ClaimForServiceAsync(CancellationToken ct)
    {
        _claim ??= await _dialect.TryClaimAsync(ct).ConfigureAwait(false);
        return _claim is not null;
    }

    /// <summary>The ingress's pre-check index, which this store updates after every commit that changes what it holds.</summary>
    public IngressIndex Index { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _commits.Writer.TryComplete();
        if (_committer.IsValueCreated)
        {
            _committer.Value.Wait(TimeSpan.FromSeconds(10));
        }

        _ingressState.Dispose();
        _writeLock.Wait(TimeSpan.FromSeconds(10));
        DisposeWriter();
        _writeLock.Dispose();
        _claim?.Dispose();
        (_dialect as IDisposable)?.Dispose();
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
        await ScalarAsync(c, null, "SELECT 1", ct).ConfigureAwait(false);
    }

    public async Task MigrateAsync(CancellationToken ct)
    {
        if (_dialect.Prepare is { } prepare)
        {
            await using var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
            await ExecAsync(c, null, prepare, ct).ConfigureAwait(false);
        }

        // Not through WriteAsync: the migrations are multi-statement texts, which the writer's StatementCache must not hold.
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
            await TransactAsync(c, Migrate, ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        async Task<int> Migrate(DbConnection c, DbTransaction tx)
        {
            await ExecAsync(c, tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ct).ConfigureAwait(false);
            var current = ToLong(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct).ConfigureAwait(false));
            for (var i = (int)current; i < Migrations.All.Length; i++)
            {
                await ExecAsync(c, tx, _dialect.Expand(Migrations.All[i]), ct).ConfigureAwait(false);
                await ExecAsync(c, tx, "INSERT INTO schema_version (version) VALUES (@v)", ct, ("v", i + 1)).ConfigureAwait(false);
            }

            return 0;
        }
    }

    /// <summary>Every row of every table as text, for diagnostics and for tests that assert "nothing changed".</summary>
    public async Task<string> SnapshotAsync(CancellationToken ct)
    {
        var sb = new StringBuilder();
        await using var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
        foreach (var table in Migrations.Tables)
        {
            sb.Append("## ").AppendLine(table);
            await using var cmd = Command(c, null, "SELECT * FROM " + table + " ORDER BY 1");
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                for (var i = 0; i < r.FieldCount; i++)
                {
                    var v = r.GetValue(i);
                    sb.Append(v is byte[] b ? Convert.ToHexString(b) : Convert.ToString(v, CultureInfo.InvariantCulture)).Append('|');
                }

                sb.AppendLine();
            }
        }

        return sb.ToString();
    }

    // ---- plumbing -------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="body"/> in one transaction (serialised in-process on SQLite).</summary>
    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct)
    {
        var locked = false;
        if (_dialect.SerializeWrites)
        {
            await _writeLock.WaitAsync(ct).ConfigureAwait(false);
            locked = true;
        }

        try
        {
            if (!locked)
            {
                await using var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
                return await TransactAsync(c, body, ct).ConfigureAwait(false);
            }

            _writer ??= await OpenWriterAsync(ct).ConfigureAwait(false);
            try
            {
                return await TransactAsync(_writer, body, ct).ConfigureAwait(false);
            }
            catch
            {
                // Whatever failed, the next write starts from a fresh connection (the transaction is rolled back
                // by its disposal; a broken connection is not reused).
                DisposeWriter();
                throw;
            }
        }
        finally
        {
            if (locked)
            {
                _writeLock.Release();
            }
        }
    }

    private static async Task<T> TransactAsync<T>(DbConnection c, Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct)
    {
        await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
        var result = await body(c, tx).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// SQLite: writes are serialised (one writer at a time, <see cref="SqlDialect.SerializeWrites"/>), so they all
    /// go through one connection whose statements stay prepared (<see cref="StatementCache"/>).
    /// </summary>
    private async Task<DbConnection> OpenWriterAsync(CancellationToken ct)
    {
        var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(_dialect.WriterSetup))
        {
            await using var setup = Command(c, null, _dialect.WriterSetup);
            await setup.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        _writerStatements = StatementCache.Attach(c);
        return c;
    }

    private void DisposeWriter()
    {
        _writerStatements?.Dispose();
        _writerStatements = null;
        _writer?.Dispose();
        _writer = null;
    }

    private async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> body, CancellationToken ct)
    {
        await using var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
        return await body(c).ConfigureAwait(false);
    }

    private static readonly Func<DbConnection, DbTransaction?, string, (string, object?)[], DbCommand> CreateCommand = Command;

    /// <summary>A new command for <paramref name="sql"/> with its parameters (also PreparedQuery's).</summary>
    internal static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
#pragma warning disable CA2100 // SQL text is constant; every value goes through a parameter.
        cmd.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    /// <summary>
    /// The command for <paramref name="sql"/>: the connection's prepared one when it has a
    /// <see cref="StatementCache"/> (not to be disposed), else a new one (<paramref name="owned"/>: dispose it).
    /// </summary>
    private static DbCommand Rent(DbConnection c, DbTransaction? tx, string sql, (string, object?)[] args, out bool owned)
    {
        var cache = StatementCache.For(c);
        owned = cache is null;
        return cache is null ? Command(c, tx, sql, args) : cache.Get(tx, sql, args, CreateCommand);
    }

    private static async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        var cmd = Rent(c, tx, sql, args, out var owned);
        await using var disposeOwned = owned ? cmd : null;
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        var cmd = Rent(c, tx, sql, args, out var owned);
        await using var disposeOwned = owned ? cmd : null;
        var v = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return v is DBNull ? null : v;
    }

    private static async Task<List<T>> QueryAsync<T>(
        DbConnection c, DbTransaction? tx, string sql, Func<DbDataReader, T> map, CancellationToken ct, params (string, object?)[] args)
    {
        var cmd = Rent(c, tx, sql, args, out var owned);
        await using var disposeOwned = owned ? cmd : null;
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<T>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(map(r));
        }

        return list;
    }

    private static Task AuditAsync(DbConnection c, DbTransaction tx, long at, string subject, string action, string actor, string? detail, CancellationToken ct) =>
        ExecAsync(c, tx, "INSERT INTO audit_log (at, subject, action, actor, detail) VALUES (@at, @s, @a, @actor, @d)", ct,
            ("at", at), ("s", subject), ("a", action), ("actor", actor), ("d", detail));

    private static long ToLong(object? v) => v is null ? 0 : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    private static long? NullableLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : ToLong(r.GetValue(i));

    private static byte[]? NullableBytes(DbDataReader r, int i) => r.IsDBNull(i) ? null : (byte[])r.GetValue(i);

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
