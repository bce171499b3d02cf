using Enrollment.Protocol.Messages;
using Enrollment.Protocol.Session;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// Mqtt:RequestTopicPerEnrollee (docs/protocol.md section 7, flags bit 1): the bundle tells the enrollee to
/// publish on its own request topic, the service subscribes only to approved enrollees' topics, and the broker
/// drops enrollment messages for anyone else: junk never reaches the service. Through Mosquitto (TLS) and the
/// embedded broker; across a service restart; and an expired approval's topic is given up. Here with
/// Mqtt:FloodRejectionsPerSecond = 0, which keeps that filter on at all times.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RequestTopicPerEnrolleeTests(MosquittoBroker mosquitto, PostgresServer postgres)
{
    private async Task<TestService> StartAsync(string broker, string database = "sqlite") =>
        await TestService.StartAsync(new TestServiceSetup
        {
            Broker = broker == "embedded" ? BrokerKind.Embedded : BrokerKind.MosquittoTls,
            Mosquitto = mosquitto,
            PostgresConnectionString = database == "postgresql" ? await postgres.CreateDatabaseAsync() : null,
            // Always only approved enrollees' topics (no switching on a flood: AdaptiveRequestTopicTests).
            Settings = new() { ["Enrollment:Mqtt:RequestTopicPerEnrollee"] = "true", ["Enrollment:Mqtt:FloodRejectionsPerSecond"] = "0" },
        });

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto-tls")]
    public async Task Only_approved_enrollees_messages_reach_the_service_across_a_restart_until_their_approval_expires(string broker)
    {
        await using var service = await StartAsync(broker);
        var token = await service.AddPrincipalAsync("line-1");
        var enroller = new EnrollerClient(service.ClientWithToken(token));
        var approved = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(approved);
        Assert.True(bundle.Address.RequestTopicPerEnrollee);
        Assert.Equal(service.EnrollmentTopic + "/" + approved.IdText, bundle.Address.RequestTopicFor(approved.IdText));
        using var metrics = new MetricsProbe(service);

        // Junk: a well-formed message from an enrollee nobody approved, on its own request topic. The broker
        // has no subscriber for it; its acknowledgement to the sender comes after it routed the message.
        var stranger = new TestEnrollee();
        await using (var junk = await DeviceLink.ConnectAsync(service, stranger.IdText))
        {
            await junk.PublishAsync(stranger.CreateAttempt(bundle).Message);
        }

        Assert.Equal(recordId, (await DeviceLink.EnrollAsync(service, approved, bundle)).DeviceId);
        Assert.Equal(0, metrics.CountAll("enrollment.rejected")); // the stranger's message never arrived

        // An approval registered before a restart is listened for after it (the subscriptions are made again on
        // connect; the embedded broker restarts empty).
        var second = new TestEnrollee();
        var (bundle2, record2) = await enroller.ApproveAsync(second);
        await service.RestartAsync();
        enroller = new EnrollerClient(service.ClientWithToken(token)); // a new HTTP port
        Assert.Equal(record2, (await DeviceLink.EnrollAsync(service, second, bundle2)).DeviceId);

        // An approval that expires: maintenance gives its topic up, so its message goes nowhere.
        var late = new TestEnrollee();
        var (bundle3, _) = await enroller.ApproveAsync(late);
        service.Time.Advance(TimeSpan.FromDays(2));
        await service.Maintenance.RunOnceAsync(CancellationToken.None);
        using var metrics2 = new MetricsProbe(service);
        await using (var lateLink = await DeviceLink.ConnectAsync(service, late.IdText))
        {
            await lateLink.PublishAsync(late.CreateAttempt(bundle3).Message);
        }

        // An enrollee approved now, whose message the service does receive: by its answer, the broker has routed
        // the late one too (published and acknowledged before it).
        var sentinel = new TestEnrollee();
        var (bundle4, record4) = await enroller.ApproveAsync(sentinel);
        Assert.Equal(record4, (await DeviceLink.EnrollAsync(service, sentinel, bundle4)).DeviceId);
        Assert.Equal(0, metrics2.CountAll("enrollment.rejected"));
        Assert.Empty(service.Errors);
    }

    [Theory]
    [InlineData("embedded", "sqlite")]
    [InlineData("embedded", "postgresql")]
    [InlineData("mosquitto-tls", "sqlite")]
    public async Task An_accepted_result_is_retained_its_request_topic_given_up_and_the_copy_cleared_by_the_first_channel_frame(string broker, string database)
    {
        // docs/protocol.md section 14: copies of an accepted message (a replay flood of captured messages, or the
        // device's own republication) are dropped by the broker; a device that lost its result reads it from
        // the broker's retained copy, which the service clears once the device is heard on its channel.
        await using var service = await StartAsync(broker, database);
        var link = service.App.Services.GetRequiredService<MqttLink>();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);
        var requestTopic = bundle.Address.RequestTopicFor(enrollee.IdText);
        Assert.True(link.ListensOn(requestTopic));
        var attempt = enrollee.CreateAttempt(bundle);
        byte[] result;
        await using (var device = await DeviceLink.ConnectAsync(service, enrollee.IdText))
        {
            await device.PublishAsync(attempt.Message);
            result = await device.NextAnswerAsync();
        }

        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, result, 0, result.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
        await WaitUntilAsync(() => !link.ListensOn(requestTopic));
        var received = link.EnrollmentMessagesReceived;

        // The device lost its result: it subscribes again and the broker hands it the retained copy; its
        // republication reaches nobody.
        await using var again = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        Assert.Equal(result, await again.NextAnswerAsync());
        await again.PublishAsync(attempt.Message);
        var sentinel = new TestEnrollee();
        var (sentinelBundle, _) = await enroller.ApproveAsync(sentinel);
        await DeviceLink.EnrollAsync(service, sentinel, sentinelBundle); // routed after the republication above
        Assert.Equal(received + 1, link.EnrollmentMessagesReceived);

        // Its first channel frame proves it has the result: the retained copy is cleared, which reaches a
        // subscriber as an empty message (MQTT 3.1.1 section 3.3.1.3), and a restart does not publish it again.
        await using var channel = ChannelDevice.FromEnrollment(service, outcome, attempt, bundle);
        await channel.ConnectAsync();
        await channel.PublishAsync(channel.Seal(ChannelMessageType.Telemetry, [1]));
        Assert.Empty(await again.NextAnswerAsync());
        await service.RestartAsync();
        await using var afterRestart = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        await using var sentinelAgain = await DeviceLink.ConnectAsync(service, sentinel.IdText);
        Assert.NotEmpty(await sentinelAgain.NextAnswerAsync()); // the sentinel never used its channel: still retained
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => afterRestart.NextAnswerAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task An_approval_that_lapsed_while_the_service_was_down_is_not_listened_for_after_it_starts()
    {
        // Mosquitto keeps the service's persistent session, subscriptions included, across the restart; the
        // new run does not know which topics the old one held, so its first connect gives up those of every
        // enrollee no longer awaited.
        await using var service = await StartAsync("mosquitto-tls");
        var token = await service.AddPrincipalAsync("line-1");
        var lapsed = new TestEnrollee();
        var (lapsedBundle, _) = await new EnrollerClient(service.ClientWithToken(token)).ApproveAsync(lapsed);
        await service.StopAsync();
        service.Time.Advance(TimeSpan.FromDays(2));
        await service.StartAgainAsync();
        await AssertNotHeardAsync(service, token, lapsed, lapsedBundle);
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task A_deleted_pending_enrollee_is_not_listened_for_at_once_nor_after_a_restart()
    {
        // Deleted rows are gone, so the start-up sweep of a later run could not find their topics: the delete itself
        // gives the topic up, before any maintenance round.
        await using var service = await StartAsync("mosquitto-tls");
        var token = await service.AddPrincipalAsync("line-1");
        var enroller = new EnrollerClient(service.ClientWithToken(token));
        var withdrawn = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(withdrawn);
        var topic = bundle.Address.RequestTopicFor(withdrawn.IdText);
        var link = service.App.Services.GetRequiredService<MqttLink>();
        Assert.True(link.ListensOn(topic));
        using (var deleted = await enroller.Http.DeleteAsync("/v1/enrollees/" + recordId))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await WaitUntilAsync(() => !link.ListensOn(topic));

        await service.StopAsync();
        await service.StartAgainAsync();
        await AssertNotHeardAsync(service, token, withdrawn, bundle);
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task A_revoked_pending_enrollee_is_not_listened_for_at_once_and_its_event_names_it()
    {
        var events = new RecordingEventSink();
        await using var service = await TestService.StartAsync(new TestServiceSetup
        {
            Settings = new() { ["Enrollment:Mqtt:RequestTopicPerEnrollee"] = "true", ["Enrollment:Mqtt:FloodRejectionsPerSecond"] = "0" },
            Services = s => s.AddSingleton<IEventSink>(events),
        });
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var operatorToken = await service.AddPrincipalAsync("ops", PrincipalRole.Operator);
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee);
        var topic = bundle.Address.RequestTopicFor(enrollee.IdText);
        var link = service.App.Services.GetRequiredService<MqttLink>();
        Assert.True(link.ListensOn(topic));

        using (var revoked = await service.ClientWithToken(operatorToken).PostAsync("/v1/admin/devices/" + recordId + "/revoke", null))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, revoked.StatusCode);
        }

        await WaitUntilAsync(() => !link.ListensOn(topic)); // no maintenance round has run: the revoke gave it up
        var e = Assert.Single(events.Events, e => e.Type == "enrollee.revoked");
        Assert.Equal((recordId, enrollee.IdText, "operator:ops"), (e.EnrolleeId, e.DeviceId, e.Actor));
        Assert.Empty(service.Errors);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto-tls")]
    public async Task A_release_arriving_after_the_same_key_was_approved_anew_keeps_its_request_topic(string broker)
    {
        // An accepted enrollee's topic is released a few milliseconds after its result is out; an enroller may
        // approve the same EIK_B anew within them (a device enrolled again with its key). That registration found
        // the topic held and subscribed nothing, so the late release must leave it, or the device's new message
        // would go nowhere until a maintenance round.
        await using var service = await StartAsync(broker);
        var link = service.App.Services.GetRequiredService<MqttLink>();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);
        var topic = bundle.Address.RequestTopicFor(enrollee.IdText);
        await DeviceLink.EnrollAsync(service, enrollee, bundle);
        await WaitUntilAsync(() => !link.ListensOn(topic));

        var (bundle2, record2) = await enroller.ApproveAsync(enrollee);
        Assert.True(link.ListensOn(topic));
        await link.ReleaseAsync([enrollee.Id], CancellationToken.None); // the first acceptance's release, come late
        Assert.True(link.ListensOn(topic));

        // The broker still routes the device's new message to the service.
        await using (var device = await DeviceLink.ConnectAsync(service, enrollee.IdText))
        {
            Assert.NotEmpty(await device.NextAnswerAsync()); // the first enrollment's retained result
            var attempt = enrollee.CreateAttempt(bundle2);
            await device.PublishAsync(attempt.Message);
            var answer = await device.NextAnswerAsync();
            Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
            Assert.Equal(record2, outcome!.DeviceId);
        }

        // Nothing awaits the key any more: the second acceptance's release gives the topic up.
        await WaitUntilAsync(() => !link.ListensOn(topic));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Revoking_a_device_never_heard_on_its_channel_clears_its_retained_result()
    {
        await using var service = await StartAsync("embedded");
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var operatorToken = await service.AddPrincipalAsync("ops", PrincipalRole.Operator);
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee);
        await DeviceLink.EnrollAsync(service, enrollee, bundle);
        await using var watcher = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        Assert.NotEmpty(await watcher.NextAnswerAsync()); // the retained result

        using (var revoked = await service.ClientWithToken(operatorToken).PostAsync("/v1/admin/devices/" + recordId + "/revoke", null))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, revoked.StatusCode);
        }

        Assert.Empty(await watcher.NextAnswerAsync()); // the clear (an empty retained message)
        Assert.Empty(service.Errors);
    }

    /// <summary>
    /// Publishes <paramref name="unheard"/>'s enrollment message, then enrolls a sentinel after it on the same broker:
    /// the service (this run's link) received only the sentinel's.
    /// </summary>
    private static async Task AssertNotHeardAsync(TestService service, string token, TestEnrollee unheard, EnrollmentBundle bundle)
    {
        var link = service.App.Services.GetRequiredService<MqttLink>();
        await using (var device = await DeviceLink.ConnectAsync(service, unheard.IdText))
        {
            await device.PublishAsync(unheard.CreateAttempt(bundle).Message);
        }

        var sentinel = new TestEnrollee();
        var (sentinelBundle, _) = await new EnrollerClient(service.ClientWithToken(token)).ApproveAsync(sentinel);
        await DeviceLink.EnrollAsync(service, sentinel, sentinelBundle); // routed after the unheard one's message
        Assert.Equal(1, link.EnrollmentMessagesReceived);
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
