using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>The operator API: devices by state with pet name and approving enroller, one device with its audit trail, revoke.</summary>
public sealed class OperatorApiTests : IAsyncLifetime
{
    private const string ConfigAdminToken = "opr_test-admin-token-from-configuration";
    private TestService _service = null!;
    private EnrollerClient _enroller = null!;
    private HttpClient _operator = null!;

    public async Task InitializeAsync()
    {
        _service = await TestService.StartAsync(new TestServiceSetup { Settings = new() { ["Enrollment:Admin:Token"] = ConfigAdminToken } });
        _enroller = new EnrollerClient(_service.ClientWithToken(await _service.AddPrincipalAsync("line-7")));
        _operator = _service.ClientWithToken(await _service.AddPrincipalAsync("ops", Domain.PrincipalRole.Operator));
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_service.Errors);
        await _service.DisposeAsync();
    }

    private async Task<string[]> DeviceIdsAsync(string state)
    {
        var doc = await _operator.GetFromJsonAsync<JsonElement>("/v1/admin/devices?state=" + state);
        return [.. doc.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task Devices_are_listed_by_state_shown_with_their_audit_trail_and_revocable()
    {
        var enrolled = new TestEnrollee();
        var (bundle, enrolledId) = await _enroller.ApproveAsync(enrolled, "boiler");
        var (_, pendingId) = await _enroller.ApproveAsync(new TestEnrollee(), "porch light");
        await using (var device = await DeviceLink.ConnectAsync(_service, enrolled.IdText))
        {
            var attempt = enrolled.CreateAttempt(bundle);
            await device.PublishAsync(attempt.Message);
            var answer = await device.NextAnswerAsync();
            Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out _));
        }

        Assert.Equal([enrolledId], await DeviceIdsAsync("enrolled"));
        Assert.Equal([pendingId], await DeviceIdsAsync("pending"));
        Assert.Empty(await DeviceIdsAsync("revoked"));
        var all = await _operator.GetFromJsonAsync<JsonElement>("/v1/admin/devices");
        Assert.Equal(2, all.GetProperty("devices").GetArrayLength());

        var shown = await _operator.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + enrolledId);
        Assert.Equal("boiler", shown.GetProperty("device").GetProperty("petName").GetString());
        Assert.Equal("line-7", shown.GetProperty("device").GetProperty("enroller").GetString());
        Assert.Equal(enrolled.IdText, shown.GetProperty("device").GetProperty("deviceId").GetString());
        Assert.Equal(44, shown.GetProperty("identityKey").GetString()!.Length);
        Assert.Equal(["enrollee.pending", "enrollee.enrolled"], shown.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("action").GetString()));

        using (var revoke = await _operator.PostAsync("/v1/admin/devices/" + enrolledId + "/revoke", null))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
            Assert.Equal("revoked", (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        }

        using (var twice = await _operator.PostAsync("/v1/admin/devices/" + enrolledId + "/revoke", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        Assert.Equal([enrolledId], await DeviceIdsAsync("revoked"));
        var after = await _operator.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + enrolledId);
        Assert.Equal("operator:ops", after.GetProperty("audit").EnumerateArray().Last().GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Unknown_devices_and_states_are_reported()
    {
        using var unknown = await _operator.GetAsync("/v1/admin/devices/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var revokeUnknown = await _operator.PostAsync("/v1/admin/devices/nope/revoke", null);
        Assert.Equal(HttpStatusCode.NotFound, revokeUnknown.StatusCode);
        using var badState = await _operator.GetAsync("/v1/admin/devices?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Equal("invalid_state", (await badState.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_admin_token_from_configuration_is_an_operator_token()
    {
        using var admin = _service.ClientWithToken(ConfigAdminToken);
        using var ok = await admin.GetAsync("/v1/admin/audit?limit=5");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var asEnroller = await admin.PostAsync("/v1/bundles", null);
        Assert.Equal(HttpStatusCode.Forbidden, asEnroller.StatusCode);
        using var wrong = _service.ClientWithToken(ConfigAdminToken + "x");
        using var refused = await wrong.GetAsync("/v1/admin/audit");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}

/// <summary>The admin command: enrollers add prints a token once (stored hashed), list, revoke.</summary>
public sealed class AdminCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enroll-admin-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync([.. args, "--Enrollment:DataDirectory=" + _dir], output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>`--help` prints the usage; a mistyped command is an error instead of starting the service with it.</summary>
    [Theory]
    [InlineData(new[] { "--help" }, true, false)]
    [InlineData(new[] { "-h" }, true, false)]
    [InlineData(new[] { "enroller", "add", "--name", "x" }, false, true)]
    [InlineData(new[] { "start" }, false, true)]
    [InlineData(new[] { "enrollers", "list" }, false, false)]
    [InlineData(new[] { "--Enrollment:Http:Port", "5081" }, false, false)]
    [InlineData(new[] { "Enrollment:Http:Port=5081" }, false, false)]
    [InlineData(new string[0], false, false)]
    public void Help_and_unknown_commands_are_told_apart_from_settings(string[] args, bool help, bool unknown)
    {
        Assert.Equal(help, AdminCommands.IsHelp(args));
        Assert.Equal(unknown, AdminCommands.IsUnknownCommand(args));
    }

    [Fact]
    public async Task Enrollers_are_added_listed_and_revoked_and_the_printed_token_works()
    {
        var (code, token, _) = await RunAsync("enrollers", "add", "--name", "factory-3");
        Assert.Equal(0, code);
        token = token.Trim();
        Assert.StartsWith("enr_", token);
        Assert.Equal(1, (await RunAsync("enrollers", "add", "--name", "factory-3")).Code); // names are unique

        var dbBytes = await File.ReadAllBytesAsync(Path.Combine(_dir, "enrollment.db"));
        Assert.Equal(-1, dbBytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(token))); // only its hash is stored

        var list = await RunAsync("enrollers", "list");
        Assert.Contains("factory-3\tactive", list.Out);

        await using (var service = await TestService.StartAsync(new TestServiceSetup { Settings = new() { ["Enrollment:DataDirectory"] = _dir } }))
        {
            using var client = service.ClientWithToken(token);
            using var ok = await client.GetAsync("/v1/enrollees");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

            Assert.Equal(0, (await RunAsync("enrollers", "revoke", "--name", "factory-3")).Code);
            using var refused = await client.GetAsync("/v1/enrollees");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Contains("factory-3\trevoked", (await RunAsync("enrollers", "list")).Out);
        Assert.Equal(1, (await RunAsync("enrollers", "revoke", "--name", "factory-3")).Code);
    }

    [Fact]
    public async Task Bad_usage_exits_2()
    {
        Assert.Equal(2, (await RunAsync("enrollers", "add")).Code);
        Assert.Equal(2, (await RunAsync("enrollers", "frobnicate")).Code);
    }
}
