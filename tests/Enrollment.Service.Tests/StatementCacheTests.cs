using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using Microsoft.Data.Sqlite;

namespace Enrollment.Service.Tests;

/// <summary>
/// The SQLite writer's prepared statements (Storage/StatementCache.cs) and its connection: a statement is
/// compiled once and bound anew each time; a write that fails leaves no half-done change and does not break the
/// writes after it.
/// </summary>
public sealed class StatementCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enroll-stmt-").FullName;

    // Not SqliteConnection.ClearAllPools(): it would reach the pools of services other tests run meanwhile. On
    // Linux a file still held by a pooled connection can be deleted.
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SqliteConnection Open()
    {
        var c = new SqliteConnection("Data Source=" + Path.Combine(_dir, "t.db"));
        c.Open();
        using var create = c.CreateCommand();
        create.CommandText = "CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)";
        create.ExecuteNonQuery();
        return c;
    }

    private static SqliteCommand Create(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        var cmd = (SqliteCommand)c.CreateCommand();
        cmd.Transaction = (SqliteTransaction?)tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
        }

        return cmd;
    }

    [Fact]
    public void A_statement_is_prepared_once_and_bound_to_each_call_s_values()
    {
        using var c = Open();
        using var cache = StatementCache.Attach(c);
        Assert.Same(cache, StatementCache.For(c));
        const string Insert = "INSERT INTO t (k, v) VALUES (@k, @v)";
        var first = cache.Get(null, Insert, [("k", 1L), ("v", "one")], Create);
        Assert.Equal(1, first.ExecuteNonQuery());
        var second = cache.Get(null, Insert, [("k", 2L), ("v", null)], Create);
        Assert.Same(first, second);
        Assert.Equal(1, second.ExecuteNonQuery());

        var select = cache.Get(null, "SELECT COALESCE(v, 'null') FROM t WHERE k = @k", [("k", 2L)], Create);
        Assert.Equal("null", select.ExecuteScalar());
        Assert.Equal("one", cache.Get(null, "SELECT COALESCE(v, 'null') FROM t WHERE k = @k", [("k", 1L)], Create).ExecuteScalar());
    }

    [Fact]
    public void The_same_text_with_its_parameters_in_another_order_is_refused()
    {
        using var c = Open();
        using var cache = StatementCache.Attach(c);
        const string Insert = "INSERT INTO t (k, v) VALUES (@k, @v)";
        cache.Get(null, Insert, [("k", 1L), ("v", "one")], Create).ExecuteNonQuery();
        Assert.Throws<InvalidOperationException>(() => cache.Get(null, Insert, [("v", "two"), ("k", 2L)], Create));
    }

    [Fact]
    public void Texts_built_per_call_do_not_grow_the_cache_without_bound()
    {
        using var c = Open();
        using var cache = StatementCache.Attach(c);
        var first = cache.Get(null, "SELECT 0", [], Create);
        for (var i = 1; i <= 300; i++)
        {
            Assert.Equal((long)i, cache.Get(null, "SELECT " + i, [], Create).ExecuteScalar());
        }

        // Past its bound the cache started over: the first command was disposed and is made again.
        Assert.NotSame(first, cache.Get(null, "SELECT 0", [], Create));
        Assert.Equal(0L, cache.Get(null, "SELECT 0", [], Create).ExecuteScalar());
    }

    [Fact]
    public void A_connection_without_a_cache_has_none_and_a_disposed_cache_is_detached()
    {
        using var c = Open();
        Assert.Null(StatementCache.For(c));
        var cache = StatementCache.Attach(c);
        cache.Dispose();
        Assert.Null(StatementCache.For(c));
    }

    private static byte[] Token(byte b) => Enumerable.Repeat(b, 32).ToArray();

    [Fact]
    public async Task A_failed_write_changes_nothing_and_the_writer_goes_on_with_the_next()
    {
        using var store = new SqlEnrollmentStore(new SqliteDialect("Data Source=" + Path.Combine(_dir, "store.db")));
        await store.MigrateAsync(CancellationToken.None);
        await store.AddPrincipalAsync("line-1", PrincipalRole.Enroller, Token(1), 1, CancellationToken.None);

        // The same name again violates ux_principals_name inside the writer's transaction.
        await Assert.ThrowsAsync<SqliteException>(() => store.AddPrincipalAsync("line-1", PrincipalRole.Enroller, Token(2), 2, CancellationToken.None));

        await store.AddPrincipalAsync("line-2", PrincipalRole.Enroller, Token(3), 3, CancellationToken.None);
        var names = (await store.ListPrincipalsAsync(PrincipalRole.Enroller, CancellationToken.None)).Select(p => p.Name);
        Assert.Equal(["line-1", "line-2"], names);
        var audit = await store.ListAuditAsync(null, 100, CancellationToken.None);
        Assert.Equal(2, audit.Count(a => a.Action == "principal.added"));
    }
}
