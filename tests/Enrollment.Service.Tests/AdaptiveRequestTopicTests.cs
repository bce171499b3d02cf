using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// Mqtt:RequestTopicPerEnrollee with Mqtt:FloodRejectionsPerSecond (Host/MqttLink.FloodFilter.cs): the service
/// listens on every enrollee's request topic, so it rejects and counts an unapproved device's message, until
/// more messages than the threshold are rejected within one second; then it drops the wildcard, listening only on
/// approved enrollees' topics (held beside it all along), and the broker drops the rest, until a maintenance
/// round finds the flood hold over. The
/// test clock stands still, so "within one second" is the whole test until it advances the clock.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class AdaptiveRequestTopicTests(MosquittoBroker mosquitto)
{
    private const string Unknown = "enrollment.rejected:unknown_enrollee";

    private async Task<TestService> StartAsync(string broker) =>
        await TestService.StartAsync(new TestServiceSetup
        {
            Broker = broker == "embedded" ? BrokerKind.Embedded : BrokerKind.MosquittoTls,
            Mosquitto = mosquitto,
            Settings = new()
            {
                ["Enrollment:Mqtt:RequestTopicPerEnrollee"] = "true",
                ["Enrollment:Mqtt:FloodRejectionsPerSecond"] = "3",
                ["Enrollment:Mqtt:FloodHold"] = "00:10:00",
            },
        });

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto-tls")]
    public async Task A_rejection_flood_narrows_listening_to_approved_enrollees_until_the_hold_is_over(string broker)
    {
        await using var service = await StartAsync(broker);
        var link = service.App.Services.GetRequiredService<MqttLink>();
        var everyTopic = service.EnrollmentTopic + "/+";
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var approved = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(approved);
        var approvedTopic = bundle.Address.RequestTopicFor(approved.IdText);
        Assert.True(link.ListensOn(everyTopic));
        Assert.True(link.ListensOn(approvedTopic)); // held beside the wildcard: a flood switch only drops the wildcard
        using var metrics = new MetricsProbe(service);

        // Few rejections: an unapproved device's message reaches the service, which rejects it and counts why.
        var stranger = new TestEnrollee();
        var junk = stranger.CreateAttempt(bundle).Message;
        await using var strangerLink = await DeviceLink.ConnectAsync(service, stranger.IdText);
        for (var i = 0; i < 3; i++)
        {
            await strangerLink.PublishAsync(junk);
        }

        await metrics.WaitForAsync(Unknown, 3);
        Assert.False(link.FiltersRequestTopics);

        // The fourth within one second is a flood: the wildcard goes, the approved enrollee's topic stays.
        await strangerLink.PublishAsync(junk);
        await metrics.WaitForAsync(Unknown, 4);
        await WaitUntilAsync(() => link.FiltersRequestTopics && link.ListensOn(approvedTopic) && !link.ListensOn(everyTopic));
        var received = link.EnrollmentMessagesReceived;
        await strangerLink.PublishAsync(junk); // the broker drops it
        Assert.Equal(recordId, (await DeviceLink.EnrollAsync(service, approved, bundle)).DeviceId); // routed after the junk
        Assert.Equal(received + 1, link.EnrollmentMessagesReceived);
        Assert.Equal(4, metrics.Count(Unknown));
        Assert.Equal(1, metrics.Count("enrollment.flood_filter.started"));

        // Approved while the filter holds: listened on before the API answers.
        var during = new TestEnrollee();
        var (bundle2, record2) = await enroller.ApproveAsync(during);
        var duringTopic = bundle2.Address.RequestTopicFor(during.IdText);
        Assert.True(link.ListensOn(duringTopic));

        // A maintenance round within the hold changes nothing; one after it listens on every topic again and keeps
        // the awaited enrollee's topic. Its message matches both filters and reaches the service once.
        service.Time.Advance(TimeSpan.FromMinutes(9));
        await service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.True(link.FiltersRequestTopics);
        service.Time.Advance(TimeSpan.FromMinutes(2));
        await service.Maintenance.RunOnceAsync(CancellationToken.None);
        Assert.False(link.FiltersRequestTopics);
        Assert.True(link.ListensOn(everyTopic));
        Assert.True(link.ListensOn(duringTopic));
        await strangerLink.PublishAsync(junk);
        await metrics.WaitForAsync(Unknown, 5);
        received = link.EnrollmentMessagesReceived;
        Assert.Equal(record2, (await DeviceLink.EnrollAsync(service, during, bundle2)).DeviceId);
        Assert.Equal(received + 1, link.EnrollmentMessagesReceived);
        Assert.Equal(1, metrics.Count("enrollment.flood_filter.started"));
        Assert.Equal(1, metrics.Count("enrollment.flood_filter.ended"));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task A_restart_while_filtering_listens_on_every_topic_and_a_later_flood_still_drops_replays_of_accepted_messages()
    {
        // Mosquitto keeps the persistent session's subscriptions across the restart. An approved enrollee's own
        // topic left there must not outlive its acceptance (the new run holds it again and releases it once the
        // result is out), or a later flood filter would still let replays of its message through.
        await using var service = await StartAsync("mosquitto-tls");
        var link = service.App.Services.GetRequiredService<MqttLink>();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var pending = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(pending);
        var stranger = new TestEnrollee();
        var junk = stranger.CreateAttempt(bundle).Message;
        await using (var strangerLink = await DeviceLink.ConnectAsync(service, stranger.IdText))
        {
            for (var i = 0; i < 4; i++)
            {
                await strangerLink.PublishAsync(junk);
            }
        }

        await WaitUntilAsync(() => link.FiltersRequestTopics && !link.ListensOn(service.EnrollmentTopic + "/+"));
        await service.RestartAsync();
        link = service.App.Services.GetRequiredService<MqttLink>();
        enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-2"))); // a new HTTP port
        Assert.False(link.FiltersRequestTopics);
        using var metrics = new MetricsProbe(service);
        await using var again = await DeviceLink.ConnectAsync(service, stranger.IdText);
        await again.PublishAsync(junk);
        await metrics.WaitForAsync(Unknown, 1); // listening on every topic again

        // The pending enrollee enrolls; then a new flood narrows listening to approved enrollees (none is left).
        var attempt = pending.CreateAttempt(bundle);
        await using var device = await DeviceLink.ConnectAsync(service, pending.IdText);
        await device.PublishAsync(attempt.Message);
        Assert.NotEmpty(await device.NextAnswerAsync());
        for (var i = 0; i < 3; i++)
        {
            await again.PublishAsync(junk);
        }

        await WaitUntilAsync(() => link.FiltersRequestTopics && !link.ListensOn(service.EnrollmentTopic + "/+"));
        var received = link.EnrollmentMessagesReceived;

        // A replay of the accepted message goes nowhere; a sentinel enrollee's message, routed after it, arrives.
        await device.PublishAsync(attempt.Message);
        var sentinel = new TestEnrollee();
        var (sentinelBundle, _) = await enroller.ApproveAsync(sentinel);
        await DeviceLink.EnrollAsync(service, sentinel, sentinelBundle);
        Assert.Equal(received + 1, link.EnrollmentMessagesReceived);
        Assert.Empty(service.Errors);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
