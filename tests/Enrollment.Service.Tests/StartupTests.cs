using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>A misconfiguration stops start-up with one clear message; HTTPS with a configured certificate.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enroll-start-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var s = new Dictionary<string, string?>
        {
            ["Enrollment:DataDirectory"] = _dir,
            ["Enrollment:Http:Port"] = "0",
            ["Enrollment:Mqtt:EmbeddedPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Enrollment:Keys:OneTimePrekeyPool"] = "5",
            ["Logging:LogLevel:Default"] = "None",
        };
        foreach (var (k, v) in extra)
        {
            s[k] = v;
        }

        return s;
    }

    private static async Task<string> FailureAsync(Dictionary<string, string?> settings, string environment)
    {
        await using var app = TestService.Build(settings, environment);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ServiceApp.StartAsync(app, CancellationToken.None));
        var message = StartupFailure.Describe(e);
        Assert.NotNull(message);
        return message!;
    }

    private static string Kek() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Production_without_a_key_encryption_key_refuses_to_start()
    {
        var message = await FailureAsync(Settings(), "Production");
        Assert.Contains("Enrollment:Keys:KeyEncryptionKey is required", message);
    }

    [Fact]
    public async Task A_malformed_key_encryption_key_is_named()
    {
        var message = await FailureAsync(Settings(("Enrollment:Keys:KeyEncryptionKey", "c2hvcnQ=")), "Development");
        Assert.Contains("base64 of exactly 32 bytes", message);
    }

    [Fact]
    public async Task An_unreachable_broker_stops_start_up()
    {
        var port = Ports.Free();
        var message = await FailureAsync(Settings(("Enrollment:Mqtt:Host", "127.0.0.1"), ("Enrollment:Mqtt:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Enrollment:Mqtt:ConnectTimeoutSeconds", "3")), "Development");
        Assert.Contains("Cannot reach the MQTT broker at 127.0.0.1:" + port, message);
    }

    [Fact]
    public async Task An_unreachable_postgresql_stops_start_up()
    {
        var message = await FailureAsync(Settings(("Enrollment:Storage:Provider", "PostgreSql"),
            ("Enrollment:Storage:ConnectionString", "Host=127.0.0.1;Port=" + Ports.Free() + ";Username=x;Timeout=3")), "Development");
        Assert.Contains("Cannot open the postgresql database", message);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_named()
    {
        var message = await FailureAsync(Settings(("Enrollment:Storage:Provider", "PostgreSql"), ("Enrollment:Storage:ConnectionString", "Hots=nowhere")),
            "Development");
        Assert.Contains("Enrollment:Storage:ConnectionString is not a valid PostgreSql connection string", message);
    }

    [Fact]
    public async Task A_different_key_encryption_key_cannot_open_the_stored_keys()
    {
        await using (var first = TestService.Build(Settings(("Enrollment:Keys:KeyEncryptionKey", Kek())), "Development"))
        {
            await ServiceApp.StartAsync(first, CancellationToken.None);
            await first.StopAsync();
        }

        var message = await FailureAsync(Settings(("Enrollment:Keys:KeyEncryptionKey", Kek())), "Development");
        Assert.Contains("does not open the stored service identity key", message);
    }

    [Fact]
    public async Task Production_refuses_plain_http()
    {
        var message = await FailureAsync(Settings(("Enrollment:Keys:KeyEncryptionKey", Kek())), "Production");
        Assert.Contains("HTTPS needs Enrollment:Http:CertificatePath", message);
    }

    [Fact]
    public async Task Production_serves_https_with_the_configured_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(_dir, "https.pfx");
        await File.WriteAllBytesAsync(pfx, cert.Export(X509ContentType.Pfx, "pw"));

        await using var app = TestService.Build(Settings(("Enrollment:Keys:KeyEncryptionKey", Kek()), ("Enrollment:Http:CertificatePath", pfx),
            ("Enrollment:Http:CertificatePassword", "pw")), "Production");
        await ServiceApp.StartAsync(app, CancellationToken.None);
        var address = ServiceApp.BoundAddress(app);
        Assert.Equal("https", address.Scheme);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == cert.Thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = address };
        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_service_process_exits_non_zero_with_one_line_on_a_misconfiguration()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Enrollment.Service.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Enrollment__DataDirectory"] = _dir;
        psi.Environment.Remove("Enrollment__Keys__KeyEncryptionKey");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        Assert.Equal(2, p.ExitCode);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("enrollment-service: cannot start: ", lines[0]);
        Assert.Contains("KeyEncryptionKey", lines[0]);
        Assert.DoesNotContain("Exception", await stdout);
    }
}
