using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Enrollment.Tool.Demo;

/// <summary>
/// What an operator does once a device is enrolled, for <c>enroll demo</c>: read the telemetry the service
/// decrypted from the device's secure channel, send a command down and see it acknowledged. Only the
/// service's operator API (docs/service-api.md section 4); the frames themselves are the service's and the
/// device's business (docs/session-protocol.md).
/// </summary>
internal sealed class DemoOperator : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;

    public DemoOperator(string url, string operatorToken)
    {
        _http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(15) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
    }

    /// <summary>The newest telemetry of the device as the service decrypted it: epoch, counter, payload as text.</summary>
    public async Task<(uint Epoch, ulong Counter, string Text)> WaitForTelemetryAsync(string deviceId, CancellationToken ct)
    {
        var until = DateTime.UtcNow + Bound;
        while (true)
        {
            using (var doc = JsonDocument.Parse(await GetAsync("v1/admin/devices/" + deviceId + "/telemetry?limit=1", ct).ConfigureAwait(false)))
            {
                var list = doc.RootElement.GetProperty("telemetry");
                if (list.GetArrayLength() > 0)
                {
                    var t = list[0];
                    return (t.GetProperty("epoch").GetUInt32(), t.GetProperty("counter").GetUInt64(),
                        Printable(Convert.FromBase64String(t.GetProperty("payload").GetString() ?? "")));
                }
            }

            await PauseAsync(until, "no telemetry from the device reached the service", ct).ConfigureAwait(false);
        }
    }

    /// <summary>POST /v1/admin/devices/{id}/commands: the command's id.</summary>
    public async Task<uint> SendCommandAsync(string deviceId, string body, CancellationToken ct)
    {
        using var content = new StringContent("{\"body\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) + "\"}", Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri("v1/admin/devices/" + deviceId + "/commands", UriKind.Relative), content, ct).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new ToolFailure(ExitCode.Internal, "The service refused the command: " + (int)response.StatusCode + " " + text);
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("commandId").GetUInt32();
    }

    /// <summary>Waits until the device acknowledged the command: its status and detail text.</summary>
    public async Task<(string Status, string Detail)> WaitForAcknowledgementAsync(string deviceId, uint commandId, CancellationToken ct)
    {
        var until = DateTime.UtcNow + Bound;
        while (true)
        {
            using (var doc = JsonDocument.Parse(await GetAsync("v1/admin/devices/" + deviceId + "/commands", ct).ConfigureAwait(false)))
            {
                foreach (var c in doc.RootElement.GetProperty("commands").EnumerateArray())
                {
                    if (c.GetProperty("commandId").GetUInt32() == commandId && c.GetProperty("acknowledged").GetBoolean())
                    {
                        var detail = c.GetProperty("detail");
                        return (c.GetProperty("status").GetString() ?? "?",
                            detail.ValueKind == JsonValueKind.String ? Printable(Convert.FromBase64String(detail.GetString()!)) : "");
                    }
                }
            }

            await PauseAsync(until, "the device did not acknowledge command " + commandId.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> GetAsync(string path, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), ct).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new ToolFailure(ExitCode.Internal, "GET " + path + ": " + (int)response.StatusCode + " " + text);
        }

        return text;
    }

    /// <summary>The operator API is polled: the service offers no push to operators. Bounded by <paramref name="until"/>.</summary>
    private static async Task PauseAsync(DateTime until, string failure, CancellationToken ct)
    {
        if (DateTime.UtcNow >= until)
        {
            throw new ToolFailure(ExitCode.Internal, failure + " within " + Bound.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s.");
        }

        await Task.Delay(50, ct).ConfigureAwait(false);
    }

    private static string Printable(byte[] bytes)
    {
        foreach (byte b in bytes)
        {
            if (b < 0x20 || b > 0x7E)
            {
                return "0x" + Convert.ToHexStringLower(bytes);
            }
        }

        return Encoding.ASCII.GetString(bytes);
    }
}
