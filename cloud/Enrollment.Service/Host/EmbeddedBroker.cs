using System.Net;
using System.Net.Sockets;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace Enrollment.Service.Host;

/// <summary>
/// The embedded MQTT broker (MQTTnet.Server) used when no external broker is configured: plain TCP on
/// loopback (127.0.0.1:1883 by default), persistent sessions so that the service's QoS 1 subscription keeps
/// messages across a reconnect. For development and tests; production points at a real broker with TLS.
/// </summary>
internal sealed partial class EmbeddedBroker : IAsyncDisposable, IBrokerAccess
{
    /// <summary>The service's own user on the embedded broker; its password is random per process and never stored.</summary>
    public const string ServiceUserName = "enrollment-service";

    private readonly MqttOptions _options;
    private readonly IChannelStore _store;
    private readonly ILogger<EmbeddedBroker> _log;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<ServiceOptions> options, IChannelStore store, ILogger<EmbeddedBroker> log)
    {
        _options = options.Value.Mqtt;
        _store = store;
        _log = log;
    }

    public string ServicePassword { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>The embedded broker checks device passwords against the database itself: nothing to grant.</summary>
    public bool NeedsGrant => false;

    public Task GrantAsync(string deviceId, byte[] password, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Disconnects the device's session; its next CONNECT is refused because the channel is revoked.</summary>
    public async Task RemoveAsync(string deviceId, CancellationToken ct)
    {
        if (_server is null)
        {
            return;
        }

        foreach (var client in await _server.GetClientsAsync().ConfigureAwait(false))
        {
            if (client.Id == deviceId)
            {
                await client.DisconnectAsync(new MqttServerClientDisconnectOptions()).ConfigureAwait(false);
            }
        }
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
        if (_options.EmbeddedAuthorization)
        {
            new EmbeddedBrokerAuthorization(_options, _store, ServicePassword).Attach(server);
        }

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
