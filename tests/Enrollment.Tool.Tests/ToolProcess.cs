using System.Diagnostics;

namespace Enrollment.Tool.Tests;

/// <summary>Runs one of the built tools (enroll.dll, Enrollment.Simulator.dll) as its own process to the end.</summary>
internal static class ToolProcess
{
    /// <summary>Exit code and stdout followed by stderr; <paramref name="configure"/> sets environment or directory.</summary>
    public static async Task<(int Code, string Text)> RunAsync(string dll, IEnumerable<string> args, TimeSpan timeout,
        Action<ProcessStartInfo>? configure = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        configure?.Invoke(info);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
