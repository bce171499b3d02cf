using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Enrollment.Tool.Config;

namespace Enrollment.Tool.Service;

/// <summary>
/// The enroller API of the service (docs/service-api.md): bundles, pending enrollees. The bearer token goes
/// only into the Authorization header; it is never part of a message, an exception or a log line.
/// </summary>
internal sealed class ServiceClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http;

    public ServiceClient(ServiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (settings.CaCertificatePath != null)
        {
            var ca = LoadCa(settings.CaCertificatePath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustPrivateCa(ca, certificate, errors);
        }

        _http = new HttpClient(handler) { BaseAddress = settings.BaseUri, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
    }

    public ServiceSettings Settings { get; }

    public async Task<List<BundleDto>> IssueBundlesAsync(int count, CancellationToken ct)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "v1/bundles?count=" + count), ct).ConfigureAwait(false);
        var body = await ReadAsync(response, ToolJson.Default.BundlesResponse, ct).ConfigureAwait(false);
        return body.Bundles;
    }

    /// <summary>POST /v1/enrollees: idempotent on the service side, so a retry after a lost answer is safe.</summary>
    public async Task<EnrolleeResponse> RegisterAsync(RegisterRequest request, CancellationToken ct)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "v1/enrollees")
        {
            Content = JsonContent.Create(request, ToolJson.Default.RegisterRequest),
        }, ct).ConfigureAwait(false);
        return await ReadAsync(response, ToolJson.Default.EnrolleeResponse, ct).ConfigureAwait(false);
    }

    /// <summary>DELETE /v1/enrollees/{id}; false if the service no longer has it (already deleted or expired).</summary>
    public async Task<bool> DeleteEnrolleeAsync(string id, CancellationToken ct)
    {
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, "v1/enrollees/" + Uri.EscapeDataString(id)), ct)
                .ConfigureAwait(false);
            return true;
        }
        catch (ServiceException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<List<EnrolleeResponse>> ListPendingAsync(CancellationToken ct)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "v1/enrollees"), ct).ConfigureAwait(false);
        return (await ReadAsync(response, ToolJson.Default.EnrolleesResponse, ct).ConfigureAwait(false)).Enrollees;
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct)
    {
        HttpResponseMessage response;
        using var request = make();
        try
        {
            response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ServiceException(ServiceFailureKind.Unreachable, 0, null, Describe(e), e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ServiceException(ServiceFailureKind.Unreachable, 0, null, "no answer within " + RequestTimeout.TotalSeconds + " s", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            int status = (int)response.StatusCode;
            ProblemResponse? problem = null;
            try
            {
                problem = await response.Content.ReadFromJsonAsync(ToolJson.Default.ProblemResponse, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or HttpRequestException)
            {
                // Not a problem document (a proxy's error page, say): the status says enough.
            }

            string detail = problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "HTTP " + status;
            var kind = status switch
            {
                401 or 403 => ServiceFailureKind.Unauthorized,
                502 or 503 or 504 => ServiceFailureKind.Unreachable,
                _ => ServiceFailureKind.Rejected,
            };
            throw new ServiceException(kind, status, problem?.Code, detail + " (HTTP " + status + (problem?.Code != null ? ", " + problem.Code : "") + ")");
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        using (response)
        {
            try
            {
                return await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false)
                    ?? throw new ServiceException(ServiceFailureKind.Rejected, (int)response.StatusCode, null, "empty answer");
            }
            catch (JsonException e)
            {
                throw new ServiceException(ServiceFailureKind.Rejected, (int)response.StatusCode, null, "unreadable answer: " + e.Message, e);
            }
        }
    }

    private static string Describe(HttpRequestException e)
    {
        string what = e.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.NameResolutionError => "host name not found",
            HttpRequestError.SecureConnectionError => "TLS failed (is the service's CA trusted? see --ca-cert)",
            _ => e.HttpRequestError.ToString(),
        };
        return what + (e.InnerException != null ? " (" + e.InnerException.Message + ")" : "");
    }

    private static X509Certificate2 LoadCa(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ToolFailure(ExitCode.Usage, "Cannot read the CA certificate " + path + ": " + e.Message, e);
        }
    }

    /// <summary>
    /// Accepts the service's certificate when it chains to the given private CA (and names the host we
    /// asked for); the system's trust store still applies when it alone is enough.
    /// </summary>
    private static bool TrustPrivateCa(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate == null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
