using System.Diagnostics;

namespace Enrollment.Service.Tests.Support;

internal static class ExternalProcess
{
    /// <summary>Runs a command to completion within the timeout; throws with its output on failure.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException(file + " " + string.Join(' ', psi.ArgumentList) + " did not finish within " + timeout);
        }

        var output = await stdout + await stderr;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException(file + " " + string.Join(' ', psi.ArgumentList) + " exited " + p.ExitCode + ":\n" + output);
        }

        return output;
    }
}
