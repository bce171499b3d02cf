using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Host;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Service.Tests.Support;

/// <summary>A device's MQTT side: MQTT 3.1.1, subscribes to its result topic, publishes enrollment messages.</summary>
internal sealed class DeviceLink : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<byte[]> _answers = Channel.CreateUnbounded<byte[]>();
    private readonly string _requestTopic;

    private DeviceLink(string requestTopic)
    {
        _requestTopic = requestTopic;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _answers.Writer.TryWrite(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
    }

    public static async Task<DeviceLink> ConnectAsync(TestService service, string enrolleeIdText)
    {
        var link = new DeviceLink(service.RequestTopicPerEnrollee ? service.EnrollmentTopic + "/" + enrolleeIdText : service.EnrollmentTopic);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(service.BrokerHost, service.BrokerPort)
            .WithClientId(enrolleeIdText) // an unenrolled device's client id names its result topic (docs/broker.md)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(true);
        if (service.CaFile is { } caFile)
        {
            var ca = BrokerTls.LoadCa(caFile);
            options.WithTlsOptions(t => t.UseTls(true).WithTargetHost(service.BrokerHost)
                .WithCertificateValidationHandler(a => BrokerTls.Validate(a.Certificate, a.SslPolicyErrors, ca)));
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await link._client.ConnectAsync(options.Build(), cts.Token);
        await link._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(service.ResultTopicPrefix + enrolleeIdText, MqttQualityOfServiceLevel.AtLeastOnce, false, false, MqttRetainHandling.SendAtSubscribe)
            .Build(), cts.Token);
        return link;
    }

    /// <summary>
    /// The whole enrollment as a device makes it: connects as the enrollee, publishes a fresh attempt under the
    /// bundle, and opens the answer, which must be an acceptance.
    /// </summary>
    public static async Task<EnrollmentOutcome> EnrollAsync(TestService service, TestEnrollee enrollee, EnrollmentBundle bundle)
    {
        await using var device = await ConnectAsync(service, enrollee.IdText);
        var attempt = enrollee.CreateAttempt(bundle);
        await device.PublishAsync(attempt.Message);
        var answer = await device.NextAnswerAsync();
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
        return outcome;
    }

    public async Task PublishAsync(byte[] message)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_requestTopic).WithPayload(message)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
    }

    /// <summary>The next answer on the result topic, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<byte[]> NextAnswerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _answers.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        }

        _client.Dispose();
    }
}
