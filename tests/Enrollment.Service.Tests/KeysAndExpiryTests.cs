using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>Service keys (rotation, overlap, refill, sealing at rest) and background expiry.</summary>
public sealed class KeysAndExpiryTests : IAsyncLifetime
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

    private ServiceKeys Keys => _service.App.Services.GetRequiredService<ServiceKeys>();

    [Fact]
    public async Task The_signed_prekey_rotates_and_the_old_one_is_accepted_through_the_overlap_window()
    {
        var enrollee = new TestEnrollee();
        var (oldBundle, recordId) = await _enroller.ApproveAsync(enrollee);
        var oldSpk = Keys.Current.Id;

        // Default lifetime 30 days, overlap 14 days. Pending enrollees live 24 h, so give this one longer.
        _service.Time.Advance(TimeSpan.FromDays(31));
        await _service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.NotEqual(oldSpk, Keys.Current.Id);
        var fresh = (await _enroller.FetchBundlesAsync(1))[0].Bundle;
        Assert.Equal(Keys.Current.Id, fresh.SignedPreKeyId);
        Assert.NotNull(Keys.FindAccepted(oldSpk, _service.Time.GetUtcNow().ToUnixTimeMilliseconds()));

        _service.Time.Advance(TimeSpan.FromDays(14));
        await _service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.Null(Keys.FindAccepted(oldSpk, _service.Time.GetUtcNow().ToUnixTimeMilliseconds()));
        var rows = await _service.Store.ListSignedPrekeysAsync(CancellationToken.None);
        Assert.Null(rows.Single(r => r.Id == oldSpk).SealedPrivateKey); // private key deleted after the window
        Assert.Equal(EnrolleeState.Expired, (await _service.Store.GetEnrolleeAsync(recordId, CancellationToken.None))!.State);
        Assert.Equal(oldSpk, oldBundle.SignedPreKeyId);
    }

    [Fact]
    public async Task A_bundle_issued_before_rotation_still_enrolls_during_the_overlap()
    {
        await using var service = await TestService.StartAsync(new TestServiceSetup
        {
            Settings = new()
            {
                ["Enrollment:Keys:SignedPrekeyLifetime"] = "1.00:00:00",
                ["Enrollment:Keys:SignedPrekeyOverlap"] = "3.00:00:00",
                ["Enrollment:Lifetimes:PendingEnrollee"] = "2.00:00:00",
            },
        });
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);

        service.Time.Advance(TimeSpan.FromHours(36)); // past the SPK's 1-day lifetime, inside its overlap
        await service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.NotEqual(bundle.SignedPreKeyId, service.App.Services.GetRequiredService<ServiceKeys>().Current.Id);

        await DeviceLink.EnrollAsync(service, enrollee, bundle); // opened and accepted under the retired (overlapping) SPK
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task The_one_time_prekey_pool_is_refilled_when_it_runs_low()
    {
        Assert.Equal(20, await _service.Store.CountFreeOneTimePrekeysAsync(CancellationToken.None));
        await _enroller.FetchBundlesAsync(5);
        await _service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.Equal(15, await _service.Store.CountFreeOneTimePrekeysAsync(CancellationToken.None)); // above half: left alone
        await _enroller.FetchBundlesAsync(10);
        await _service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.Equal(20, await _service.Store.CountFreeOneTimePrekeysAsync(CancellationToken.None)); // below half: refilled
    }

    [Fact]
    public async Task Expired_pending_enrollees_and_unused_bundles_discard_their_one_time_prekeys()
    {
        var enrollee = new TestEnrollee();
        var (bound, recordId) = await _enroller.ApproveAsync(enrollee);
        var (unusedId, _, unused) = (await _enroller.FetchBundlesAsync(1))[0];
        var free = await _service.Store.CountFreeOneTimePrekeysAsync(CancellationToken.None);

        _service.Time.Advance(TimeSpan.FromHours(25));
        await _service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.Equal(EnrolleeState.Expired, (await _service.Store.GetEnrolleeAsync(recordId, CancellationToken.None))!.State);
        Assert.Equal(BundleState.Reserved, (await _service.Store.GetBundleAsync(unusedId, CancellationToken.None))!.State);

        _service.Time.Advance(TimeSpan.FromDays(7));
        await _service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.Equal(BundleState.Expired, (await _service.Store.GetBundleAsync(unusedId, CancellationToken.None))!.State);
        foreach (var id in new[] { bound.OneTimePreKeyId, unused.OneTimePreKeyId })
        {
            var opk = await _service.Store.GetOneTimePrekeyAsync(id, CancellationToken.None);
            Assert.Equal(OpkState.Discarded, opk!.State); // never returned to the free pool
            Assert.Null(opk.SealedPrivateKey);
        }

        Assert.True(await _service.Store.CountFreeOneTimePrekeysAsync(CancellationToken.None) >= free);
        var audit = await _service.Store.ListAuditAsync("enrollee:" + recordId, 10, CancellationToken.None);
        Assert.Contains(audit, a => a.Action == "enrollee.expired");
        Assert.Contains(await _service.Store.ListAuditAsync("bundle:" + unusedId, 10, CancellationToken.None), a => a.Action == "bundle.expired");
    }

    [Fact]
    public async Task Private_keys_are_never_stored_in_the_clear()
    {
        var ik = Keys.IdentityPrivateKey.ToArray();
        var spk = Keys.Current.PrivateKey.ToArray();
        await _service.StopAsync(); // flush and close the database
        var dbBytes = await File.ReadAllBytesAsync(Path.Combine(_service.DataDirectory, "enrollment.db"));
        Assert.Equal(-1, dbBytes.AsSpan().IndexOf(ik));
        Assert.Equal(-1, dbBytes.AsSpan().IndexOf(spk));
        await _service.StartAgainAsync();
        Assert.Equal(ik, Keys.IdentityPrivateKey); // and reopened with the KEK after a restart
    }

    [Fact]
    public void The_key_vault_refuses_a_wrong_key_a_moved_blob_and_a_tampered_blob()
    {
        var kek = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using var vault = new KeyVault(kek);
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var sealedKey = vault.Seal(secret, "opk:7");
        Assert.Equal(secret, vault.Open(sealedKey, "opk:7"));
        Assert.Null(vault.Open(sealedKey, "opk:8"));
        var tampered = (byte[])sealedKey.Clone();
        tampered[^1] ^= 1;
        Assert.Null(vault.Open(tampered, "opk:7"));
        kek[0] ^= 1;
        using var other = new KeyVault(kek);
        Assert.Null(other.Open(sealedKey, "opk:7"));
        Assert.Throws<ArgumentException>(() => new KeyVault(new byte[31]));
    }

    [Fact]
    public async Task Revoking_a_pending_enrollee_makes_its_enrollment_fail()
    {
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await _enroller.ApproveAsync(enrollee);
        Assert.True(await _service.Store.RevokeEnrolleeAsync(recordId, "operator:test", _service.Time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None));
        using var metrics = new MetricsProbe(_service);
        await using var device = await DeviceLink.ConnectAsync(_service, enrollee.IdText);
        var attempt = enrollee.CreateAttempt(bundle);
        await device.PublishAsync(attempt.Message);
        await metrics.WaitForAsync("enrollment.rejected:unknown_enrollee", 1);
        var answer = await device.NextAnswerAsync();
        Assert.True(Enrollment.Protocol.Messages.EnrollmentNotice.TryDecode(answer, 0, answer.Length, out _)); // a notice, not a sealed result
        Assert.Equal(0, metrics.Count("enrollment.opened"));
    }
}
