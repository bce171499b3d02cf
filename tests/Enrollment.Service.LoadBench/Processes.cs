using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Enrollment.Service.LoadBench;

/// <summary>Child processes of the benchmark: Mosquitto (plain TCP on loopback) and the service.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => Process = process;

    public Process Process { get; }

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

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Starts a process and waits (bounded) for a line containing <paramref name="readyMarker"/>.</summary>
    public static async Task<ChildProcess> StartAsync(string file, IEnumerable<string> args, IDictionary<string, string> env, string readyMarker, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        var child = new ChildProcess(new Process { StartInfo = psi, EnableRaisingEvents = true });
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (child._log)
            {
                child._log.AppendLine(e.Data);
            }

            if (e.Data.Contains(readyMarker, StringComparison.Ordinal))
            {
                child._ready.TrySetResult();
            }
        };
        child.Process.OutputDataReceived += onLine;
        child.Process.ErrorDataReceived += onLine;
        child.Process.Exited += (_, _) => child._ready.TrySetException(new InvalidOperationException(file + " exited during start-up:\n" + child.Log));
        child.Process.Start();
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        await child._ready.Task.WaitAsync(timeout);
        return child;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }
}
