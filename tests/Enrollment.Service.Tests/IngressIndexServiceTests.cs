using System.Security.Cryptography;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// The pre-check index inside the real service: junk never reaches the store, the database stays the
/// authority under concurrent duplicates, and what the index holds after a run equals a fresh load.
/// </summary>
public sealed class IngressIndexServiceTests
{
    private static async Task<(TestService Service, CountingStore Counter)> StartCountingAsync()
    {
        CountingStore? counter = null;
        var service = await TestService.StartAsync(new TestServiceSetup
        {
            Services = s => s.AddSingleton<IEnrollmentStore>(sp =>
            {
                var (store, c) = CountingStore.Wrap(sp.GetRequiredService<SqlEnrollmentStore>());
                counter = c;
                return store;
            }),
        });
        _ = service.App.Services.GetRequiredService<IEnrollmentStore>();
        return (service, counter!);
    }

    private static byte[] Reencode(byte[] message, byte[]? ephemeralKey = null, byte[]? enrolleeId = null, byte[]? ciphertext = null)
    {
        Assert.True(EnrollmentMessage.TryDecode(message, 0, message.Length, out var m));
        return new EnrollmentMessage(ephemeralKey ?? m!.EphemeralKey, enrolleeId ?? m!.EnrolleeId, m!.SignedPreKeyId, m.OneTimePreKeyId,
            ciphertext ?? m.Ciphertext).Encode();
    }

    [Fact]
    public async Task Unknown_enrollees_and_replays_under_a_seen_ephemeral_key_never_reach_the_store()
    {
        var (service, counter) = await StartCountingAsync();
        await using var _ = service;
        using var metrics = new MetricsProbe(service);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);
        await using var device = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        var attempt = enrollee.CreateAttempt(bundle);
        var beforeReal = new Dictionary<string, int>(counter.Calls);
        await device.PublishAsync(attempt.Message);
        await device.NextAnswerAsync();
        // The real one went through: registered since start, so the index holds its rows (enrollee, bundle, OPK)
        // and the ingress reads nothing; the store is called for the commit.
        var calls = counter.Calls.Where(c => c.Value != beforeReal.GetValueOrDefault(c.Key)).Select(c => c.Key).ToList();
        Assert.Contains(nameof(IEnrollmentStore.CompleteEnrollmentAsync), calls);
        Assert.DoesNotContain(nameof(IEnrollmentStore.LoadIngressStateAsync), calls);
        Assert.DoesNotContain(calls, name => name.StartsWith("Find", StringComparison.Ordinal));

        var callsBefore = counter.Total;
        var openedBefore = metrics.Count("enrollment.opened");
        const int Junk = 20;
        for (var i = 0; i < Junk; i++)
        {
            // Well-formed messages for nobody, each with a fresh EK_B (the load bench's flood) ...
            await device.PublishAsync(Reencode(attempt.Message, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32)));
            // ... and a different body under the accepted EK_B (a replay attempt).
            var body = RandomNumberGenerator.GetBytes(EnrollmentMessage.CiphertextSize);
            await device.PublishAsync(Reencode(attempt.Message, ciphertext: body));
        }

        await metrics.WaitForAsync("enrollment.rejected:unknown_enrollee", Junk);
        await metrics.WaitForAsync("enrollment.rejected:replayed", Junk);
        Assert.Equal(callsBefore, counter.Total);
        Assert.Equal(openedBefore, metrics.Count("enrollment.opened")); // and no public-key work
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Concurrent_copies_of_one_message_enroll_once_and_all_get_the_same_answer()
    {
        await using var service = await TestService.StartAsync();
        using var metrics = new MetricsProbe(service);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        const int Copies = 8;
        // One connection (the broker lets an anonymous device subscribe only with its own id as client id),
        // eight QoS 1 publishes in flight at once: the broker delivers them back to back and the service's
        // workers race on them.
        await using var device = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        await Task.WhenAll(Enumerable.Range(0, Copies).Select(_ => device.PublishAsync(attempt.Message)));
        var answers = new List<byte[]>();
        for (var i = 0; i < Copies; i++)
        {
            answers.Add(await device.NextAnswerAsync());
        }

        // A worker counts its duplicate after handing the answer to the publisher, so the last count can
        // trail the last answer: wait for it (bounded), then check that nothing was counted twice.
        await metrics.WaitForAsync("enrollment.duplicates", Copies - 1);
        Assert.Equal(1, metrics.Count("enrollment.accepted"));
        Assert.Equal(Copies - 1, metrics.Count("enrollment.duplicates"));
        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answers[0], 0, answers[0].Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
        var audit = await service.Store.ListAuditAsync("enrollee:" + recordId, 100, CancellationToken.None);
        Assert.Equal(["enrollee.pending", "enrollee.enrolled"], audit.Select(a => a.Action));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Two_different_attempts_of_one_enrollee_at_once_enroll_it_once()
    {
        await using var service = await TestService.StartAsync();
        using var metrics = new MetricsProbe(service);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee);
        var first = enrollee.CreateAttempt(bundle);
        var second = enrollee.CreateAttempt(bundle); // a new EK_B: both pass every cheap check
        await using var a = await DeviceLink.ConnectAsync(service, enrollee.IdText);

        await Task.WhenAll(a.PublishAsync(first.Message), a.PublishAsync(second.Message));
        await metrics.WaitForAsync("enrollment.accepted", 1);
        await Task.WhenAll(a.NextAnswerAsync(), a.NextAnswerAsync());

        Assert.Equal(1, metrics.Count("enrollment.accepted"));
        var rejected = metrics.Count("enrollment.rejected:state_changed") + metrics.Count("enrollment.rejected:unknown_enrollee");
        Assert.Equal(1, rejected);
        var audit = await service.Store.ListAuditAsync("enrollee:" + recordId, 100, CancellationToken.None);
        Assert.Equal(["enrollee.pending", "enrollee.enrolled"], audit.Select(x => x.Action));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task After_registrations_enrollments_deletions_and_revocations_the_index_equals_a_fresh_load_after_restart()
    {
        await using var service = await TestService.StartAsync();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollees = Enumerable.Range(0, 5).Select(_ => new TestEnrollee()).ToArray();
        var approved = new List<(EnrollmentBundle Bundle, string RecordId)>();
        foreach (var e in enrollees)
        {
            approved.Add(await enroller.ApproveAsync(e));
        }

        for (var i = 0; i < 2; i++)
        {
            await using var device = await DeviceLink.ConnectAsync(service, enrollees[i].IdText);
            await device.PublishAsync(enrollees[i].CreateAttempt(approved[i].Bundle).Message);
            await device.NextAnswerAsync();
        }

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await enroller.Http.DeleteAsync("/v1/enrollees/" + approved[2].RecordId)).StatusCode);
        var now = service.Time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.True(await service.Store.RevokeEnrolleeAsync(approved[3].RecordId, "operator:test", now, CancellationToken.None));
        Assert.True(await service.Store.RevokeEnrolleeAsync(approved[0].RecordId, "operator:test", now, CancellationToken.None));

        var index = service.App.Services.GetRequiredService<IngressIndex>();
        var live = index.Describe();
        Assert.Equal(3, live.Count); // one pending (enrollee 4), two accepted EK_B (enrollees 0 and 1)
        Assert.Single(live, l => l.StartsWith("pending ", StringComparison.Ordinal));

        await service.RestartAsync();
        var reloaded = service.App.Services.GetRequiredService<IngressIndex>();
        Assert.NotSame(index, reloaded);
        Assert.Equal(live, reloaded.Describe());
        Assert.Empty(service.Errors);
    }
}
