using Npgsql;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// A real PostgreSQL cluster in a temp directory owned by the postgres user (initdb refuses root), started
/// with pg_ctl on a free loopback port, its Unix socket in the temp directory; trust authentication on
/// loopback. Each test service gets its own database. Fails (never skips) when the binaries are missing.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _dir = "";
    private string _bin = "";

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        _bin = versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is missing (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (scripts/test.sh does it).");
        if (!File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
        {
            throw new InvalidOperationException("runuser is missing: the fixture runs initdb as the postgres user.");
        }

        _dir = Path.Combine(Path.GetTempPath(), "enroll-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
        await ExternalProcess.RunAsync("chown", ["postgres:postgres", _dir], TimeSpan.FromSeconds(10));
        var data = Path.Combine(_dir, "data");
        await ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync", "--no-instructions"], TimeSpan.FromSeconds(60));
        Port = Ports.Free();
        await ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", data, "-l", Path.Combine(_dir, "log"),
            "-o", "-p " + Port + " -k " + _dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "-w", "-t", "30", "start"],
            TimeSpan.FromSeconds(45));
    }

    public string AdminConnectionString => "Host=127.0.0.1;Port=" + Port + ";Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var c = new NpgsqlConnection(AdminConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE DATABASE " + name, c);
            await cmd.ExecuteNonQueryAsync();
        }

        return "Host=127.0.0.1;Port=" + Port + ";Username=postgres;Database=" + name;
    }

    public async Task DisposeAsync()
    {
        if (_bin.Length > 0 && Port != 0)
        {
            try
            {
                await ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"),
                    "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(30));
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        if (_dir.Length > 0 && Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
