using System.Net;
using Enrollment.Protocol.Session;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Enrollment.Service.Tests;

/// <summary>
/// Broker credentials through a real Mosquitto 2.0.11 with the dynamic security plugin (issue 8): the
/// service creates the device's client at enrollment, the device connects with the credentials of its
/// result and is held to its topics, and a revocation (API or admin command) disconnects it for good.
/// </summary>
public sealed class DynamicSecurityTests : IClassFixture<MosquittoDynsecBroker>
{
    private readonly MosquittoDynsecBroker _broker;

    public DynamicSecurityTests(MosquittoDynsecBroker broker) => _broker = broker;

    /// <summary>The service makes its broker roles on first start for its configured topics, so every test here uses the default topics.</summary>
    private TestServiceSetup Setup => new()
    {
        Broker = BrokerKind.MosquittoDynsec, Dynsec = _broker,
        Settings = new()
        {
            ["Enrollment:Mqtt:EnrollmentTopic"] = "enroll/v1/request",
            ["Enrollment:Mqtt:ResultTopicPrefix"] = "enroll/v1/result/",
            ["Enrollment:Mqtt:DeviceTopicPrefix"] = "dev/v1/",
        },
    };

    [Fact]
    public async Task An_enrolled_device_connects_with_its_credentials_and_after_revocation_is_cut_off_and_cannot_reconnect()
    {
        var (service, enroller, op) = await Parties.StartAsync(Setup);
        await using var _ = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller); // anonymous enrollment, then its own credentials
        using var metrics = new MetricsProbe(service);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [1]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);

        // Wrong password: refused by the broker itself.
        await using var impostor = await ChannelDevice.EnrollAsync(service, enroller, connect: false);
        var wrong = (byte[])impostor.Outcome.BrokerPassword!.Clone();
        wrong[3] ^= 1;
        Assert.NotEqual(MqttClientConnectResultCode.Success, await impostor.ConnectAsync(wrong));

        // An anonymous client may not read device topics.
        using (var anonymous = new MqttClientFactory().CreateMqttClient())
        {
            await anonymous.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("anon-" + Guid.NewGuid().ToString("N")[..6])
                .WithProtocolVersion(MqttProtocolVersion.V311).Build());
            var refused = await anonymous.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(device.DownTopic).Build());
            Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, refused.Items.Single().ResultCode);
        }

        using (var revoked = await op.PostAsync("/v1/admin/devices/" + device.DeviceId + "/revoke", null))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        var notice = await device.ReceiveAsync(ChannelMessageType.Revocation);
        Assert.Equal(ChannelPayloads.RevocationSize, notice.Length);
        await device.WaitDisconnectedAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task The_admin_command_deletes_the_broker_client_at_once()
    {
        await using var service = await TestService.StartAsync(Setup);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);

        var args = new List<string> { "devices", "revoke", "--id", device.DeviceId };
        args.AddRange(service.Settings.Where(s => s.Key.StartsWith("Enrollment:", StringComparison.Ordinal)).Select(s => "--" + s.Key + "=" + s.Value));
        var output = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync([.. args], output, new StringWriter()));
        Assert.Contains("broker client deleted", output.ToString(), StringComparison.Ordinal);
        await device.WaitDisconnectedAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());
        Assert.Empty(service.Errors);
    }
}
