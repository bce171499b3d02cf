using System.Collections.Concurrent;
using System.Data.Common;

namespace Enrollment.Service.Storage;

/// <summary>
/// One hot read query kept prepared on a small pool of open connections, for the ingress's per-message read.
/// Compiling the statement was the largest part of that read's cost (Microsoft.Data.Sqlite prepares every
/// new command; the profile of the load bench showed statement preparation at about 13% of the service's
/// CPU time); a prepared command is reused with new parameter values. A command that fails is dropped with
/// its connection, never returned to the pool.
/// </summary>
internal sealed class PreparedQuery : IDisposable
{
    private const int MaxIdle = 32;
    private readonly SqlDialect _dialect;
    private readonly string _sql;
    private readonly (string Name, object? Sample)[] _parameters;
    private readonly ConcurrentBag<Entry> _idle = [];
    private volatile bool _disposed;

    /// <param name="parameters">Names with a sample value of each one's type (PostgreSQL prepares with types).</param>
    public PreparedQuery(SqlDialect dialect, string sql, params (string Name, object? Sample)[] parameters)
    {
        _dialect = dialect;
        _sql = sql;
        _parameters = parameters;
    }

    /// <summary>Runs the query with <paramref name="values"/> (in the order of the names) and maps its first row.</summary>
    public async Task<T> FirstAsync<T>(object?[] values, Func<DbDataReader, T> map, CancellationToken ct)
    {
        if (!_idle.TryTake(out var entry))
        {
            entry = await OpenAsync(ct).ConfigureAwait(false);
        }

        var reusable = false;
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                entry.Command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            T result;
            await using (var r = await entry.Command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (!await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("The query returned no row.");
                }

                result = map(r);
            }

            reusable = true;
            return result;
        }
        finally
        {
            if (reusable && !_disposed && _idle.Count < MaxIdle)
            {
                _idle.Add(entry);
            }
            else
            {
                await entry.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<Entry> OpenAsync(CancellationToken ct)
    {
        var c = await _dialect.OpenAsync(ct).ConfigureAwait(false);
        try
        {
            var cmd = SqlEnrollmentStore.Command(c, null, _sql, _parameters);
            await cmd.PrepareAsync(ct).ConfigureAwait(false);
            return new Entry(c, cmd);
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var e))
        {
            e.Command.Dispose();
            e.Connection.Dispose();
        }
    }

    private sealed record Entry(DbConnection Connection, DbCommand Command) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Command.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
