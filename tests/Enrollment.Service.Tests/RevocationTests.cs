using System.Net;
using System.Net.Http.Json;
using Enrollment.Protocol.Session;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Service.Tests;

/// <summary>
/// Revocation (docs/session-protocol.md section 9) and broker access on the embedded broker: a revoked
/// device's next frame is dropped, it is told with a 0x13 frame, its broker session is cut and it cannot
/// come back, also after a service restart; the topic rules of docs/broker.md hold for everyone else.
/// </summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task A_revoked_device_is_told_cut_off_and_stays_revoked_across_a_restart()
    {
        await using var service = await TestService.StartAsync();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var token = await service.AddPrincipalAsync("ops", PrincipalRole.Operator);
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        await using var bystander = await ChannelDevice.EnrollAsync(service, enroller);
        var metrics = new MetricsProbe(service);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [1]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);
        var afterRevoke = device.Seal(ChannelMessageType.Telemetry, [2]); // sealed before, published after the revoke returns

        using (var revoked = await service.ClientWithToken(token).PostAsync("/v1/admin/devices/" + device.DeviceId + "/revoke", null))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        // The revocation frame, under K_down: only the service can produce it.
        var notice = await device.ReceiveAsync(ChannelMessageType.Revocation);
        Assert.True(ChannelPayloads.TryReadRevocation(notice, 0, notice.Length, out var at, out var reason));
        Assert.Equal(RevocationReason.Operator, reason);
        Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        await device.WaitDisconnectedAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());

        // A frame sent after the call returned is dropped; publish it as the service itself could receive it
        // (the broker no longer lets the device in), through a client holding the service's credentials.
        using (var relay = await ServiceSideClientAsync(service))
        {
            await relay.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(device.UpTopic).WithPayload(afterRevoke)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await metrics.WaitForAsync("channel.rejected:revoked", 1);
        Assert.Equal(1, metrics.Count("channel.accepted:telemetry"));

        // The other device is untouched.
        await bystander.PublishAsync(bystander.Seal(ChannelMessageType.Telemetry, [3]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 2);

        metrics.Dispose();
        await service.RestartAsync();
        using var after = new MetricsProbe(service);
        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());
        using (var relay = await ServiceSideClientAsync(service))
        {
            await relay.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(device.UpTopic).WithPayload(device.Seal(ChannelMessageType.Telemetry, [4]))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await after.WaitForAsync("channel.rejected:revoked", 1);
        Assert.Equal(0, after.Count("channel.accepted:telemetry"));
        using var commands = await service.ClientWithToken(token).PostAsJsonAsync("/v1/admin/devices/" + device.DeviceId + "/commands", new { body = "AA==" });
        Assert.Equal(HttpStatusCode.Conflict, commands.StatusCode);
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task The_admin_command_revokes_and_the_running_service_drops_the_next_frame()
    {
        await using var service = await TestService.StartAsync();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [1]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);

        var args = new List<string> { "devices", "revoke", "--id", device.DeviceId };
        args.AddRange(service.Settings.Where(s => s.Key.StartsWith("Enrollment:", StringComparison.Ordinal)).Select(s => "--" + s.Key + "=" + s.Value));
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync([.. args], output, error));
        Assert.Contains("revoked " + device.DeviceId, output.ToString(), StringComparison.Ordinal);

        // The service process was not told; its conditional write finds the device revoked.
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [2]));
        await metrics.WaitForAsync("channel.rejected:revoked", 1);
        var notice = await device.ReceiveAsync(ChannelMessageType.Revocation);
        Assert.Equal(ChannelPayloads.RevocationSize, notice.Length);
        await device.WaitDisconnectedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, metrics.Count("channel.accepted:telemetry"));
        Assert.Equal(2, await AdminCommands.RunAsync(["devices", "revoke"], output, error));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task The_embedded_broker_holds_devices_and_unenrolled_clients_to_their_own_topics()
    {
        await using var service = await TestService.StartAsync();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        await using var other = await ChannelDevice.EnrollAsync(service, enroller, connect: false);
        using var metrics = new MetricsProbe(service);

        var wrong = (byte[])device.Outcome.BrokerPassword!.Clone();
        wrong[0] ^= 1;
        Assert.NotEqual(MqttClientConnectResultCode.Success, await other.ConnectAsync(wrong));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await other.ConnectAsync(device.Outcome.BrokerPassword)); // another device's password

        // A device may not subscribe to another device's down topic, nor publish on its up topic.
        await device.DisconnectAsync();
        using var probe = new MqttClientFactory().CreateMqttClient();
        await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(service.BrokerHost, service.BrokerPort).WithClientId(device.DeviceId)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCredentials(device.DeviceId, device.Outcome.BrokerPassword).Build());
        var sub = await probe.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(other.DownTopic).Build());
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, sub.Items.Single().ResultCode);
        await probe.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(other.UpTopic).WithPayload(other.Seal(ChannelMessageType.Telemetry, [1]))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        // Anonymous (unenrolled): only its own result topic, and nothing but the request topic to publish on.
        using var anonymous = new MqttClientFactory().CreateMqttClient();
        await anonymous.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(service.BrokerHost, service.BrokerPort).WithClientId("0011223344556677")
            .WithProtocolVersion(MqttProtocolVersion.V311).Build());
        var own = await anonymous.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(service.ResultTopicPrefix + "0011223344556677").Build());
        Assert.True(own.Items.Single().ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2);
        foreach (var filter in new[] { service.ResultTopicPrefix + "#", service.ResultTopicPrefix + "+", device.DownTopic, service.DeviceTopicPrefix + "#" })
        {
            var refused = await anonymous.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
            Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, refused.Items.Single().ResultCode);
        }

        await anonymous.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(device.UpTopic).WithPayload(device.Seal(ChannelMessageType.Telemetry, [2]))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        // Only the device's own publication reaches the service: the two foreign ones were dropped by the broker.
        await probe.DisconnectAsync();
        Assert.Equal(MqttClientConnectResultCode.Success, await device.ConnectAsync()); // the probe took over its client id
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [3]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);
        var rows = await service.Store.ListTelemetryAsync(device.DeviceId, 10, CancellationToken.None);
        Assert.Equal([3], Assert.Single(rows).Payload);
        Assert.Empty(await service.Store.ListTelemetryAsync(other.DeviceId, 10, CancellationToken.None));
        Assert.Empty(service.Errors);
    }

    /// <summary>A client with the service's own embedded-broker credentials (stands in for a broker that still relays).</summary>
    private static async Task<IMqttClient> ServiceSideClientAsync(TestService service)
    {
        var broker = (EmbeddedBroker)service.App.Services.GetService(typeof(EmbeddedBroker))!;
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(service.BrokerHost, service.BrokerPort).WithClientId("relay-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCredentials(EmbeddedBroker.ServiceUserName, broker.ServicePassword).Build());
        return client;
    }
}
