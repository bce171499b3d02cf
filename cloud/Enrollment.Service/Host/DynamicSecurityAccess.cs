using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Service.Host;

/// <summary>
/// Broker access through Mosquitto's dynamic security plugin (Mosquitto 2.0; docs/broker.md): commands are
/// JSON published to $CONTROL/dynamic-security/v1 by a dynsec admin (Enrollment:Mqtt:Username), answers come
/// on .../response, matched by correlationData. Per device: a role "device-&lt;id&gt;" allowing publish on its up
/// topic and subscribe on its down topic, and a client (user = client id = device id) holding only that role.
/// Revocation deletes the client, which also disconnects it. Uses its own MQTT connection (client id
/// &lt;ClientId&gt;-dynsec), so the admin command can use it without the running service.
/// </summary>
internal sealed partial class DynamicSecurityAccess : IBrokerAccess, IAsyncDisposable
{
    public const string ControlTopic = "$CONTROL/dynamic-security/v1";
    public const string ServiceRole = "enrollment-service";
    public const string UnenrolledRole = "enrollment-unenrolled";
    public const string UnenrolledGroup = "enrollment-unenrolled";
    private readonly MqttOptions _options;
    private readonly ILogger<DynamicSecurityAccess> _log;
    private IMqttClient _client;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _waiting = new();
    private readonly SemaphoreSlim _connect = new(1, 1);

    public DynamicSecurityAccess(IOptions<ServiceOptions> options, ILogger<DynamicSecurityAccess> log)
    {
        _options = options.Value.Mqtt;
        _log = log;
        _client = NewClient();
    }

    private IMqttClient NewClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            OnResponse(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        return client;
    }

    public bool NeedsGrant => true;

    /// <summary>
    /// The roles every deployment needs, made idempotently at start: the service's own (read requests and up
    /// topics, write results and down topics) given to its user, and the anonymous group's (unenrolled
    /// devices: publish requests, subscribe to one result topic at a time; see docs/broker.md on %c).
    /// </summary>
    public async Task EnsureBaseRolesAsync(CancellationToken ct)
    {
        // The plugin disconnects every client of a user whose roles change, and every client holding a role
        // whose ACLs change, this one included. So: nothing at all once the service's user holds its role;
        // otherwise build the roles first and give the user its role last, then wait for the kick.
        var self = await RunAsync(ct, false, new JsonObject { ["command"] = "getClient", ["username"] = _options.Username }).ConfigureAwait(false);
        var roles = self[0]["data"]?["client"]?["roles"] as JsonArray;
        if (roles?.Any(r => (string?)r?["rolename"] == ServiceRole) == true)
        {
            return;
        }

        var prefix = _options.DeviceTopicPrefix;
        await RunAsync(ct, true,
            Role(ServiceRole,
                Acl("publishClientSend", _options.ResultTopicPrefix + "+"),
                Acl("publishClientSend", prefix + "+/down"),
                Acl("publishClientSend", ControlTopic),
                Acl("subscribePattern", _options.EnrollmentTopicFilter),
                Acl("subscribePattern", prefix + "+/up")),
            Role(UnenrolledRole,
                Acl("publishClientSend", _options.EnrollmentTopicFilter),
                Acl("subscribePattern", _options.ResultTopicPrefix + "+")),
            new JsonObject { ["command"] = "createGroup", ["groupname"] = UnenrolledGroup }).ConfigureAwait(false);
        await RunAsync(ct, true,
            new JsonObject { ["command"] = "addGroupRole", ["groupname"] = UnenrolledGroup, ["rolename"] = UnenrolledRole },
            new JsonObject { ["command"] = "setAnonymousGroup", ["groupname"] = UnenrolledGroup }).ConfigureAwait(false);
        try
        {
            await RunAsync(ct, true,
                new JsonObject { ["command"] = "addClientRole", ["username"] = _options.Username, ["rolename"] = ServiceRole, ["priority"] = 10 }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttClientDisconnectedException or TimeoutException)
        {
            // Kicked before the answer arrived: expected. The next command reconnects.
        }

        using var kicked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        kicked.CancelAfter(TimeSpan.FromSeconds(5));
        while (_client.IsConnected && !kicked.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }

        var check = await RunAsync(ct, false, new JsonObject { ["command"] = "getClient", ["username"] = _options.Username }).ConfigureAwait(false);
        if ((check[0]["data"]?["client"]?["roles"] as JsonArray)?.Any(r => (string?)r?["rolename"] == ServiceRole) != true)
        {
            throw new InvalidOperationException("the service's user did not get the " + ServiceRole + " role");
        }
    }

    public async Task GrantAsync(string deviceId, byte[] password, CancellationToken ct)
    {
        var role = "device-" + deviceId;
        var prefix = _options.DeviceTopicPrefix + deviceId;
        await RunAsync(ct, true,
            Role(role, Acl("publishClientSend", prefix + "/up"), Acl("subscribeLiteral", prefix + "/down")),
            new JsonObject { ["command"] = "deleteClient", ["username"] = deviceId }).ConfigureAwait(false);
        await RunAsync(ct, false, new JsonObject
        {
            ["command"] = "createClient", ["username"] = deviceId, ["clientid"] = deviceId,
            ["password"] = Encoding.ASCII.GetString(password), ["roles"] = new JsonArray(new JsonObject { ["rolename"] = role }),
        }).ConfigureAwait(false);
        LogGranted(_log, deviceId);
    }

    /// <summary>Deleting the client also disconnects it (the plugin kicks clients of a deleted user).</summary>
    public async Task RemoveAsync(string deviceId, CancellationToken ct)
    {
        await RunAsync(ct, true,
            new JsonObject { ["command"] = "deleteClient", ["username"] = deviceId },
            new JsonObject { ["command"] = "deleteRole", ["rolename"] = "device-" + deviceId }).ConfigureAwait(false);
        LogRemoved(_log, deviceId);
    }

    private static JsonObject Role(string name, params JsonObject[] acls)
    {
        // createRole then one addRoleACL per rule: Mosquitto 2.0.11 ignores ACLs inside createRole.
        return new JsonObject { ["command"] = "createRole", ["rolename"] = name, ["acls"] = new JsonArray([.. acls]) };
    }

    private static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true, ["priority"] = 0 };

