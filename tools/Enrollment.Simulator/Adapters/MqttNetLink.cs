using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Enrollment.Enrollee.Ports;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Simulator.Adapters;

/// <summary>
/// The device's MQTT session over MQTTnet. The core's port is synchronous (the ESP32's M2Mqtt is), so each
/// call blocks on MQTTnet's task with a timeout. MQTT 3.1.1 can be forced to prove that nothing depends on
/// MQTT 5 (issue 7); MQTT 5 is the default because a real broker may offer it.
/// </summary>
internal sealed class MqttNetLink : IMqttLink, IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly MqttProtocolVersion _version;
    private readonly ILog _log;
    private IMqttClient? _client;
    private IMqttReceiver? _receiver;

    public MqttNetLink(MqttProtocolVersion version, ILog log)
    {
        _version = version;
        _log = log;
    }

    public bool IsConnected => _client?.IsConnected == true;

    public bool Connect(string host, int port, bool tls, byte[] caCertificate, int caOffset, int caCount,
        string clientId, string? user, string? password)
    {
        byte[]? ca = caCount > 0 ? caCertificate.AsSpan(caOffset, caCount).ToArray() : null;
        return ConnectCore(host, port, tls, ca, clientId, user, password);
    }

    /// <summary>
    /// Opens a session with a clean start: the core resubscribes after every connect, and a persistent
    /// session is an MQTT feature the device must not rely on.
    /// </summary>
    internal bool ConnectCore(string host, int port, bool tls, byte[]? caDerOrPem, string clientId, string? user, string? password)
    {
        Disconnect();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            _receiver?.OnMessage(e.ApplicationMessage.Topic, payload, 0, payload.Length);
            return Task.CompletedTask;
        };

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithProtocolVersion(_version)
            .WithCleanSession(true)
            .WithTimeout(CallTimeout);
        if (user != null)
        {
            options.WithCredentials(user, password);
        }

        if (tls)
        {
            options.WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost(host);
                if (caDerOrPem != null)
                {
                    // Trust exactly the CA the bundle carries (docs/protocol.md service address).
                    o.WithTrustChain([LoadCertificate(caDerOrPem)]);
                }
            });
        }

        try
        {
            client.ConnectAsync(options.Build()).WaitAsync(CallTimeout).GetAwaiter().GetResult();
            _client = client;
            _log.Info("mqtt: connected to " + host + ":" + port + (tls ? " (TLS)" : "") + ", MQTT "
                + (_version == MqttProtocolVersion.V311 ? "3.1.1" : "5"));
            return true;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or TimeoutException
            or OperationCanceledException or IOException or System.Net.Sockets.SocketException or CryptographicException
            or MQTTnet.Adapter.MqttConnectingFailedException)
        {
            _log.Warn("mqtt: cannot connect to " + host + ":" + port + ": " + e.Message);
            client.Dispose();
            return false;
        }
    }

    public bool Publish(string topic, byte[] payload, int offset, int count)
    {
        var client = _client;
        if (client is not { IsConnected: true })
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.AsSpan(offset, count).ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return Call(() => client.PublishAsync(message), "publish");
    }

    public bool Subscribe(string topic)
    {
        var client = _client;
        if (client is not { IsConnected: true })
        {
            return false;
        }

        var options = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return Call(() => client.SubscribeAsync(options), "subscribe");
    }

    public void Disconnect()
    {
        var client = Interlocked.Exchange(ref _client, null);
        if (client == null)
        {
            return;
        }

        if (client.IsConnected)
        {
            Call(() => client.DisconnectAsync(), "disconnect");
        }

        client.Dispose();
    }

    public void SetReceiver(IMqttReceiver receiver) => _receiver = receiver;

    public void Dispose() => Disconnect();

    private bool Call<T>(Func<Task<T>> call, string what)
    {
        try
        {
            call().WaitAsync(CallTimeout).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or TimeoutException
            or OperationCanceledException or InvalidOperationException or IOException)
        {
            _log.Warn("mqtt: " + what + " failed: " + e.Message);
            return false;
        }
    }

    private bool Call(Func<Task> call, string what) => Call(async () => { await call().ConfigureAwait(false); return true; }, what);

    private static X509Certificate2 LoadCertificate(byte[] data)
    {
        var text = System.Text.Encoding.ASCII.GetString(data);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificate(data);
    }
}
