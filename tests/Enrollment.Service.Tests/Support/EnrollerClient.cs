using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrollment.Protocol.Messages;

namespace Enrollment.Service.Tests.Support;

/// <summary>The enroller side of the HTTP API as docs/service-api.md describes it, for tests.</summary>
internal sealed class EnrollerClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public async Task<IReadOnlyList<(string BundleId, DateTimeOffset ExpiresAt, EnrollmentBundle Bundle)>> FetchBundlesAsync(int count)
    {
        using var response = await Http.PostAsync("/v1/bundles?count=" + count, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await response.Content.ReadFromJsonAsync<JsonElement>();
        var list = new List<(string, DateTimeOffset, EnrollmentBundle)>();
        foreach (var b in doc.GetProperty("bundles").EnumerateArray())
        {
            var bytes = Convert.FromBase64String(b.GetProperty("bundle").GetString()!);
            Assert.True(EnrollmentBundle.TryDecode(bytes, 0, bytes.Length, out var bundle));
            list.Add((b.GetProperty("bundleId").GetString()!, b.GetProperty("expiresAt").GetDateTimeOffset(), bundle!));
        }

        return list;
    }

    public Task<HttpResponseMessage> RegisterAsync(byte[] eikPublic, string? petName, string bundleId) =>
        Http.PostAsJsonAsync("/v1/enrollees", new { eikPublicKey = Convert.ToBase64String(eikPublic), petName, bundleId });

    public async Task<JsonElement> RegisterOkAsync(byte[] eikPublic, string? petName, string bundleId)
    {
        using var response = await RegisterAsync(eikPublic, petName, bundleId);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Issues one bundle and registers <paramref name="enrollee"/> against it.</summary>
    public async Task<(EnrollmentBundle Bundle, string EnrolleeRecordId)> ApproveAsync(TestEnrollee enrollee, string? petName = "sensor")
    {
        var (bundleId, _, bundle) = (await FetchBundlesAsync(1))[0];
        var created = await RegisterOkAsync(enrollee.EikPublic, petName, bundleId);
        return (bundle, created.GetProperty("id").GetString()!);
    }
}