    /// <summary>
    /// Sends the commands in one message and waits for every answer. "Already exists" / "not found" answers
    /// are expected when <paramref name="tolerant"/> (the calls are idempotent); any other error throws.
    /// </summary>
    private async Task<List<JsonObject>> RunAsync(CancellationToken ct, bool tolerant, params JsonObject[] commands)
    {
        await EnsureConnectedAsync(ct).ConfigureAwait(false);
        var expanded = new List<JsonObject>();
        foreach (var c in commands)
        {
            if ((string?)c["command"] == "createRole" && c["acls"] is JsonArray acls)
            {
                c.Remove("acls");
                expanded.Add(c);
                foreach (var acl in acls.ToArray())
                {
                    acls.Remove(acl);
                    var add = (JsonObject)acl!;
                    add["command"] = "addRoleACL";
                    add["rolename"] = c["rolename"]!.GetValue<string>();
                    expanded.Add(add);
                }
            }
            else
            {
                expanded.Add(c);
            }
        }

        var pending = new List<(string Command, Task<JsonObject> Answer)>();
        foreach (var c in expanded)
        {
            var id = Guid.NewGuid().ToString("N");
            c["correlationData"] = id;
            var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[id] = tcs;
            pending.Add(((string)c["command"]!, tcs.Task));
        }

        var body = new JsonObject { ["commands"] = new JsonArray([.. expanded]) };
        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(ControlTopic)
            .WithPayload(Encoding.UTF8.GetBytes(body.ToJsonString())).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct)
            .ConfigureAwait(false);
        var responses = new List<JsonObject>();
        foreach (var (command, answer) in pending)
        {
            var response = await answer.WaitAsync(TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds), ct).ConfigureAwait(false);
            responses.Add(response);
            if (response["error"] is { } error)
            {
                var text = error.GetValue<string>();
                var expected = text.Contains("already", StringComparison.OrdinalIgnoreCase) || text.Contains("not found", StringComparison.OrdinalIgnoreCase);
                if (!(tolerant && expected) && !(command == "addClientRole" && expected))
                {
                    throw new InvalidOperationException("dynamic security " + command + " failed: " + text);
                }
            }
        }

        return responses;
    }

    private void OnResponse(byte[] payload)
    {
        try
        {
            if (JsonNode.Parse(payload)?["responses"] is not JsonArray responses)
            {
                return;
            }

            foreach (var r in responses.OfType<JsonObject>())
            {
                if (r["correlationData"]?.GetValue<string>() is { } id && _waiting.TryRemove(id, out var tcs))
                {
                    tcs.TrySetResult(r);
                }
            }
        }
        catch (JsonException)
        {
            // Not an answer to us; every caller still times out on its own.
        }
    }

    private async Task EnsureConnectedAsync(CancellationToken ct)
    {
        await _connect.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_client.IsConnected)
            {
                return;
            }

            // A fresh client after a drop (the plugin kicks us when our own roles change): MQTTnet refuses to
            // reconnect a client whose disconnect is still being processed.
            _client.Dispose();
            _client = NewClient();

            var b = new MqttClientOptionsBuilder().WithTcpServer(_options.Host, _options.Port).WithClientId(_options.ClientId + "-dynsec")
                .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(true).WithCredentials(_options.Username, _options.Password)
                .WithTimeout(TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds));
            if (_options.UseTls)
            {
                var ca = string.IsNullOrEmpty(_options.CaFile) ? null : BrokerTls.LoadCa(_options.CaFile);
                b.WithTlsOptions(t =>
                {
                    t.UseTls(true).WithTargetHost(_options.Host);
                    if (ca is not null)
                    {
                        t.WithCertificateValidationHandler(a => BrokerTls.Validate(a.Certificate, a.SslPolicyErrors, ca));
                    }
                });
            }

            var result = await _client.ConnectAsync(b.Build(), ct).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException("dynamic security admin connection refused: " + result.ResultCode);
            }

            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(ControlTopic + "/response", MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct).ConfigureAwait(false);
        }
        finally
        {
            _connect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
        }

        _client.Dispose();
        _connect.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker client created for device {DeviceId} (dynamic security)")]
    private static partial void LogGranted(ILogger logger, string deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker client of device {DeviceId} deleted (dynamic security)")]
    private static partial void LogRemoved(ILogger logger, string deviceId);
}

/// <summary>An external broker whose ACL the operator manages (no dynamic security): nothing to grant or remove here.</summary>
internal sealed class StaticBrokerAccess : IBrokerAccess
{
    public bool NeedsGrant => false;

    public Task GrantAsync(string deviceId, byte[] password, CancellationToken ct) => Task.CompletedTask;

    public Task RemoveAsync(string deviceId, CancellationToken ct) => Task.CompletedTask;
}
