using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;

namespace Enrollment.Tool.Tests;

/// <summary>
/// The real enrollment service as a child process (<c>dotnet Enrollment.Service.dll</c>) on embedded
/// defaults: SQLite in a temp data directory, the embedded MQTT broker, plain HTTP on loopback
/// (Development). Free loopback ports for HTTP and the broker. Fails loudly if it does not start.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;
    private readonly Dictionary<string, string> _env;

    private ServiceProcess(string dataDir, int httpPort, int brokerPort, string token, Process process, Dictionary<string, string> env)
    {
        _env = env;
        DataDirectory = dataDir;
        HttpPort = httpPort;
        BrokerPort = brokerPort;
        Token = token;
        _process = process;
    }

    public string DataDirectory { get; }

    public int HttpPort { get; }

    public int BrokerPort { get; }

    /// <summary>An enroller token made by the service's admin command (`enrollers add --name tool-tests`).</summary>
    public string Token { get; }

    public string Url => (_env.ContainsKey("Enrollment__Http__CertificatePath") ? "https" : "http") + "://127.0.0.1:" + HttpPort + "/";

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

    public static string DllPath()
    {
        // Built by the ProjectReference (ReferenceOutputAssembly=false) with the tests' configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string path = Path.Combine(CacheAndConfigTests.RepoRoot(), "cloud", "Enrollment.Service", "bin", configuration, "net10.0", "Enrollment.Service.dll");
        Assert.True(File.Exists(path), "the service is not built at " + path);
        return path;
    }

    public static async Task<ServiceProcess> StartAsync(string dataDir, Dictionary<string, string>? extra = null, HttpMessageHandler? readiness = null)
    {
        int http = FakeService.FreePort();
        int broker = FakeService.FreePort();
        var env = Environment(dataDir, http, broker);
        foreach (var (k, v) in extra ?? [])
        {
            env[k] = v;
        }

        var (code, stdout, stderr) = await RunAsync(["enrollers", "add", "--name", "tool-tests"], env);
        Assert.True(code == 0, "enrollers add failed (" + code + "): " + stderr);
        string token = stdout.Trim().Split('\n')[^1].Trim();

        var process = Start([], env);
        var service = new ServiceProcess(dataDir, http, broker, token, process, env);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await service.WaitReadyAsync(readiness);
        return service;
    }

    /// <summary>Runs an admin command of the service against the same data directory.</summary>
    public Task<(int Code, string Stdout, string Stderr)> AdminAsync(params string[] args) => RunAsync(args, _env);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line != null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitReadyAsync(HttpMessageHandler? handler)
    {
        using var http = handler == null ? new HttpClient() : new HttpClient(handler);
        http.Timeout = TimeSpan.FromSeconds(2);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            Assert.False(_process.HasExited, "the service exited (" + (_process.HasExited ? _process.ExitCode : 0) + "):\n" + Output);
            try
            {
                using var response = await http.GetAsync(Url + "readyz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start under load.
            }

            await Task.Delay(100);
        }

        Assert.Fail("the service did not become ready within 60 s:\n" + Output);
    }

    private static Dictionary<string, string> Environment(string dataDir, int http, int broker) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["Enrollment__DataDirectory"] = dataDir,
        ["Enrollment__Http__Address"] = "127.0.0.1",
        ["Enrollment__Http__Port"] = http.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Enrollment__Mqtt__EmbeddedPort"] = broker.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Enrollment__Keys__OneTimePrekeyPool"] = "40",
    };

    private static Process Start(string[] args, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(DllPath())!,
        };
        info.ArgumentList.Add(DllPath());
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start dotnet");
    }

    private static async Task<(int, string, string)> RunAsync(string[] args, Dictionary<string, string> env)
    {
        using var process = Start(args, env);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
