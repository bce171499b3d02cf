using System.Diagnostics;
using System.Text;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// A real Mosquitto 2.0 with the dynamic security plugin (Debian's mosquitto_dynamic_security.so) on a free
/// loopback port, plain TCP. The plugin's file is made with `mosquitto_ctrl dynsec init`, which creates one
/// dynsec admin; everything else (the service's role, the anonymous group for unenrolled devices, one
/// client per enrolled device) is made by the service itself over $CONTROL/dynamic-security/v1.
/// Fails (never skips) when the binaries are missing.
/// </summary>
public sealed class MosquittoDynsecBroker : IAsyncLifetime
{
    public const string Plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    public const string Ctrl = "/usr/bin/mosquitto_ctrl";
    public const string AdminUser = "enrollment-admin";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string _dir = "";

    public int Port { get; private set; }

    public string AdminPassword { get; } = Guid.NewGuid().ToString("N");

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
        foreach (var f in new[] { MosquittoBroker.Binary, Plugin, Ctrl })
        {
            if (!File.Exists(f))
            {
                throw new InvalidOperationException(f + " is missing: install Mosquitto 2.0 with its dynamic security plugin (apt-get install mosquitto mosquitto-clients).");
            }
        }

        _dir = Directory.CreateTempSubdirectory("enroll-dynsec-").FullName;
        var dynsec = Path.Combine(_dir, "dynsec.json");
        await ExternalProcess.RunAsync(Ctrl, ["dynsec", "init", dynsec, AdminUser, AdminPassword], TimeSpan.FromSeconds(20));
        Port = Ports.Free();
        var conf = Path.Combine(_dir, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, string.Join('\n',
            "per_listener_settings false",
            "allow_anonymous true", // anonymous clients get the dynsec anonymous group's roles only
            "persistence false",
            "user root",
            "log_dest stderr",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "plugin " + Plugin,
            "plugin_opt_config_file " + dynsec,
            "listener " + Port + " 127.0.0.1",
            ""));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var psi = new ProcessStartInfo(MosquittoBroker.Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
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
