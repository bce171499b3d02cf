using Enrollment.Service.Domain;
using MQTTnet;
using MQTTnet.Protocol;

namespace Enrollment.Service.Host;

/// <summary>
/// <c>Mqtt:RequestTopicPerEnrollee</c>: instead of one enrollment topic, a subscription per enrollee whose
/// approval has not expired (EnrollmentTopic + "/" + its id text), so that the broker drops enrollment messages
/// for anyone else: a flood of junk for unknown enrollees never reaches the service. The subscriptions live in
/// the service's persistent session; they are made again on every connect and brought in line with the
/// database at every maintenance round (expired approvals), and one is added at each registration.
/// </summary>
internal sealed partial class MqttLink : IEnrolleeTopicSubscriber
{
    /// <summary>Topic filters per SUBSCRIBE / UNSUBSCRIBE packet when many are made at once (a reconnect).</summary>
    private const int FiltersPerPacket = 500;

    private readonly HashSet<string> _enrolleeTopics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _topicsGate = new(1, 1);

    private bool PerEnrollee => _options.RequestTopicPerEnrollee;

    private bool IsEnrollmentTopic(string topic) => PerEnrollee
        ? topic.Length > _options.EnrollmentTopic.Length + 1 && topic.StartsWith(_options.EnrollmentTopic, StringComparison.Ordinal)
            && topic[_options.EnrollmentTopic.Length] == '/'
        : topic == _options.EnrollmentTopic;

    /// <summary>What the connection log line names as the enrollment subscription.</summary>
    private string SubscribedEnrollmentTopics =>
        PerEnrollee ? _options.EnrollmentTopic + "/<enrollee id> of each approved enrollee" : _options.EnrollmentTopic;

    private string EnrolleeTopic(byte[] eikHash) => _options.EnrollmentTopic + "/" + EnrolleeIdentity.Text(eikHash);

    public async Task AwaitEnrolleeAsync(byte[] eikHash, CancellationToken ct)
    {
        if (!PerEnrollee)
        {
            return;
        }

        var topic = EnrolleeTopic(eikHash);
        await _topicsGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_enrolleeTopics.Add(topic) && _client.IsConnected)
            {
                // Before the API answers, so the device's message (sent after the enroller hands over the bundle)
                // finds its subscription. A broker lost meanwhile gets it with all the others at the reconnect.
                try
                {
                    await SubscribeAsync([topic], ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsBrokerTrouble(e, ct))
                {
                    LogTopicsNotSynced(_log, e.Message);
                }
            }
        }
        finally
        {
            _topicsGate.Release();
        }
    }

    public async Task SyncEnrolleeTopicsAsync(CancellationToken ct) => await SyncEnrolleeTopicsAsync(all: false, ct).ConfigureAwait(false);

    /// <summary>Subscribes the awaited enrollees' topics (all of them when <paramref name="all"/>: a new connection) and unsubscribes the rest.</summary>
    private async Task SyncEnrolleeTopicsAsync(bool all, CancellationToken ct)
    {
        if (!PerEnrollee)
        {
            return;
        }

        // The gate is held across the query: a registration committed after the query adds its topic only after
        // this round (it waits for the gate), so the round cannot take it for an expired one.
        await _topicsGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var hashes = await _store.ListAwaitedEikHashesAsync(_time.GetUtcNow().ToUnixTimeMilliseconds(), ct).ConfigureAwait(false);
            var wanted = new HashSet<string>(hashes.Select(EnrolleeTopic), StringComparer.Ordinal);
            var gone = _enrolleeTopics.Where(t => !wanted.Contains(t)).ToList();
            var added = all ? wanted.ToList() : wanted.Where(t => !_enrolleeTopics.Contains(t)).ToList();
            if (!_client.IsConnected)
            {
                return; // the next connect makes them all
            }

            _enrolleeTopics.UnionWith(added);
            try
            {
                await SubscribeAsync(added, ct).ConfigureAwait(false);
                for (var i = 0; i < gone.Count; i += FiltersPerPacket)
                {
                    var b = new MqttClientUnsubscribeOptionsBuilder();
                    foreach (var t in gone.Skip(i).Take(FiltersPerPacket))
                    {
                        b.WithTopicFilter(t);
                    }

                    await _client.UnsubscribeAsync(b.Build(), ct).ConfigureAwait(false);
                }

                _enrolleeTopics.ExceptWith(gone);
            }
            catch (Exception e) when (!all && IsBrokerTrouble(e, ct))
            {
                // Maintenance goes on; the reconnect subscribes every awaited topic, the next round unsubscribes.
                LogTopicsNotSynced(_log, e.Message);
            }
        }
        finally
        {
            _topicsGate.Release();
        }
    }

    private async Task SubscribeAsync(IReadOnlyList<string> topics, CancellationToken ct)
    {
        for (var i = 0; i < topics.Count; i += FiltersPerPacket)
        {
            var b = new MqttClientSubscribeOptionsBuilder();
            foreach (var t in topics.Skip(i).Take(FiltersPerPacket))
            {
                b.WithTopicFilter(t, MqttQualityOfServiceLevel.AtLeastOnce, false, false, MqttRetainHandling.SendAtSubscribe);
            }

            var granted = await _client.SubscribeAsync(b.Build(), ct).ConfigureAwait(false);
            if (granted.Items.FirstOrDefault(g => g.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
            {
                throw new InvalidOperationException("subscription to " + refused.TopicFilter.Topic + " refused: " + refused.ResultCode);
            }
        }
    }

    private static bool IsBrokerTrouble(Exception e, CancellationToken ct) =>
        e is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException || (e is OperationCanceledException && !ct.IsCancellationRequested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enrollee request topics not brought in line with the approvals ({Reason}); the next connect or maintenance round retries")]
    private static partial void LogTopicsNotSynced(ILogger logger, string reason);
}
