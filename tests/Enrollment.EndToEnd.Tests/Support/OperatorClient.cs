using System.Net;
using System.Net.Http.Headers;
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
