using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Enrollment.Service.Storage;

/// <summary>
/// Prepared commands of one long-lived connection, by SQL text. SQLite's writes are serialised in-process, so one
/// writer connection serves them all (<see cref="SqlEnrollmentStore"/>.WriteAsync) and each statement is compiled
/// once instead of on every execution: Microsoft.Data.Sqlite prepares every new command again, and an enrollment's
/// group-committed write runs about nine statements. Used by one caller at a time (the store's write lock).
/// Only single statements go through it: preparing a multi-statement text (a migration) compiles every statement
/// before the first runs, which fails when one creates what the next uses.
/// </summary>
internal sealed class StatementCache : IDisposable
{
    /// <summary>Well above the store's distinct statements; reaching it means SQL text is being built per call.</summary>
    private const int MaxStatements = 256;
    private static readonly ConditionalWeakTable<DbConnection, StatementCache> ByConnection = [];
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly DbConnection _connection;

    private StatementCache(DbConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Gives <paramref name="connection"/> a cache; the store's helpers then reuse its commands.</summary>
    public static StatementCache Attach(DbConnection connection)
    {
        var cache = new StatementCache(connection);
        ByConnection.AddOrUpdate(connection, cache);
        return cache;
    }

    /// <summary>The cache of <paramref name="connection"/>, or null for a connection that has none (pooled readers).</summary>
    public static StatementCache? For(DbConnection connection) => ByConnection.TryGetValue(connection, out var cache) ? cache : null;

    /// <summary>
    /// The command for <paramref name="sql"/>, bound to <paramref name="tx"/> and to <paramref name="args"/> (by
    /// position: one SQL text always comes with the same parameters in the same order). Not to be disposed.
    /// </summary>
    public DbCommand Get(DbTransaction? tx, string sql, (string Name, object? Value)[] args,
        Func<DbConnection, DbTransaction?, string, (string, object?)[], DbCommand> create)
    {
        if (_commands.TryGetValue(sql, out var cmd))
        {
            if (cmd.Parameters.Count != args.Length)
            {
                throw new InvalidOperationException("Parameters of a cached statement changed: " + sql);
            }

            cmd.Transaction = tx;
            for (var i = 0; i < args.Length; i++)
            {
                var p = cmd.Parameters[i];
                if (!p.ParameterName.AsSpan(1).SequenceEqual(args[i].Name))
                {
                    throw new InvalidOperationException("Parameters of a cached statement changed: " + sql);
                }

                p.Value = args[i].Value ?? DBNull.Value;
            }

            return cmd;
        }

        if (_commands.Count >= MaxStatements)
        {
            Clear();
        }

        cmd = create(_connection, tx, sql, args);
        cmd.Prepare();
        _commands[sql] = cmd;
        return cmd;
    }

    private void Clear()
    {
        foreach (var c in _commands.Values)
        {
            c.Dispose();
        }

        _commands.Clear();
    }

    public void Dispose()
    {
        Clear();
        ByConnection.Remove(_connection);
    }
}
