using System.Net.Http.Headers;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Enrollment.Service.Tests.Support;

internal enum BrokerKind
{
    Embedded,
    MosquittoTls,

    /// <summary>Mosquitto with the dynamic security plugin, plain TCP; the service is its dynsec admin.</summary>
    MosquittoDynsec,
}

/// <summary>How a test wants its service: broker, database, environment, extra settings.</summary>
internal sealed class TestServiceSetup
{
    public BrokerKind Broker { get; init; } = BrokerKind.Embedded;

    public MosquittoBroker? Mosquitto { get; init; }

    public MosquittoDynsecBroker? Dynsec { get; init; }

    /// <summary>PostgreSQL connection string; null = SQLite in the data directory.</summary>
    public string? PostgresConnectionString { get; init; }

    public string Environment { get; init; } = "Development";

    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Extra service registrations, made before the service's own (which use TryAdd where a test may substitute).</summary>
    public Action<IServiceCollection>? Services { get; init; }
}

/// <summary>
/// The real service, in-process: real Kestrel on a free loopback port, real broker, real database, with a
/// manual clock. <see cref="RestartAsync"/> stops it and starts a new instance on the same data directory,
/// database and broker (as a process restart would). Fails the test on any error log.
/// </summary>
internal sealed class TestService : IAsyncDisposable
{
    private readonly TestServiceSetup _setup;
    private readonly Dictionary<string, string?> _settings;
    private readonly ErrorLogCollector _errors = new();
    private bool _stopped = true;

