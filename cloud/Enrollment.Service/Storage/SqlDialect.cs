using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Enrollment.Service.Storage;

/// <summary>
/// The few things SQLite and PostgreSQL do differently: connections, two type names, row locking. All SQL
/// text is shared; the schema is written with {blob} and {identity} placeholders.
/// </summary>
internal abstract class SqlDialect
{
    public abstract string Name { get; }

    public abstract string BlobType { get; }

    public abstract string IdentityColumn { get; }

    /// <summary>Appended to a SELECT that picks rows to claim (PostgreSQL: skip rows other transactions hold).</summary>
    public abstract string ClaimSuffix { get; }

    /// <summary>SQLite has one writer: serialising writes in-process avoids busy retries.</summary>
    public abstract bool SerializeWrites { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>SQL run once before migrations (outside a transaction).</summary>
    public virtual string? Prepare => null;

    /// <summary>SQL run once on the long-lived writer connection (SQLite), outside a transaction.</summary>
    public virtual string? WriterSetup => null;

    public string Expand(string sql) => sql.Replace("{blob}", BlobType, StringComparison.Ordinal)
        .Replace("{identity}", IdentityColumn, StringComparison.Ordinal);
}

internal sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqliteDialect(string connectionString)
    {
        var b = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        _connectionString = b.ToString();
    }

    public override string Name => "sqlite";

    public override string BlobType => "BLOB";

    public override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override string ClaimSuffix => "";

    public override bool SerializeWrites => true;

    public override string? Prepare => "PRAGMA journal_mode=WAL;";

    /// <summary>
    /// The writer's statement journals (one per group's savepoints) live in memory instead of a temporary file
    /// created, written and unlinked per transaction: pwrite calls per enrollment 22.8 -> 10.5 (strace of the
    /// load benchmark). The page cache stays at SQLite's default: a 64 MB one made SQLite's cache truncation,
    /// which walks every hash bucket, cost 4-5% of the service's CPU (perf), more than the reads it saved.
    /// </summary>
    public override string? WriterSetup => "PRAGMA temp_store=MEMORY;";

    public override async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        // synchronous=FULL makes each commit durable (fsync) as issue 4 asks ("SQLite with durable commits").
        // journal_mode=WAL (readers beside the writer) is persistent in the file and set once by the migration;
        // Microsoft.Data.Sqlite retries SQLITE_BUSY itself (the admin command may write beside the service).
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous=FULL;";
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return c;
    }
}

internal sealed class PostgreSqlDialect : SqlDialect, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgreSqlDialect(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public override string Name => "postgresql";

    public override string BlobType => "BYTEA";

    public override string IdentityColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public override string ClaimSuffix => " FOR UPDATE SKIP LOCKED";

    public override bool SerializeWrites => false;

    public override async Task<DbConnection> OpenAsync(CancellationToken ct) =>
        await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

    public void Dispose() => _dataSource.Dispose();
}
