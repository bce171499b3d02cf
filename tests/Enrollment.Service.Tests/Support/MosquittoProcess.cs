using System.Diagnostics;
using System.Text;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// One Mosquitto process with a configuration file in a temp directory of its own: started, waited for until
/// it logs that it is running, its log kept for failure messages, then killed and its directory deleted.
/// The brokers the tests need (TLS, dynamic security) differ only in the configuration lines they pass.
/// </summary>
internal sealed class MosquittoProcess : IDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";
    private readonly StringBuilder _log = new();
    private Process? _process;

    public MosquittoProcess(string directoryPrefix)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(Binary + " is missing: install Mosquitto (apt-get install mosquitto; scripts/test.sh does it).");
        }

        Directory = System.IO.Directory.CreateTempSubdirectory(directoryPrefix).FullName;
    }

    public string Directory { get; }

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

    /// <summary>The lines every test broker shares, then <paramref name="lines"/>; returns when it runs.</summary>
    public async Task StartAsync(IEnumerable<string> lines)
    {
        var conf = Path.Combine(Directory, "mosquitto.conf");
        string[] common =
        [
            "per_listener_settings false",
            "persistence false",
            "user root", // the temp dir is private to this user; do not drop to 'mosquitto'
            "log_dest stderr",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
        ];
        await File.WriteAllTextAsync(conf, string.Join('\n', common.Concat(lines)) + "\n");

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

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