    private TestService(TestServiceSetup setup, string dataDirectory)
    {
        _setup = setup;
        DataDirectory = dataDirectory;
        var id = Guid.NewGuid().ToString("N")[..10];
        _settings = new Dictionary<string, string?>
        {
            ["Enrollment:DataDirectory"] = dataDirectory,
            ["Enrollment:Http:Port"] = "0",
            ["Enrollment:Keys:OneTimePrekeyPool"] = "20",
            ["Enrollment:Keys:MaintenanceInterval"] = "01:00:00",
            ["Enrollment:Mqtt:ClientId"] = "svc-" + id,
            ["Enrollment:Mqtt:EnrollmentTopic"] = "t/" + id + "/request",
            ["Enrollment:Mqtt:ResultTopicPrefix"] = "t/" + id + "/result/",
            ["Enrollment:Mqtt:DeviceTopicPrefix"] = "t/" + id + "/dev/",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (setup.Broker == BrokerKind.MosquittoTls)
        {
            var m = setup.Mosquitto ?? throw new ArgumentException("Mosquitto fixture required");
            _settings["Enrollment:Mqtt:Host"] = "127.0.0.1";
            _settings["Enrollment:Mqtt:Port"] = m.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _settings["Enrollment:Mqtt:UseTls"] = "true";
            _settings["Enrollment:Mqtt:CaFile"] = m.Pki.CaFile;
        }
        else if (setup.Broker == BrokerKind.MosquittoDynsec)
        {
            var d = setup.Dynsec ?? throw new ArgumentException("dynsec Mosquitto fixture required");
            _settings["Enrollment:Mqtt:Host"] = "127.0.0.1";
            _settings["Enrollment:Mqtt:Port"] = d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _settings["Enrollment:Mqtt:DynamicSecurity"] = "true";
            _settings["Enrollment:Mqtt:Username"] = MosquittoDynsecBroker.AdminUser;
            _settings["Enrollment:Mqtt:Password"] = d.AdminPassword;
        }
        else
        {
            _settings["Enrollment:Mqtt:EmbeddedPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (setup.PostgresConnectionString is not null)
        {
            _settings["Enrollment:Storage:Provider"] = "PostgreSql";
            _settings["Enrollment:Storage:ConnectionString"] = setup.PostgresConnectionString;
        }

        foreach (var (k, v) in setup.Settings)
        {
            _settings[k] = v;
        }
    }

    public ManualTime Time { get; } = new();

    public string DataDirectory { get; }

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public SqlEnrollmentStore Store => App.Services.GetRequiredService<SqlEnrollmentStore>();

    public string EnrollmentTopic => _settings["Enrollment:Mqtt:EnrollmentTopic"]!;

    /// <summary>Mqtt:RequestTopicPerEnrollee (on unless a test turns it off): each enrollee publishes to EnrollmentTopic + "/" + its id text.</summary>
    public bool RequestTopicPerEnrollee =>
        !_settings.TryGetValue("Enrollment:Mqtt:RequestTopicPerEnrollee", out var v) || !string.Equals(v, "false", StringComparison.OrdinalIgnoreCase);

    public string ResultTopicPrefix => _settings["Enrollment:Mqtt:ResultTopicPrefix"]!;

    public string DeviceTopicPrefix => _settings["Enrollment:Mqtt:DeviceTopicPrefix"]!;

    /// <summary>The settings the instance runs with (for the admin command, which reads the same configuration).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public string BrokerHost => "127.0.0.1";

    public int BrokerPort => _setup.Broker == BrokerKind.MosquittoTls
        ? _setup.Mosquitto!.Port
        : _setup.Broker == BrokerKind.MosquittoDynsec ? _setup.Dynsec!.Port
        : int.Parse(_settings["Enrollment:Mqtt:EmbeddedPort"]!, System.Globalization.CultureInfo.InvariantCulture);

    public string? CaFile => _setup.Broker == BrokerKind.MosquittoTls ? _setup.Mosquitto!.Pki.CaFile : null;

    public IReadOnlyList<string> Errors => _errors.Errors;

    public static async Task<TestService> StartAsync(TestServiceSetup? setup = null)
    {
        var s = new TestService(setup ?? new TestServiceSetup(), Directory.CreateTempSubdirectory("enroll-svc-").FullName);
        await s.StartInstanceAsync();
        return s;
    }

    /// <summary>Builds and starts an instance; exposed for start-up failure tests (which expect it to throw).</summary>
    public static WebApplication Build(Dictionary<string, string?> settings, string environment, TimeProvider? time = null, ILoggerProvider? logs = null,
        Action<IServiceCollection>? services = null) =>
        ServiceApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            services?.Invoke(b.Services);
            if (time is not null)
            {
                b.Services.AddSingleton(time);
            }

            if (logs is not null)
            {
                b.Logging.AddProvider(logs);
            }
        }, environment);

    private async Task StartInstanceAsync()
    {
        App = Build(_settings, _setup.Environment, Time, _errors, _setup.Services);
        _stopped = false;
        await ServiceApp.StartAsync(App, CancellationToken.None);
        Http = new HttpClient { BaseAddress = ServiceApp.BoundAddress(App), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task RestartAsync()
    {
        await StopInstanceAsync();
        await StartInstanceAsync();
    }

    /// <summary>Stops the instance (as a process exit would); <see cref="StartAgainAsync"/> brings a new one up.</summary>
    public Task StopAsync() => StopInstanceAsync();

    public Task StartAgainAsync() => StartInstanceAsync();

    public async Task<string> AddPrincipalAsync(string name, PrincipalRole role = PrincipalRole.Enroller)
    {
        var token = Tokens.NewToken(role);
        await Store.AddPrincipalAsync(name, role, Tokens.Hash(token), Time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
        return token;
    }

    public HttpClient ClientWithToken(string token)
    {
        var c = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public MaintenanceService Maintenance => App.Services.GetServices<IHostedService>().OfType<MaintenanceService>().Single();

    private async Task StopInstanceAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopInstanceAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Collects Error and Critical log entries: a passing test must have none (STYLE.md item 11).</summary>
internal sealed class ErrorLogCollector : ILoggerProvider
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(ErrorLogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                lock (owner._errors)
                {
                    owner._errors.Add(category + ": " + formatter(state, exception));
                }
            }
        }
    }
}
