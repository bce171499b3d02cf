using System.Diagnostics;
using System.Text;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// A real Mosquitto with a TLS listener on a free loopback port, using a CA and server certificate made
/// here. Started once for the test collection; each test service uses its own topics and client id.
/// Fails (never skips) when the binary is missing: scripts/test.sh installs it.
/// </summary>
public sealed class MosquittoBroker : IAsyncLifetime
{
    public const string Binary = "/usr/sbin/mosquitto";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string _dir = "";

    public int Port { get; private set; }

    internal TestPki Pki { get; private set; } = null!;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(Binary + " is missing: install Mosquitto (apt-get install mosquitto; scripts/test.sh does it).");
        }

        _dir = Directory.CreateTempSubdirectory("enroll-mosquitto-").FullName;
        Pki = new TestPki(_dir);
        Port = Ports.Free();
        var conf = Path.Combine(_dir, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, string.Join('\n',
            "per_listener_settings false",
            "allow_anonymous true",
            "persistence false",
            "user root", // the temp dir is private to this user; do not drop to 'mosquitto'
            "log_dest stderr",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "max_inflight_messages 0",
            "max_queued_messages 100000",
            "listener " + Port + " 127.0.0.1",
            "cafile " + Pki.CaFile,
            "certfile " + Pki.ServerCertFile,
            "keyfile " + Pki.ServerKeyFile,
            "") );

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var psi = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(e.Data);
            }

            if (e.Data.Contains(" running", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("mosquitto exited during start-up:\n" + Log));
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
