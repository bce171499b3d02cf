using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>The service's operator API (docs/service-api.md section 4), as an operator would call it.</summary>
internal sealed class OperatorClient : IDisposable
{
    private readonly HttpClient _http;

    public OperatorClient(ServiceProcess service)
    {
        _http = new HttpClient { BaseAddress = new Uri(service.Url), Timeout = TimeSpan.FromSeconds(15) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", service.OperatorToken);
    }

    /// <summary>Every device the service knows (all states).</summary>
    public async Task<IReadOnlyList<DeviceView>> DevicesAsync()
    {
        using var doc = JsonDocument.Parse(await GetAsync("v1/admin/devices"));
        return [.. doc.RootElement.GetProperty("devices").EnumerateArray().Select(DeviceView.From)];
    }

    /// <summary>The device with this enrollee id (protocol id text), or null.</summary>
    public async Task<DeviceView?> FindByEnrolleeIdAsync(string enrolleeIdText) =>
        (await DevicesAsync()).SingleOrDefault(d => d.DeviceId == enrolleeIdText);

    /// <summary>One device's detail: its record, IK_B (base64 or null) and its audit actions, oldest first.</summary>
    public async Task<(DeviceView Device, string? IdentityKey, IReadOnlyList<string> Audit)> DetailAsync(string id)
    {
        using var doc = JsonDocument.Parse(await GetAsync("v1/admin/devices/" + id));
        var root = doc.RootElement;
        var ik = root.GetProperty("identityKey");
        return (DeviceView.From(root.GetProperty("device")), ik.ValueKind == JsonValueKind.Null ? null : ik.GetString(),
            [.. root.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("action").GetString()!)]);
    }

    /// <summary>The device's telemetry as the service decrypted and stored it, newest first.</summary>
    public async Task<IReadOnlyList<(uint Epoch, ulong Counter, byte[] Payload)>> TelemetryAsync(string id)
    {
        using var doc = JsonDocument.Parse(await GetAsync("v1/admin/devices/" + id + "/telemetry?limit=100"));
        return [.. doc.RootElement.GetProperty("telemetry").EnumerateArray().Select(t =>
            (t.GetProperty("epoch").GetUInt32(), t.GetProperty("counter").GetUInt64(), Convert.FromBase64String(t.GetProperty("payload").GetString()!)))];
    }

    /// <summary>Queues a command for the device (sent down in a channel frame); returns its id.</summary>
    public async Task<uint> SendCommandAsync(string id, byte[] body)
    {
        using var response = await _http.PostAsJsonAsync("v1/admin/devices/" + id + "/commands", new { body = Convert.ToBase64String(body) });
        string text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new HttpRequestException("POST commands: " + (int)response.StatusCode + " " + text);
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("commandId").GetUInt32();
    }

    /// <summary>The commands sent to the device and what it acknowledged.</summary>
    public async Task<IReadOnlyList<CommandView>> CommandsAsync(string id)
    {
        using var doc = JsonDocument.Parse(await GetAsync("v1/admin/devices/" + id + "/commands"));
        return [.. doc.RootElement.GetProperty("commands").EnumerateArray().Select(c => new CommandView(c.GetProperty("commandId").GetUInt32(),
            Convert.FromBase64String(c.GetProperty("body").GetString()!), c.GetProperty("acknowledged").GetBoolean(),
            c.GetProperty("status").ValueKind == JsonValueKind.Null ? null : c.GetProperty("status").GetString(),
            c.GetProperty("detail").ValueKind == JsonValueKind.Null ? null : Convert.FromBase64String(c.GetProperty("detail").GetString()!)))];
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException("GET " + path + ": " + (int)response.StatusCode + " " + body);
        }

        return body;
    }
}

/// <summary>The enrollee object of the API (docs/service-api.md section 3.1), the fields the tests read.</summary>
internal sealed record DeviceView(string Id, string DeviceId, string? PetName, string State, string Enroller, DateTimeOffset ExpiresAt)
{
    public static DeviceView From(JsonElement e) => new(e.GetProperty("id").GetString()!, e.GetProperty("deviceId").GetString()!,
        e.GetProperty("petName").GetString(), e.GetProperty("state").GetString()!, e.GetProperty("enroller").GetString()!,
        e.GetProperty("expiresAt").GetDateTimeOffset());
}

/// <summary>A command as the operator API shows it (docs/service-api.md section 4).</summary>
internal sealed record CommandView(uint CommandId, byte[] Body, bool Acknowledged, string? Status, byte[]? Detail);
