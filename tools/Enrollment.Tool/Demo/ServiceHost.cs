using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Enrollment.Tool.Demo;

/// <summary>
/// The enrollment service as a child process on embedded defaults (SQLite in a temp data directory, the
/// embedded MQTT broker, plain HTTP on loopback in Development), as `enroll demo` runs it. The tool still
/// reaches it only over HTTP (docs/architecture.md).
/// </summary>
internal sealed class ServiceHost : IDisposable
{
    private readonly Process _process;

    private ServiceHost(Process process, int httpPort, int brokerPort, string token, string operatorToken)
    {
        _process = process;
        HttpPort = httpPort;
        BrokerPort = brokerPort;
        Token = token;
        OperatorToken = operatorToken;
    }

    public int HttpPort { get; }

    public int BrokerPort { get; }

    public string Token { get; }

    /// <summary>An operator token given to the service by configuration (Enrollment:Admin:Token); never shown.</summary>
    public string OperatorToken { get; }

    public string Url => "http://127.0.0.1:" + HttpPort.ToString(CultureInfo.InvariantCulture) + "/";

    public static async Task<ServiceHost> StartAsync(string dll, string dataDir, Action<string> onLine, CancellationToken ct)
    {
        int http = FreePort(), broker = FreePort();
        string operatorToken = "opr_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var env = new Dictionary<string, string>
        {
            ["Enrollment__Admin__Token"] = operatorToken,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Enrollment__DataDirectory"] = dataDir,
            ["Enrollment__Http__Address"] = "127.0.0.1",
            ["Enrollment__Http__Port"] = http.ToString(CultureInfo.InvariantCulture),
            ["Enrollment__Mqtt__EmbeddedPort"] = broker.ToString(CultureInfo.InvariantCulture),
            ["Enrollment__Keys__OneTimePrekeyPool"] = "20",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };

        using (var admin = Start(dll, ["enrollers", "add", "--name", "demo-enroller"], env))
        {
            var stdout = admin.StandardOutput.ReadToEndAsync(ct);
            var stderr = admin.StandardError.ReadToEndAsync(ct);
            await admin.WaitForExitAsync(ct).ConfigureAwait(false);
            if (admin.ExitCode != 0)
            {
                throw new ToolFailure(ExitCode.Internal, "The service's `enrollers add` failed: " + await stderr.ConfigureAwait(false));
            }

            var token = (await stdout.ConfigureAwait(false)).Trim().Split('\n')[^1].Trim();
            var process = Start(dll, [], env);
            var host = new ServiceHost(process, http, broker, token, operatorToken);
            process.OutputDataReceived += (_, e) => Forward(e.Data, onLine);
            process.ErrorDataReceived += (_, e) => Forward(e.Data, onLine);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await host.WaitReadyAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                host.Dispose();
                throw;
            }

            return host;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static void Forward(string? line, Action<string> onLine)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            onLine(line);
        }
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new ToolFailure(ExitCode.Internal, "The service exited with code " + _process.ExitCode + " while starting.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url + "readyz"), ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Slow start.
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        throw new ToolFailure(ExitCode.Internal, "The service did not become ready within 60 s.");
    }

    private static Process Start(string dll, string[] args, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        return Process.Start(info) ?? throw new ToolFailure(ExitCode.Internal, "Cannot start `dotnet`.");
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>
    /// The service's built assembly: --service-dll, or ENROLL_SERVICE_DLL, or the repository's
    /// cloud/Enrollment.Service build output (built now with `dotnet build` if absent).
    /// </summary>
    public static async Task<string> LocateAsync(string? given, Action<string> say, CancellationToken ct)
    {
        given ??= Environment.GetEnvironmentVariable("ENROLL_SERVICE_DLL");
        if (!string.IsNullOrEmpty(given))
        {
            return File.Exists(given) ? Path.GetFullPath(given)
                : throw new ToolFailure(ExitCode.Usage, "No service assembly at " + given + ".");
        }

        string? project = null;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null && project == null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "cloud", "Enrollment.Service", "Enrollment.Service.csproj");
                project = File.Exists(candidate) ? candidate : null;
            }
        }

        if (project == null)
        {
            throw new ToolFailure(ExitCode.Usage, "Cannot find the enrollment service: run `enroll demo` inside the repository, or pass --service-dll.");
        }

        string bin = Path.Combine(Path.GetDirectoryName(project)!, "bin");
        var built = new[] { "Release", "Debug" }.Select(c => Path.Combine(bin, c, "net10.0", "Enrollment.Service.dll")).Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        if (built != null)
        {
            return built;
        }

        say("building the service (first run): dotnet build " + project);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", project, "-c", "Debug", "-v", "q", "-nologo" })
        {
            info.ArgumentList.Add(a);
        }

        using var build = Process.Start(info)!;
        var output = build.StandardOutput.ReadToEndAsync(ct);
        var errors = build.StandardError.ReadToEndAsync(ct);
        await build.WaitForExitAsync(ct).ConfigureAwait(false);
        string dll = Path.Combine(bin, "Debug", "net10.0", "Enrollment.Service.dll");
        if (build.ExitCode != 0 || !File.Exists(dll))
        {
            throw new ToolFailure(ExitCode.Internal, "Building the service failed:\n" + await output.ConfigureAwait(false) + await errors.ConfigureAwait(false));
        }

        return dll;
    }
}
