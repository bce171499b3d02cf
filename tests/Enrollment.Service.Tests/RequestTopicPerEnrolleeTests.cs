using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>
/// Mqtt:RequestTopicPerEnrollee (docs/protocol.md section 7, flags bit 1): the bundle tells the enrollee to
/// publish on its own request topic, the service subscribes only to approved enrollees' topics, and the broker
/// drops enrollment messages for anyone else: junk never reaches the service. Through Mosquitto (TLS) and the
/// embedded broker; across a service restart; and an expired approval's topic is given up.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RequestTopicPerEnrolleeTests(MosquittoBroker mosquitto)
{
    private async Task<TestService> StartAsync(string broker) =>
        await TestService.StartAsync(new TestServiceSetup
        {
            Broker = broker == "embedded" ? BrokerKind.Embedded : BrokerKind.MosquittoTls,
            Mosquitto = mosquitto,
            Settings = new() { ["Enrollment:Mqtt:RequestTopicPerEnrollee"] = "true" },
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
}
