using System.Net;
using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// Registrations share the group-committing writer with enrollments: concurrent requests each get their own
/// answer, conflicts inside one group are still seen (each write reads what the earlier ones of its group
/// wrote), and every created enrollee is in the database, the audit log and the ingress index.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private TestService _service = null!;
    private EnrollerClient _enroller = null!;

    public async Task InitializeAsync()
    {
        _service = await TestService.StartAsync(new TestServiceSetup { Settings = { ["Enrollment:Keys:OneTimePrekeyPool"] = "64" } });
        _enroller = new EnrollerClient(_service.ClientWithToken(await _service.AddPrincipalAsync("line-1")));
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_service.Errors);
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task Sixteen_concurrent_registrations_are_all_created_audited_and_indexed()
    {
        var bundles = await _enroller.FetchBundlesAsync(16);
        var enrollees = bundles.Select(_ => new TestEnrollee()).ToArray();
        var responses = await Task.WhenAll(bundles.Select((b, i) => _enroller.RegisterAsync(enrollees[i].EikPublic, "s" + i, b.BundleId)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        var pending = await _service.Store.ListEnrolleesAsync(null, EnrolleeState.Pending, CancellationToken.None);
        Assert.Equal(enrollees.Select(e => Convert.ToHexString(e.Id)).Order(), pending.Select(p => Convert.ToHexString(p.EikHash)).Order());
        var audit = await _service.Store.ListAuditAsync(null, 10_000, CancellationToken.None);
        Assert.Equal(16, audit.Count(a => a.Action == "enrollee.pending"));
        var index = _service.App.Services.GetRequiredService<IngressIndex>().Describe();
        Assert.Equal(16, index.Count(l => l.StartsWith("pending ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Concurrent_registrations_of_different_keys_on_one_bundle_create_exactly_one()
    {
        var (bundleId, _, _) = (await _enroller.FetchBundlesAsync(1))[0];
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _enroller.RegisterAsync(new TestEnrollee().EikPublic, null, bundleId)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_key_on_several_bundles_leave_one_pending()
    {
        var enrollee = new TestEnrollee();
        var bundles = await _enroller.FetchBundlesAsync(4);
        var responses = await Task.WhenAll(bundles.Select(b => _enroller.RegisterAsync(enrollee.EikPublic, null, b.BundleId)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var pending = await _service.Store.ListEnrolleesAsync(null, EnrolleeState.Pending, CancellationToken.None);
        Assert.Single(pending);
    }
}
