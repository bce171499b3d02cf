using System.Net;
using System.Security.Cryptography.X509Certificates;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Enrollment.Service.Protocol;
using Enrollment.Service.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Enrollment.Service.Host;

/// <summary>
/// Builds and starts the service. Start-up order: options (validated), database (migrated), service keys
/// (made or opened with the KEK), embedded broker (if no external one), MQTT subscription, then HTTP and
/// the background loops. Any failure before HTTP is a <see cref="StartupException"/> with one message.
/// </summary>
internal static class ServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, string? environmentName = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory, EnvironmentName = environmentName,
        });
        configure?.Invoke(builder);
        AddCore(builder.Services, builder.Configuration);
        AddService(builder);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <summary>Options, storage and time: what the admin commands need too.</summary>
    public static void AddCore(IServiceCollection services, IConfiguration configuration, bool storageOnly = false)
    {
        services.AddOptions<ServiceOptions>().Bind(configuration.GetSection(ServiceOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceOptions>>(sp => new ServiceOptionsValidator(sp.GetRequiredService<IHostEnvironment>(), storageOnly));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IngressIndex>();
        services.AddSingleton<SqlEnrollmentStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServiceOptions>>().Value;
            return new SqlEnrollmentStore(CreateDialect(options), sp.GetRequiredService<IngressIndex>(),
                TimeSpan.FromMilliseconds(options.Storage.CommitLingerMilliseconds));
        });
        services.TryAddSingleton<IEnrollmentStore>(sp => sp.GetRequiredService<SqlEnrollmentStore>()); // a test may wrap the store first
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<SqlEnrollmentStore>());
    }

    private static SqlDialect CreateDialect(ServiceOptions o)
    {
        try
        {
            if (o.Storage.Provider == StorageProvider.PostgreSql)
            {
                return new PostgreSqlDialect(o.Storage.ConnectionString!);
            }

            var dir = Path.GetFullPath(o.DataDirectory);
            Directory.CreateDirectory(dir);
            return new SqliteDialect(string.IsNullOrWhiteSpace(o.Storage.ConnectionString)
                ? "Data Source=" + Path.Combine(dir, "enrollment.db")
                : o.Storage.ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new StartupException("Enrollment:Storage:ConnectionString is not a valid " + o.Storage.Provider + " connection string (" + e.Message + ").", e);
        }
    }

    private static void AddService(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServiceOptions>>().Value;
            var kek = KekProvider.Load(o, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Enrollment.Service.Keys"));
            try
            {
                return new KeyVault(kek);
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(kek);
            }
        });
        services.AddSingleton<ServiceKeys>();
        services.AddSingleton<KeyMaintenanceSignal>();
        services.AddSingleton<EnrollmentDirectory>();
        services.AddSingleton<ServiceMetrics>();
        // TryAdd: a host (or a test) that registered its own sink first keeps it.
        services.TryAddSingleton(sp => EventSinkFactory.Create(sp.GetRequiredService<IOptions<ServiceOptions>>().Value.Events, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<EnrolleeTopics>();
        services.AddSingleton<MqttLink>();
        AddChannel(services);
        ProtocolServices.Add(services);
        services.AddHostedService<MaintenanceService>();

        services.AddAuthentication(BearerAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(BearerAuthentication.EnrollerPolicy, p => p.RequireRole(BearerAuthentication.EnrollerPolicy))
            .AddPolicy(BearerAuthentication.OperatorPolicy, p => p.RequireRole(BearerAuthentication.OperatorPolicy));
        services.AddOpenApi();
        services.AddProblemDetails();
        // A query value that does not parse (count=abc) is a plain 400 that UseStatusCodePages answers, in
        // Development too (there the framework would throw and show a developer page instead).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServiceMetrics.MeterName));

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var http = context.Configuration.GetSection(ServiceOptions.SectionName).Get<ServiceOptions>()?.Http ?? new HttpOptions();
            if (!IPAddress.TryParse(http.Address, out var address))
            {
                return; // reported by ServiceOptionsValidator
            }

            if (!string.IsNullOrEmpty(http.CertificatePath))
            {
                var cert = LoadCertificate(http);
                kestrel.Listen(address, http.Port, l => l.UseHttps(cert));
            }
            else if (context.HostingEnvironment.IsDevelopment() && IPAddress.IsLoopback(address))
            {
                kestrel.Listen(address, http.Port); // plain HTTP: Development on loopback only (issue 4 item 3)
            }

            // Otherwise nothing is bound here: ServiceOptionsValidator rejects the configuration (HTTPS
            // required) before the server starts, together with any other configuration problem.
        });
    }

    /// <summary>The secure channel after enrollment (issue 8) and the broker access behind it.</summary>
    private static void AddChannel(IServiceCollection services)
    {
        services.AddSingleton<Downlink>();
        services.AddSingleton<ChannelMetrics>();
        services.AddSingleton<DynamicSecurityAccess>();
        services.AddSingleton<IBrokerAccess>(sp =>
        {
            var mqtt = sp.GetRequiredService<IOptions<ServiceOptions>>().Value.Mqtt;
            return mqtt.IsEmbedded ? sp.GetRequiredService<EmbeddedBroker>()
                : mqtt.DynamicSecurity ? sp.GetRequiredService<DynamicSecurityAccess>() : new StaticBrokerAccess();
        });
        services.AddSingleton<ChannelService>();
        services.AddSingleton<IChannelMessageHandler>(sp => sp.GetRequiredService<ChannelService>());
        services.AddSingleton<IChannelEnrollment>(sp => sp.GetRequiredService<ChannelService>());
    }

    private static X509Certificate2 LoadCertificate(HttpOptions http)
    {
        try
        {
            return string.IsNullOrEmpty(http.CertificateKeyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(http.CertificatePath!, http.CertificatePassword)
                : X509Certificate2.CreateFromPemFile(http.CertificatePath!, http.CertificateKeyPath);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
        {
            throw new StartupException("Cannot load the HTTPS certificate " + http.CertificatePath + " (" + e.Message + ").", e);
        }
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.UseStatusCodePages(context => Problems.WriteForBareStatus(context.HttpContext));
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).WithTags("Health");
        app.MapGet("/readyz", Readiness).WithTags("Health");
        EnrollerApi.Map(app);
        OperatorApi.Map(app);
        DeviceChannelApi.Map(app);
    }

    private static async Task<IResult> Readiness(IEnrollmentStore store, ServiceKeys keys, MqttLink mqtt, CancellationToken ct)
    {
        var database = "ok";
        try
        {
            await store.PingAsync(ct).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException e)
        {
            database = e.Message;
        }

        var ready = database == "ok" && keys.IsReady && mqtt.IsConnected;
        var body = new { status = ready ? "ready" : "not ready", database, keys = keys.IsReady ? "ok" : "not loaded", mqtt = mqtt.IsConnected ? "ok" : "disconnected" };
        return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Everything before HTTP, in order; then the host (Kestrel and background services).</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken ct)
    {
        var sp = app.Services;
        _ = sp.GetRequiredService<IOptions<ServiceOptions>>().Value; // throws OptionsValidationException with every problem
        var store = sp.GetRequiredService<SqlEnrollmentStore>();
        try
        {
            if (!await store.ClaimForServiceAsync(ct).ConfigureAwait(false))
            {
                throw new StartupException("Another enrollment service process is running on this " + store.ProviderName +
                    " database; one database serves one service process (docs/service-api.md section 6).");
            }

            await store.MigrateAsync(ct).ConfigureAwait(false);
            await store.LoadIndexAsync(ct).ConfigureAwait(false); // before any message or write arrives
        }
        catch (Exception e) when (e is System.Data.Common.DbException or System.Net.Sockets.SocketException or InvalidOperationException or TimeoutException)
        {
            throw new StartupException("Cannot open the " + store.ProviderName + " database (" + e.Message + ").", e);
        }

        await sp.GetRequiredService<ServiceKeys>().InitializeAsync(ct).ConfigureAwait(false);
        await sp.GetRequiredService<EmbeddedBroker>().StartAsync().ConfigureAwait(false);
        if (sp.GetRequiredService<IOptions<ServiceOptions>>().Value.Mqtt.DynamicSecurity)
        {
            await EnsureDynamicSecurityAsync(sp.GetRequiredService<DynamicSecurityAccess>(), ct).ConfigureAwait(false);
        }

        await sp.GetRequiredService<MqttLink>().StartAsync(ct).ConfigureAwait(false);
        await sp.GetRequiredService<ChannelService>().ProvisionPendingAsync(ct).ConfigureAwait(false);
        await app.StartAsync(ct).ConfigureAwait(false);
    }

    private static async Task EnsureDynamicSecurityAsync(DynamicSecurityAccess dynsec, CancellationToken ct)
    {
        try
        {
            await dynsec.EnsureBaseRolesAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException
            or System.Net.Sockets.SocketException)
        {
            throw new StartupException("Mosquitto dynamic security is not usable with Enrollment:Mqtt:Username (" + e.Message +
                "); is the plugin loaded and the user a dynsec admin?", e);
        }
    }

    /// <summary>The HTTP address Kestrel bound (useful with port 0).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
