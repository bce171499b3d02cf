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

    /// <summary>
    /// Claims the database for one running service process, held while the returned object lives (and by the
    /// operating system or the server no longer once the process is gone); null when another process holds it.
    /// One database serves one service process: its in-memory index and single writer keep facts the schema does
    /// not (docs/service-api.md section 6).
    /// </summary>
    public abstract Task<IDisposable?> TryClaimAsync(CancellationToken ct);

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
    /// An exclusive lock on a file beside the database (FileShare.None: flock on Linux, a share lock on Windows),
    /// so a second service on the same file refuses to start while admin commands, which take no claim, still run.
    /// </summary>
    public override Task<IDisposable?> TryClaimAsync(CancellationToken ct)
    {
        var b = new SqliteConnectionStringBuilder(_connectionString);
        if (b.Mode == SqliteOpenMode.Memory || b.DataSource is "" or ":memory:")
        {
            return Task.FromResult<IDisposable?>(new MemoryStream()); // a private in-memory database: nobody to exclude
        }

        try
        {
            return Task.FromResult<IDisposable?>(new FileStream(Path.GetFullPath(b.DataSource) + "-service.lock", FileMode.OpenOrCreate,
                FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return Task.FromResult<IDisposable?>(null);
        }
    }

    /// <summary>
    /// The writer connection's settings; each measured with the load benchmark (strace for system calls per
    /// enrollment, the service's CPU per enrollment at peak with 15,000 enrollments per phase):
    /// <list type="bullet">
    /// <item>temp_store=MEMORY: the statement journals of each group's savepoints live in memory instead of a
    /// temporary file created, written and unlinked per transaction: pwrite calls per enrollment 22.8 -> 10.5.</item>
    /// <item>mmap_size=256 MB: the database file is read through a memory map instead of one pread per page
    /// missing from SQLite's page cache (1.9 per enrollment: the indexes' pages are random and the database
    /// outgrows the cache). The page cache stays at SQLite's default: a 64 MB one made its truncation, which
    /// walks every hash bucket, cost 4-5% of the service's CPU (perf), more than the reads it saved. The WAL
    /// file is still read with pread; an I/O error on the mapped file would raise SIGBUS instead of an error
    /// code (https://sqlite.org/mmap.html), a risk taken for a local disk.</item>
    /// <item>wal_autocheckpoint stays at SQLite's 1,000 pages (a WAL of about 4 MB). 10,000 pages saved database
    /// writes (pwrite calls per enrollment 2.1 -> 0.9, about 35 us of CPU per enrollment on a small database),
    /// but the checkpoint runs in the committing connection and copies the database's random index pages: at
    /// 15,000 enrollments per phase its pauses took half-peak p99 to 80-116 ms (three runs), past issue 4's
    /// 100 ms. With 1,000 (and the memory map): 2,070 enrollments/s, 497 us per enrollment, p99 38-50 ms;
    /// 3,000 measured the same within the run-to-run noise (2,219/s, 498 us, p99 49-52 ms).</item>
    /// </list>
    /// </summary>
    public override string? WriterSetup => "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;";

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

    /// <summary>Any 64-bit number the database's other users do not lock: "Enrollmt" in ASCII.</summary>
    private const long ServiceLockKey = 0x456E726F6C6C6D74;

    /// <summary>
    /// A session-level advisory lock on a connection of its own, held until that connection closes (the server
    /// releases it when the session ends, also when the process dies).
    /// </summary>
    public override async Task<IDisposable?> TryClaimAsync(CancellationToken ct)
    {
        var c = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT pg_try_advisory_lock(" + ServiceLockKey + ")";
        if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is true)
        {
            return c;
        }

        await c.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public void Dispose() => _dataSource.Dispose();
}
