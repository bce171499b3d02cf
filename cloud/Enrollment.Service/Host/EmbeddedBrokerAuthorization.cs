using System.Text;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Enrollment.Service.Host;

/// <summary>
/// Who may do what on the embedded broker (docs/broker.md), checked on every CONNECT, PUBLISH and SUBSCRIBE:
/// <list type="bullet">
/// <item>the service's own client (a random password made at start-up, never stored): everything;</item>
/// <item>an enrolled device (user = device id = client id, password checked against its stored SHA-256, not
/// revoked): publish only to &lt;prefix&gt;&lt;id&gt;/up, subscribe only to &lt;prefix&gt;&lt;id&gt;/down;</item>
/// <item>anyone else, anonymously: publish only to the enrollment topic, subscribe only to the result
/// topic named by its own client id (the enrollee id text; docs/protocol.md section 14).</item>
/// </list>
/// A refused publish is dropped (MQTT 3.1.1 has no negative PUBACK); a refused subscription gets the
/// failure return code.
/// </summary>
internal sealed class EmbeddedBrokerAuthorization
{
    private readonly MqttOptions _options;
    private readonly IChannelStore _store;
    private readonly string _servicePassword;

    public EmbeddedBrokerAuthorization(MqttOptions options, IChannelStore store, string servicePassword)
    {
        _options = options;
        _store = store;
        _servicePassword = servicePassword;
    }

    public void Attach(MqttServer server)
    {
        server.ValidatingConnectionAsync += ValidateAsync;
        server.InterceptingPublishAsync += e =>
        {
            e.ProcessPublish = MayPublish(e.UserName, e.ClientId, e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        server.InterceptingSubscriptionAsync += e =>
        {
            if (!MaySubscribe(e.UserName, e.ClientId, e.TopicFilter.Topic))
            {
                e.ProcessSubscription = false;
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            }

            return Task.CompletedTask;
        };
    }

    private async Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.UserName))
        {
            return; // anonymous: enrollment topics only (MayPublish / MaySubscribe)
        }

        if (e.UserName == EmbeddedBroker.ServiceUserName)
        {
            var presented = e.RawPassword ?? [];
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(_servicePassword)))
            {
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            }

            return;
        }

        // The MQTT client id of an enrolled device is its device id (docs/protocol.md section 12).
        var row = e.ClientId == e.UserName ? await _store.LoadChannelAsync(e.UserName, CancellationToken.None).ConfigureAwait(false) : null;
        if (row is null || !BrokerCredentials.Matches(e.RawPassword ?? [], row.BrokerPasswordHash))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }
        else if (row.State != ChannelState.Active)
        {
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
        }
    }

    private bool MayPublish(string? user, string clientId, string topic) => user switch
    {
        EmbeddedBroker.ServiceUserName => true,
        null or "" => _options.RequestTopicPerEnrollee
            ? IsPlainClientId(clientId) && topic == _options.EnrollmentTopic + "/" + clientId
            : topic == _options.EnrollmentTopic,
        _ => topic == _options.DeviceTopicPrefix + user + "/up",
    };

    private bool MaySubscribe(string? user, string clientId, string filter) => user switch
    {
        EmbeddedBroker.ServiceUserName => true,
        null or "" => IsPlainClientId(clientId) && filter == _options.ResultTopicPrefix + clientId,
        _ => filter == _options.DeviceTopicPrefix + user + "/down",
    };

    /// <summary>A client id holding a wildcard or a level separator would widen a topic named after it beyond its own.</summary>
    private static bool IsPlainClientId(string clientId) => clientId.IndexOfAny(['+', '#', '/']) < 0;
}
