using System.Buffers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// A test client on the service's broker (Mosquitto over TLS with the fixture's CA, or the embedded one):
/// sees what crosses a topic filter (an eavesdropper on the broker) and can publish (a replayer).
/// </summary>
internal sealed class BrokerWatch : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly List<(string Topic, byte[] Payload)> _seen = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private BrokerWatch(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            lock (_seen)
            {
                _seen.Add((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            }

            _arrived.Release();
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<(string Topic, byte[] Payload)> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public static async Task<BrokerWatch> ConnectAsync(ServiceProcess service, Mosquitto? mosquitto, params string[] filters)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", service.BrokerPort)
            .WithClientId("e2e-watch-" + Guid.NewGuid().ToString("n")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(true)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (mosquitto != null)
        {
            var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(mosquitto.Pki.CaFile));
            options.WithTlsOptions(o => o.UseTls().WithTargetHost("127.0.0.1").WithTrustChain([ca]));
        }

        var watch = new BrokerWatch(client);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(options.Build(), timeout.Token);
        foreach (var f in filters)
        {
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f, MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token);
        }

        return watch;
    }

    /// <summary>The first message (seen from index <paramref name="from"/> on, or to come) that satisfies the test; fails after the bound with the context.</summary>
    public async Task<byte[]> WaitForAsync(Func<string, byte[], bool> match, TimeSpan within, string what, Func<string> context, int from = 0)
    {
        var until = DateTime.UtcNow + within;
        int looked = from;
        while (true)
        {
            var seen = Seen;
            for (; looked < seen.Count; looked++)
            {
                if (match(seen[looked].Topic, seen[looked].Payload))
                {
                    return seen[looked].Payload;
                }
            }

            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException("no " + what + " on the broker within " + within.TotalSeconds + " s (saw " + seen.Count + " message(s))\n" + context());
            }
        }
    }

    public async Task PublishAsync(string topic, byte[] payload)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _arrived.Dispose();
    }
}
