using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrollment.Protocol.Messages;
using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>The enroller API of docs/service-api.md: auth, bundles, registration idempotency and validation.</summary>
public sealed class EnrollerApiTests : IAsyncLifetime
{
    private TestService _service = null!;
    private EnrollerClient _enroller = null!;

    public async Task InitializeAsync()
    {
        _service = await TestService.StartAsync();
        _enroller = new EnrollerClient(_service.ClientWithToken(await _service.AddPrincipalAsync("line-1")));
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_service.Errors);
        await _service.DisposeAsync();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_refused_with_401()
    {
        using var none = await _service.Http.PostAsync("/v1/bundles", null);
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = await _service.ClientWithToken("enr_not-a-real-token").PostAsync("/v1/bundles", null);
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_revoked_enroller_token_stops_working_at_once()
    {
        var token = await _service.AddPrincipalAsync("temp");
        using var client = _service.ClientWithToken(token);
        using (var ok = await client.GetAsync("/v1/enrollees"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.True(await _service.Store.RevokePrincipalAsync("temp", PrincipalRole.Enroller, 0, CancellationToken.None));
        using var refused = await client.GetAsync("/v1/enrollees");
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task An_operator_token_cannot_use_the_enroller_api_and_vice_versa()
    {
        using var op = _service.ClientWithToken(await _service.AddPrincipalAsync("ops", PrincipalRole.Operator));
        using var asOperator = await op.PostAsync("/v1/bundles", null);
        await AssertProblemAsync(asOperator, HttpStatusCode.Forbidden, "forbidden");
        using var asEnroller = await _enroller.Http.GetAsync("/v1/admin/devices");
        await AssertProblemAsync(asEnroller, HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    public async Task Bundle_count_out_of_range_is_a_400(string count)
    {
        using var r = await _enroller.Http.PostAsync("/v1/bundles?count=" + count, null);
        await AssertProblemAsync(r, HttpStatusCode.BadRequest, "invalid_count");
    }

    /// <summary>Errors the framework answers itself (binding, routing, content type) carry the same problem document.</summary>
    [Theory]
    [InlineData("POST", "/v1/bundles?count=abc", null, HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("POST", "/v1/bundles?count=99999999999", null, HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("POST", "/v1/enrollees", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("GET", "/v1/bundles", null, HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    [InlineData("GET", "/v1/no-such-endpoint", null, HttpStatusCode.NotFound, "not_found")]
    public async Task Requests_the_framework_refuses_get_the_documented_problem_body(string method, string path, string? contentType, HttpStatusCode status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType is not null)
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, contentType);
        }

        using var r = await _enroller.Http.SendAsync(request);
        await AssertProblemAsync(r, status, code);
    }

    [Fact]
    public async Task Each_bundle_reserves_its_own_one_time_prekey_and_carries_a_valid_spk_signature()
    {
        var bundles = await _enroller.FetchBundlesAsync(5);
        Assert.Equal(5, bundles.Count);
        Assert.Equal(5, bundles.Select(b => b.Bundle.OneTimePreKeyId).Distinct().Count());
        Assert.Equal(5, bundles.Select(b => b.BundleId).Distinct().Count());
        foreach (var (id, expires, b) in bundles)
        {
            Assert.Equal(id, Convert.ToHexStringLower(b.BundleId));
            Assert.Equal(expires.ToUnixTimeSeconds(), b.ExpiresAt);
            var input = EnrollmentBundle.BuildSpkSigningInput(b.SignedPreKeyId, b.SignedPreKey, b.SignedPreKeyExpiresAt);
            Assert.True(Sodium.VerifyXEdDsa(b.IdentityKey, 0, input, 0, input.Length, b.SignedPreKeySignature, 0));
            Assert.Equal(_service.EnrollmentTopic, b.Address.RequestTopic);
            Assert.Equal(_service.BrokerPort, b.Address.Port);
            var opk = await _service.Store.GetOneTimePrekeyAsync(b.OneTimePreKeyId, CancellationToken.None);
            Assert.Equal(OpkState.Reserved, opk!.State);
            Assert.Equal(b.OneTimePreKey, opk.PublicKey);
        }
    }

    [Fact]
    public async Task Registration_is_idempotent_and_conflicting_input_is_a_409()
    {
        var (bundleId, _, _) = (await _enroller.FetchBundlesAsync(1))[0];
        var enrollee = new TestEnrollee();
        var first = await _enroller.RegisterOkAsync(enrollee.EikPublic, "pump 7", bundleId);
        Assert.Equal("pending", first.GetProperty("state").GetString());
        Assert.Equal(enrollee.IdText, first.GetProperty("deviceId").GetString());
        Assert.Equal("line-1", first.GetProperty("enroller").GetString());

        using (var retry = await _enroller.RegisterAsync(enrollee.EikPublic, "pump 7", bundleId))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            var again = await retry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
            Assert.Equal(first.GetProperty("expiresAt").GetString(), again.GetProperty("expiresAt").GetString());
        }

        using (var otherName = await _enroller.RegisterAsync(enrollee.EikPublic, "pump 8", bundleId))
        {
            await AssertProblemAsync(otherName, HttpStatusCode.Conflict, "conflict");
        }

        using (var otherKey = await _enroller.RegisterAsync(new TestEnrollee().EikPublic, "pump 7", bundleId))
        {
            await AssertProblemAsync(otherKey, HttpStatusCode.Conflict, "conflict");
        }

        // The same device cannot be pending twice (on a second bundle).
        var (secondBundle, _, _) = (await _enroller.FetchBundlesAsync(1))[0];
        using var twice = await _enroller.RegisterAsync(enrollee.EikPublic, "pump 7", secondBundle);
        await AssertProblemAsync(twice, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Registration_validates_its_input()
    {
        var (bundleId, _, _) = (await _enroller.FetchBundlesAsync(1))[0];
        var eik = new TestEnrollee().EikPublic;
        using (var r = await _enroller.RegisterAsync(eik[..31], null, bundleId))
        {
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "invalid_eik_public_key");
        }

        using (var r = await _enroller.RegisterAsync(eik, new string('x', 65), bundleId))
        {
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "invalid_pet_name");
        }

        using (var r = await _enroller.RegisterAsync(eik, "tab\there", bundleId))
        {
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "invalid_pet_name");
        }

        using (var r = await _enroller.RegisterAsync(eik, null, "XYZ"))
        {
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "invalid_bundle_id");
        }

        using (var r = await _enroller.RegisterAsync(eik, null, new string('0', 32)))
        {
            await AssertProblemAsync(r, HttpStatusCode.NotFound, "bundle_unknown");
        }

        using (var r = await _enroller.Http.PostAsync("/v1/enrollees", new StringContent("{", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }

        // A pet name of exactly 64 UTF-8 bytes (multi-byte characters) is accepted.
        using var ok = await _enroller.RegisterAsync(eik, new string('é', 32), bundleId);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task Another_enrollers_bundle_is_unknown_to_this_enroller()
    {
        var other = new EnrollerClient(_service.ClientWithToken(await _service.AddPrincipalAsync("line-2")));
        var (bundleId, _, _) = (await other.FetchBundlesAsync(1))[0];
        using var r = await _enroller.RegisterAsync(new TestEnrollee().EikPublic, null, bundleId);
        await AssertProblemAsync(r, HttpStatusCode.NotFound, "bundle_unknown");
    }

    [Fact]
    public async Task An_enroller_lists_and_deletes_only_its_own_pending_enrollees()
    {
        var other = new EnrollerClient(_service.ClientWithToken(await _service.AddPrincipalAsync("line-2")));
        var mine = new TestEnrollee();
        var (bundle, myId) = await _enroller.ApproveAsync(mine);
        var (_, theirId) = await other.ApproveAsync(new TestEnrollee());

        var list = await _enroller.Http.GetFromJsonAsync<JsonElement>("/v1/enrollees");
        Assert.Equal([myId], list.GetProperty("enrollees").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        using (var notMine = await _enroller.Http.DeleteAsync("/v1/enrollees/" + theirId))
        {
            await AssertProblemAsync(notMine, HttpStatusCode.NotFound, "enrollee_unknown");
        }

        using (var deleted = await _enroller.Http.DeleteAsync("/v1/enrollees/" + myId))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Empty((await _enroller.Http.GetFromJsonAsync<JsonElement>("/v1/enrollees")).GetProperty("enrollees").EnumerateArray());
        // The OPK that left with the bundle is discarded, never handed out again.
        var opk = await _service.Store.GetOneTimePrekeyAsync(bundle.OneTimePreKeyId, CancellationToken.None);
        Assert.Equal(OpkState.Discarded, opk!.State);
        Assert.Null(opk.SealedPrivateKey);
        using var again = await _enroller.Http.DeleteAsync("/v1/enrollees/" + myId);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_and_health_endpoints_are_served()
    {
        var doc = await _service.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/bundles", out _));
        Assert.True(paths.TryGetProperty("/v1/enrollees", out _));
        Assert.True(paths.TryGetProperty("/v1/admin/devices", out _));
        using var health = await _service.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var ready = await _service.Http.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }
}
