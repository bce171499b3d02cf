using System.Net;
using System.Net.Sockets;
using Enrollment.Service.Domain;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace Enrollment.Service.Host;

/// <summary>
/// The embedded MQTT broker (MQTTnet.Server) used when no external broker is configured: plain TCP on
/// loopback (127.0.0.1:1883 by default), persistent sessions so that the service's QoS 1 subscription keeps
/// messages across a reconnect. For development and tests; production points at a real broker with TLS.
/// </summary>
internal sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly ILogger<EmbeddedBroker> _log;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<ServiceOptions> options, ILogger<EmbeddedBroker> log)
    {
        _options = options.Value.Mqtt;
        _log = log;
    }

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync()
    {
        if (!_options.IsEmbedded || _server is not null)
        {
            return;
        }

        var address = IPAddress.Parse(_options.EmbeddedAddress);
        var serverOptions = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(_options.EmbeddedPort)
            .WithPersistentSessions(true)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(serverOptions);
        try
        {
            await server.StartAsync().ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            server.Dispose();
            throw new StartupException("The embedded MQTT broker cannot listen on " + address + ":" + _options.EmbeddedPort + " (" + e.Message +
                "); free the port or set Enrollment:Mqtt:EmbeddedPort, or configure an external broker with Enrollment:Mqtt:Host.", e);
        }

        _server = server;
        LogStarted(_log, address.ToString(), _options.EmbeddedPort);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
            _server.Dispose();
            _server = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port} (no external broker configured)")]
    private static partial void LogStarted(ILogger logger, string address, int port);
}
