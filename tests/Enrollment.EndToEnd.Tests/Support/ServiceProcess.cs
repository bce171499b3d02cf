using System.Globalization;
using System.Security.Cryptography;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// The real enrollment service as a child process (<c>dotnet Enrollment.Service.dll</c>), configured only
/// through its environment (docs/service-api.md section 8): SQLite in a temp data directory, plain HTTP on
/// loopback (Development), and either its embedded broker or an external Mosquitto over TLS. It can be
/// killed (SIGKILL) and started again on the same data directory and ports.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Dictionary<string, string> _env;
    // Earlier incarnations' output; killed from a device's thread while a test thread may read it.
    private readonly Lock _gate = new();
    private readonly System.Text.StringBuilder _pastOutput = new();
    private ChildProcess? _process;

    private ServiceProcess(string dataDirectory, int httpPort, int brokerPort, bool embedded, Dictionary<string, string> env)
    {
        DataDirectory = dataDirectory;
        HttpPort = httpPort;
        BrokerPort = brokerPort;
        IsEmbeddedBroker = embedded;
        _env = env;
        OperatorToken = "opr_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        _env["Enrollment__Admin__Token"] = OperatorToken;
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "enrollment.db");

    public int HttpPort { get; }

    /// <summary>The embedded broker's port, or Mosquitto's.</summary>
    public int BrokerPort { get; }

    public bool IsEmbeddedBroker { get; }

    public string Url => "http://127.0.0.1:" + HttpPort.ToString(CultureInfo.InvariantCulture) + "/";

    /// <summary>Made by the service's admin command <c>enrollers add --name e2e-line</c>.</summary>
    public string EnrollerToken { get; private set; } = "";

    /// <summary>Given by configuration (<c>Enrollment:Admin:Token</c>).</summary>
    public string OperatorToken { get; }

    public string EnrollmentTopic => _env.GetValueOrDefault("Enrollment__Mqtt__EnrollmentTopic", "enroll/v1/request");

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

    public static string DllPath()
    {
        // Built by the ProjectReference (ReferenceOutputAssembly=false) in the tests' configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string path = Path.Combine(Paths.RepoRoot(), "cloud", "Enrollment.Service", "bin", configuration, "net10.0", "Enrollment.Service.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("the service is not built at " + path);
        }

        return path;
    }

    /// <summary>On the embedded broker (a free loopback port).</summary>
    public static Task<ServiceProcess> StartEmbeddedAsync(string dataDirectory, IReadOnlyDictionary<string, string>? extra = null)
    {
        int broker = FreePort.Next();
        var env = BaseEnvironment(dataDirectory, out int http);
        env["Enrollment__Mqtt__EmbeddedPort"] = broker.ToString(CultureInfo.InvariantCulture);
        return StartAsync(new ServiceProcess(dataDirectory, http, broker, true, Merge(env, extra)));
    }

    /// <summary>On a Mosquitto over TLS; the bundles carry Mosquitto's CA certificate (Mqtt:BundleCa = Certificate).</summary>
    public static Task<ServiceProcess> StartOnMosquittoAsync(string dataDirectory, Mosquitto mosquitto, IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = BaseEnvironment(dataDirectory, out int http);
        env["Enrollment__Mqtt__Host"] = "127.0.0.1";
        env["Enrollment__Mqtt__Port"] = mosquitto.Port.ToString(CultureInfo.InvariantCulture);
        env["Enrollment__Mqtt__UseTls"] = "true";
        env["Enrollment__Mqtt__CaFile"] = mosquitto.Pki.CaFile;
        return StartAsync(new ServiceProcess(dataDirectory, http, mosquitto.Port, false, Merge(env, extra)));
    }

    /// <summary>SIGKILL: no graceful shutdown, as a crash or a power cut.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_process != null)
            {
                _process.Kill();
                _pastOutput.Append(_process.Output).Append("--- service killed\n");
                _process.Dispose();
                _process = null;
            }
        }
    }

    /// <inheritdoc cref="ChildProcess.Freeze"/>
    public void Freeze() => Running.Freeze();

    /// <inheritdoc cref="ChildProcess.Thaw"/>
    public void Thaw() => Running.Thaw();

    /// <summary>Starts it again on the same data directory, ports and configuration; returns once ready.</summary>
    public async Task StartAgainAsync()
    {
        Kill();
        await RunAsync();
    }

    /// <summary>Completes when the service logs a matching line (bounded; the failure carries the log).</summary>
    public Task WaitForLogAsync(Func<string, bool> match, TimeSpan within, string what, Func<string>? context = null) =>
        Running.WaitForLineAsync(match, within, what, context);

    public int CountLog(string text) => Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Exactly <paramref name="count"/> log lines hold the text, once the log has caught up: the console logger
    /// writes on its own thread, so a line can trail the MQTT answer it describes.
    /// </summary>
    public async Task ExpectLogCountAsync(string text, int count, Func<string> context)
    {
        await DeviceRigWait.UntilAsync(() => CountLog(text) >= count, TimeSpan.FromSeconds(30), count + " service log line(s) holding '" + text + "'", context);
        Assert.Equal(count, CountLog(text));
    }

    public void Dispose() => Kill();

    private ChildProcess Running => _process ?? throw new InvalidOperationException("the service is not running");

    private static async Task<ServiceProcess> StartAsync(ServiceProcess service)
    {
        try
        {
            using (var add = ChildProcess.Start("enrollers add", "dotnet", [DllPath(), "enrollers", "add", "--name", "e2e-line"], service._env,
                Path.GetDirectoryName(DllPath())))
            {
                int code = await add.WaitForExitAsync(TimeSpan.FromSeconds(60));
                if (code != 0)
                {
                    throw new InvalidOperationException("enrollers add exited " + code + ":\n" + add.Output);
                }

                service.EnrollerToken = add.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())
                    .Last(l => l.StartsWith("enr_", StringComparison.Ordinal));
            }

            await service.RunAsync();
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    private async Task RunAsync()
    {
        _process = ChildProcess.Start("service", "dotnet", [DllPath()], _env, Path.GetDirectoryName(DllPath()));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string last = "no answer";
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("the service exited (" + _process.ExitCode + ") during start-up:\n" + Output);
            }

            try
            {
                using var response = await http.GetAsync(Url + "readyz");
                last = (int)response.StatusCode + " " + await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or slow under load.
            }

            // /readyz is the service's only readiness signal; ask again shortly (bounded above).
            await Task.Delay(100);
        }

        throw new TimeoutException("the service was not ready within 60 s (last /readyz: " + last + "):\n" + Output);
    }

    private static Dictionary<string, string> BaseEnvironment(string dataDirectory, out int http)
    {
        http = FreePort.Next();
        return new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Enrollment__DataDirectory"] = dataDirectory,
            ["Enrollment__Http__Address"] = "127.0.0.1",
            ["Enrollment__Http__Port"] = http.ToString(CultureInfo.InvariantCulture),
            // No background upkeep while a test compares storage snapshots: the default pool of 200 OPKs is
            // refilled only below 100 (a run uses a few dozen), and the timed maintenance round (expiry, rotation)
            // runs at start only. Expiry is still enforced by the ingress check itself (docs/protocol.md 11).
            ["Enrollment__Keys__MaintenanceInterval"] = "01:00:00",
            // The device side runs with the simulator's short timings; MQTT client ids must be unique per service.
            ["Enrollment__Mqtt__ClientId"] = "e2e-service-" + Base64Url(RandomNumberGenerator.GetBytes(6)),
        };
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> env, IReadOnlyDictionary<string, string>? extra)
    {
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return env;
    }

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
