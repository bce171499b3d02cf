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

    public bool Connect(MqttSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Disconnect();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            _receiver?.OnMessage(e.ApplicationMessage.Topic, payload, 0, payload.Length);
            return Task.CompletedTask;
        };

        // A clean start: the core resubscribes after every connect; a persistent session is an MQTT
        // feature the device must not rely on.
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(settings.Host, settings.Port)
            .WithClientId(settings.ClientId)
            .WithProtocolVersion(_version)
            .WithCleanSession(true)
            .WithTimeout(CallTimeout);
        if (settings.User != null)
        {
            options.WithCredentials(settings.User, settings.Password);
        }

        if (settings.UseTls)
        {
            options.WithTlsOptions(o => ConfigureTls(o, settings));
        }

        try
        {
            client.ConnectAsync(options.Build()).WaitAsync(CallTimeout).GetAwaiter().GetResult();
            _client = client;
            _log.Info("mqtt: connected to " + settings.Host + ":" + settings.Port + (settings.UseTls ? " (TLS)" : "") + ", MQTT "
                + (_version == MqttProtocolVersion.V311 ? "3.1.1" : "5"));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the broker or the network did, the port reports false and the core retries with
            // back-off, as the device's M2Mqtt adapter does; an exception must not end the device's loop.
            _log.Warn("mqtt: cannot connect to " + settings.Host + ":" + settings.Port + ": " + e.Message);
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

    /// <summary>
    /// The bundle's CA (docs/protocol.md section 7): a DER certificate to trust exactly, or the SHA-256 of
    /// one the device holds (here: any chain whose root has that hash), or none (the platform's store).
    /// </summary>
    private static void ConfigureTls(MqttClientTlsOptionsBuilder o, MqttSettings settings)
    {
        o.UseTls().WithTargetHost(settings.Host);
        if (settings.CaKind == MqttSettings.CaCertificate)
        {
            o.WithTrustChain([LoadCertificate(settings.CaData)]);
        }
        else if (settings.CaKind == MqttSettings.CaSha256)
        {
            byte[] pinned = (byte[])settings.CaData.Clone();
            o.WithCertificateValidationHandler(args => ChainsToPinnedRoot(args, pinned));
        }
    }

    private static bool ChainsToPinnedRoot(MqttClientCertificateValidationEventArgs args, byte[] pinnedSha256)
    {
        if ((args.SslPolicyErrors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || args.Certificate == null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        if (args.Chain != null)
        {
            foreach (var element in args.Chain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(args.Certificate);
        if (!chain.Build(leaf))
        {
            return false;
        }

        var root = chain.ChainElements[^1].Certificate;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(root.RawData), pinnedSha256);
    }

    private bool Call<T>(Func<Task<T>> call, string what)
    {
        try
        {
            call().WaitAsync(CallTimeout).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
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
