using Enrollment.Protocol.Session;
using Enrollment.Service.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Enrollment.Service.Tests;

/// <summary>
/// Mqtt:RequestTopicPerEnrollee through a real Mosquitto with the dynamic security plugin (its own broker:
/// the service makes its roles at its first start on a broker): the anonymous role may publish to
/// enroll/v1/request/+ and the service may subscribe each enrollee's topic; an enrollee enrolls that way.
/// </summary>
public sealed class DynamicSecurityPerEnrolleeTests(MosquittoDynsecBroker broker) : IClassFixture<MosquittoDynsecBroker>
{
    [Fact]
    public async Task An_enrollee_enrolls_on_its_own_request_topic_through_dynamic_security()
    {
        var (service, enroller, _) = await Parties.StartAsync(new TestServiceSetup
        {
            Broker = BrokerKind.MosquittoDynsec, Dynsec = broker,
            Settings = new()
            {
                ["Enrollment:Mqtt:EnrollmentTopic"] = "enroll/v1/request",
                ["Enrollment:Mqtt:ResultTopicPrefix"] = "enroll/v1/result/",
                ["Enrollment:Mqtt:DeviceTopicPrefix"] = "dev/v1/",
                ["Enrollment:Mqtt:RequestTopicPerEnrollee"] = "true",
            },
        });
        await using var _s = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller); // publishes on enroll/v1/request/<its id>
        using var metrics = new MetricsProbe(service);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [1]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);

        // An anonymous client may not read request topics (it would capture enrollment messages to replay).
        using var anonymous = new MqttClientFactory().CreateMqttClient();
        await anonymous.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("anon-" + Guid.NewGuid().ToString("N")[..6])
            .WithProtocolVersion(MqttProtocolVersion.V311).Build());
        var refused = await anonymous.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("enroll/v1/request/+").Build());
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, refused.Items.Single().ResultCode);
        Assert.Empty(service.Errors);
    }
}
