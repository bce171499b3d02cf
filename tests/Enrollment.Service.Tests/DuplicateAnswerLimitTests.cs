using Enrollment.Service.Storage;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// Copies of an accepted enrollment message are answered from the stored result, at most
/// Mqtt:DuplicateAnswersPerSecond a second; beyond that (a replay flood of a captured message) they are dropped
/// before any database read, and a later copy is answered again.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DuplicateAnswerLimitTests
{
    [Fact]
    public async Task A_replay_flood_of_an_accepted_message_gets_at_most_the_configured_answers_a_second()
    {
        CountingStore? counter = null;
        await using var service = await TestService.StartAsync(new TestServiceSetup
        {
            Settings = new() { ["Enrollment:Mqtt:DuplicateAnswersPerSecond"] = "2" },
            Services = s => s.AddSingleton<IEnrollmentStore>(sp =>
            {
                var (store, c) = CountingStore.Wrap(sp.GetRequiredService<SqlEnrollmentStore>());
                counter = c;
                return store;
            }),
        });
        _ = service.App.Services.GetRequiredService<IEnrollmentStore>();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);
        await using var device = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        var attempt = enrollee.CreateAttempt(bundle);
        await device.PublishAsync(attempt.Message);
        var answer = await device.NextAnswerAsync();
        using var metrics = new MetricsProbe(service);
        int reads = counter!.Calls.GetValueOrDefault(nameof(IEnrollmentStore.LoadIngressStateAsync));

        const int copies = 12;
        for (int i = 0; i < copies; i++)
        {
            await device.PublishAsync(attempt.Message);
        }

        await metrics.WaitForAsync("enrollment.duplicates_dropped", 1);
        await WaitAsync(() => metrics.Count("enrollment.duplicates") + metrics.Count("enrollment.duplicates_dropped") == copies);
        long answered = metrics.Count("enrollment.duplicates");
        Assert.InRange(answered, 1, 4); // two per second; the copies may straddle a second boundary
        Assert.Equal(copies - answered, metrics.Count("enrollment.duplicates_dropped"));
        for (int i = 0; i < answered; i++)
        {
            Assert.Equal(answer, await device.NextAnswerAsync());
        }

        // A read per answered copy, none per dropped one.
        Assert.Equal(answered, counter.Calls.GetValueOrDefault(nameof(IEnrollmentStore.LoadIngressStateAsync)) - reads);
        Assert.Empty(service.Errors);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(20);
        }
    }
}
