using System.Globalization;
using Enrollment.Service.Tests.Support;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// A real Mosquitto with one TLS listener on a free loopback port, its certificate issued by a CA made
/// here (<see cref="TestPki"/>). It can be killed (SIGKILL, as a crash) and started again on the same port
/// and configuration. Fails, never skips, when the binary is missing: scripts/test.sh installs it.
/// </summary>
internal sealed class Mosquitto : IDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";
    private readonly string _conf;
    // Earlier incarnations' output; killed from a device's thread while a test thread may read it.
    private readonly Lock _gate = new();
    private readonly System.Text.StringBuilder _pastOutput = new();
    private ChildProcess? _process;

    private Mosquitto(string directory, TestPki pki, int port, string conf)
    {
        Directory = directory;
        Pki = pki;
        Port = port;
        _conf = conf;
    }

    public string Directory { get; }

    public TestPki Pki { get; }

    public int Port { get; }

    /// <summary>Everything every incarnation printed (its log: connections with their protocol level, errors).</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _pastOutput + (_process?.Output ?? "");
            }
        }
    }

    public static async Task<Mosquitto> StartAsync(string directory)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(Binary + " is missing: install Mosquitto (apt-get install mosquitto; scripts/test.sh does it).");
        }

        System.IO.Directory.CreateDirectory(directory);
        var pki = new TestPki(directory);
        int port = FreePort.Next();
        var conf = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, string.Join('\n',
            "per_listener_settings false",
            "allow_anonymous true",
            // No persistence: a restart after SIGKILL loses every session and queued message, the harshest
            // case for the service's and the device's reconnect and retry paths.
            "persistence false",
            "user root", // the temp dir is private to this user; do not drop to 'mosquitto'
            "log_dest stderr",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "connection_messages true",
            "listener " + port.ToString(CultureInfo.InvariantCulture) + " 127.0.0.1",
            "cafile " + pki.CaFile,
            "certfile " + pki.ServerCertFile,
            "keyfile " + pki.ServerKeyFile,
            ""));
        var broker = new Mosquitto(directory, pki, port, conf);
        await broker.RunAsync();
        return broker;
    }

    /// <summary>SIGKILL: sessions, subscriptions and in-flight messages are lost, as in a crash.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_process != null)
            {
                _process.Kill();
                _pastOutput.Append(_process.Output).Append("--- mosquitto killed\n");
                _process.Dispose();
                _process = null;
            }
        }
    }

    /// <summary>Starts the broker again on the same port, certificate and configuration.</summary>
    public Task RestartAsync()
    {
        Kill();
        return RunAsync();
    }

    public void Dispose() => Kill();

    private async Task RunAsync()
    {
        _process = ChildProcess.Start("mosquitto", Binary, ["-c", _conf]);
        await _process.WaitForLineAsync(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "mosquitto to start");
    }
}
