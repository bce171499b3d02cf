using System.Diagnostics;
using System.Text;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// A child process whose standard output and error are collected line by line (thread-safe), so that every
/// failure message can include what the process said. Waits are bounded; a waited-for line is an event, not
/// a poll of a sleep.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _watches = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(string label, Process process)
    {
        Label = label;
        _process = process;
    }

    public string Label { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildProcess Start(string label, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(label, process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Exited += (_, _) => child._exited.TrySetResult();
        if (!process.Start())
        {
            throw new InvalidOperationException("cannot start " + file);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes when a line (already printed or to come) matches; fails if the process exits first or the bound passes.</summary>
    public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan within, string what, Func<string>? context = null)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Split('\n').Any(l => match(l.TrimEnd('\r'))))
            {
                return;
            }

            _watches.Add((match, seen));
        }

        var done = await Task.WhenAny(seen.Task, _exited.Task, Task.Delay(within)).ConfigureAwait(false);
        if (done != seen.Task)
        {
            // Output read after exit may still carry the line.
            await Task.Delay(50).ConfigureAwait(false);
            if (!seen.Task.IsCompleted)
            {
                throw new TimeoutException(Label + ": " + (done == _exited.Task ? "exited (" + _process.ExitCode + ")" : "no line within " + within.TotalSeconds + " s")
                    + " while waiting for " + what + "\n--- " + Label + " output:\n" + Output + (context == null ? "" : "\n" + context()));
            }
        }
    }

    /// <summary>Waits for the process to exit by itself; kills it and fails (with its output) after the bound.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within, Func<string>? context = null)
    {
        var done = await Task.WhenAny(_exited.Task, Task.Delay(within)).ConfigureAwait(false);
        if (done != _exited.Task)
        {
            Kill();
            throw new TimeoutException(Label + " did not exit within " + within.TotalSeconds + " s\n--- " + Label + " output:\n" + Output
                + (context == null ? "" : "\n" + context()));
        }

        // Exited fires before the last redirected lines are read; WaitForExit() drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>
    /// SIGSTOP: the process stops where it is, its sockets stay open and the kernel keeps receiving for it. A
    /// test uses this to hold a process at a chosen point (e.g. a message delivered to it but not yet read),
    /// which no sleep can do reliably.
    /// </summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>SIGCONT: a frozen process runs on from where it stopped.</summary>
    public void Thaw() => Signal(SigCont);

    /// <summary>SIGKILL: the process gets no chance to tidy up (a crash or a power cut, not a shutdown).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        if (!_process.WaitForExit(15_000))
        {
            throw new TimeoutException(Label + " (pid " + _process.Id + ") did not die within 15 s of SIGKILL");
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    // Linux signal numbers (signal(7), x86-64 and arm64).
    private const int SigCont = 18;
    private const int SigStop = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int signal);

    private void Signal(int signal)
    {
        if (NativeKill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException("kill(" + _process.Id + ", " + signal + ") failed: errno " + System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
    }

    private void Append(string? line)
    {
        if (line == null)
        {
            return;
        }

        List<TaskCompletionSource> fire = [];
        lock (_output)
        {
            _output.AppendLine(line);
            for (int i = _watches.Count - 1; i >= 0; i--)
            {
                if (_watches[i].Match(line))
                {
                    fire.Add(_watches[i].Seen);
                    _watches.RemoveAt(i);
                }
            }
        }

        foreach (var f in fire)
        {
            f.TrySetResult();
        }
    }
}
