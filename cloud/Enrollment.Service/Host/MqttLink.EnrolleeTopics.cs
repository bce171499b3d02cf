using System.Threading.Channels;
using Enrollment.Protocol.Messages;
using Enrollment.Service.Domain;
using MQTTnet;
using MQTTnet.Protocol;

namespace Enrollment.Service.Host;

/// <summary>
/// <c>Mqtt:RequestTopicPerEnrollee</c>: instead of one enrollment topic, a subscription per enrollee whose
/// approval has not expired (EnrollmentTopic + "/" + its id text), so that the broker drops enrollment messages
/// for anyone else: a flood of junk for unknown enrollees never reaches the service. The subscriptions live in
/// the service's persistent session; they are made again on every connect and brought in line with the
/// database at every maintenance round (expired approvals), and one is added at each registration. They are
/// held whether or not the service also listens on the wildcard (MqttLink.FloodFilter.cs): a message matching
/// both is delivered once per session (MQTT 3.1.1 section 3.3.5 allows it; Mosquitto 2.0.11 and MQTTnet's
/// server do so), and switching the flood filter on only drops the wildcard.
/// An accepted enrollee's topic is given up as soon as its result is out: the result is published retained
/// (docs/protocol.md section 14), so a device whose result was lost reads it from the broker when it subscribes
/// again, and copies of its message (a replay flood of captured messages) are dropped by the broker instead of
/// reaching the service. The retained result is cleared when the device's first channel message authenticates
/// (ChannelService), and published again at every connect until then (a broker restart may have lost it).
/// </summary>
internal sealed partial class MqttLink : IEnrolleeTopicSubscriber
{
    /// <summary>Topic filters per SUBSCRIBE / UNSUBSCRIBE packet when many are made at once (a reconnect).</summary>
    private const int FiltersPerPacket = 500;

    /// <summary>
    /// How far back the first connect of a run looks for topics an earlier run may have left subscribed: the
    /// persistent session keeps the subscriptions of approvals that lapsed (or enrollees accepted) while the
    /// service was down or just before it stopped, and MQTT cannot list a session's subscriptions.
    /// </summary>
    private static readonly TimeSpan StaleTopicWindow = TimeSpan.FromDays(7);

    private readonly HashSet<string> _enrolleeTopics = new(StringComparer.Ordinal);
    private bool _staleTopicsSwept;
    private readonly SemaphoreSlim _topicsGate = new(1, 1);

    /// <summary>Hash(EIK_B) of accepted, deleted or revoked enrollees whose topics to unsubscribe (several per packet under load).</summary>
    private readonly Channel<byte[]> _released = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    private Task? _releaser;

    private bool PerEnrollee => _options.RequestTopicPerEnrollee;

    /// <summary>With per-enrollee request topics an accepted enrollee's result is published retained.</summary>
    private bool RetainsResult(IngressAnswer answer) => answer.Enrolled && PerEnrollee;

    /// <summary>
    /// Unsubscribes released topics, as many per packet as have queued up (a few milliseconds after each result).
    /// A topic whose EIK_B is awaited again by then (approved anew, or a second approval of the same key still
    /// pending) is kept: the registration found it held and subscribed nothing, and the check runs under the gate
    /// that registrations take after the index has their row, so either it sees the new approval or the approval
    /// comes after the release and subscribes again. A topic is forgotten only once its UNSUBACK is back: one the
    /// broker could not be told about stays in <see cref="_enrolleeTopics"/>, and the next connect or maintenance
    /// round, which no longer wants it, unsubscribes it.
    /// </summary>
    private async Task ReleaseTopicsAsync()
    {
        var ct = _stopping.Token;
        var batch = new List<byte[]>();
        try
        {
            while (await _released.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < FiltersPerPacket && _released.Reader.TryRead(out var released))
                {
                    batch.Add(released);
                }

                await ReleaseAsync(batch, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Unsubscribes the released enrollees' topics still held whose EIK_B no approval awaits now (the releaser's step; tests call it too).</summary>
    internal async Task ReleaseAsync(IReadOnlyList<byte[]> released, CancellationToken ct)
    {
        await _topicsGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await ReleaseLockedAsync(released, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBrokerTrouble(e, ct))
        {
            LogTopicsNotSynced(_log, e.Message);
        }
        finally
        {
            _topicsGate.Release();
        }
    }

    private async Task ReleaseLockedAsync(IReadOnlyList<byte[]> released, CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // A topic no longer held (a maintenance round or a reconnect gave it up already) needs no packet.
        var batch = released.Where(h => !_index.IsAwaited(h, now)).Select(EnrolleeTopic).Where(_enrolleeTopics.Contains).Distinct().ToList();
        if (batch.Count > 0 && _client.IsConnected)
        {
            await UnsubscribeAsync(batch, ct).ConfigureAwait(false);
            _enrolleeTopics.ExceptWith(batch);
        }
    }

    /// <summary>
    /// At connect: the results of accepted enrollees not yet heard on their channel are published retained again
    /// (a broker restarted without persistence lost them, and their request topics are no longer listened on).
    /// Their topics are not wanted by <see cref="SyncEnrolleeTopicsAsync(bool, CancellationToken)"/>, which gives
    /// them up.
    /// </summary>
    private async Task RepublishUnconfirmedResultsAsync(CancellationToken ct)
    {
        var results = await _store.ListUnconfirmedResultsAsync(_time.GetUtcNow().ToUnixTimeMilliseconds(), ct).ConfigureAwait(false);
        var publishes = new List<Task>();
        foreach (var r in results)
        {
            if (!ServiceAddress.TryDecode(r.Address, 0, r.Address.Length, out var address) || !address.RequestTopicPerEnrollee)
            {
                continue; // answered on the shared topic, never retained
            }

            // Many in flight at once (each has its own packet identifier), not one PUBACK round trip after another.
            publishes.Add(_client.PublishAsync(BuildMessage(_options.ResultTopicOf(r.EikHash), r.Result, reliable: true, retain: true), ct));
            if (publishes.Count == MaxPublishesInFlight)
            {
                await Task.WhenAll(publishes).ConfigureAwait(false);
                publishes.Clear();
            }
        }

        await Task.WhenAll(publishes).ConfigureAwait(false);
    }

    /// <summary>All packets at once, as <see cref="SubscribeAsync"/>.</summary>
    private async Task UnsubscribeAsync(IReadOnlyList<string> topics, CancellationToken ct)
    {
        var packets = new List<Task>();
        for (var i = 0; i < topics.Count; i += FiltersPerPacket)
        {
            var b = new MqttClientUnsubscribeOptionsBuilder();
            for (var j = i; j < Math.Min(i + FiltersPerPacket, topics.Count); j++)
            {
                b.WithTopicFilter(topics[j]);
            }

            packets.Add(_client.UnsubscribeAsync(b.Build(), ct));
        }

        await Task.WhenAll(packets).ConfigureAwait(false);
    }

    private bool IsEnrollmentTopic(string topic) => PerEnrollee
        ? topic.Length > _options.EnrollmentTopic.Length + 1 && topic.StartsWith(_options.EnrollmentTopic, StringComparison.Ordinal)
            && topic[_options.EnrollmentTopic.Length] == '/'
        : topic == _options.EnrollmentTopic;

    /// <summary>What the connection log line names as the enrollment subscription.</summary>
    private string SubscribedEnrollmentTopics => !PerEnrollee ? _options.EnrollmentTopic
        : _filtering ? _options.EnrollmentTopic + "/<enrollee id> of each approved enrollee"
        : AllRequestTopics + " and each approved enrollee's topic (only the latter under a rejection flood)";

    /// <summary>Whether the service listens on this request topic, or on the wildcard (for tests: true until its UNSUBACK is back).</summary>
    internal bool ListensOn(string topic)
    {
        _topicsGate.Wait();
        try
        {
            return topic == AllRequestTopics ? PerEnrollee && _wildcardSubscribed : _enrolleeTopics.Contains(topic);
        }
        finally
        {
            _topicsGate.Release();
        }
    }

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
            // Subscribed whether or not the wildcard is held too (MqttLink.FloodFilter.cs), so that a flood switch
            // only has to drop the wildcard.
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

    /// <summary>Queues the topic for the releaser, which unsubscribes it (batched) as it does accepted enrollees' topics.</summary>
    public void ReleaseEnrollee(byte[] eikHash)
    {
        if (PerEnrollee)
        {
            _released.Writer.TryWrite(eikHash);
        }
    }

    public async Task SyncEnrolleeTopicsAsync(CancellationToken ct) => await SyncEnrolleeTopicsAsync(all: false, ct).ConfigureAwait(false);

    /// <summary>
    /// Subscribes the awaited enrollees' topics (all of them when <paramref name="all"/>: a new connection) and
    /// unsubscribes the rest (at a new connection also those an earlier run may have left in the persistent
    /// session); subscribes the wildcard when listening on every topic, unsubscribes it when filtering. New filters
    /// always go in before old ones go.
    /// </summary>
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
            await SyncEnrolleeTopicsLockedAsync(all, ct).ConfigureAwait(false);
        }
        finally
        {
            _topicsGate.Release();
        }
    }

    private async Task SyncEnrolleeTopicsLockedAsync(bool all, CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (all)
        {
            // A new connection: the session may hold the wildcard or not, whatever the last run did; make it sure.
            _wildcardSubscribed = _filtering;
        }
        else
        {
            EndFilteringIfHoldOver(now);
        }

        if (!_client.IsConnected)
        {
            return; // the next connect makes them all
        }

        try
        {
            if (!_filtering && !_wildcardSubscribed)
            {
                await SubscribeAsync([AllRequestTopics], ct).ConfigureAwait(false);
                _wildcardSubscribed = true;
            }

            var wanted = new HashSet<string>((await _store.ListAwaitedEikHashesAsync(now, ct).ConfigureAwait(false)).Select(EnrolleeTopic),
                StringComparer.Ordinal);
            var gone = new HashSet<string>(_enrolleeTopics.Where(t => !wanted.Contains(t)), StringComparer.Ordinal);
            if (all && !_staleTopicsSwept)
            {
                var since = now - (long)StaleTopicWindow.TotalMilliseconds;
                var stale = await _store.ListUnawaitedEikHashesAsync(since, now, ct).ConfigureAwait(false);
                gone.UnionWith(stale.Select(EnrolleeTopic).Where(t => !wanted.Contains(t)));
            }

            var added = all ? wanted.ToList() : wanted.Where(t => !_enrolleeTopics.Contains(t)).ToList();
            _enrolleeTopics.UnionWith(added);
            await SubscribeAsync(added, ct).ConfigureAwait(false);
            if (_filtering && _wildcardSubscribed)
            {
                await UnsubscribeAsync([AllRequestTopics], ct).ConfigureAwait(false);
                _wildcardSubscribed = false;
            }

            await UnsubscribeAsync(gone.ToList(), ct).ConfigureAwait(false);
            _enrolleeTopics.ExceptWith(gone);
            _staleTopicsSwept |= all;
        }
        catch (Exception e) when (!all && IsBrokerTrouble(e, ct))
        {
            // Maintenance goes on; the reconnect subscribes every awaited topic, the next round unsubscribes.
            LogTopicsNotSynced(_log, e.Message);
        }
    }

    /// <summary>
    /// All packets at once, each with its own packet identifier, instead of one SUBACK round trip after another:
    /// switching the flood filter on subscribed 10,463 topics in 243 ms packet by packet (load bench), while the
    /// flood still reached the service.
    /// </summary>
    private async Task SubscribeAsync(IReadOnlyList<string> topics, CancellationToken ct)
    {
        var packets = new List<Task<MqttClientSubscribeResult>>();
        for (var i = 0; i < topics.Count; i += FiltersPerPacket)
        {
            var b = new MqttClientSubscribeOptionsBuilder();
            for (var j = i; j < Math.Min(i + FiltersPerPacket, topics.Count); j++)
            {
                b.WithTopicFilter(topics[j], MqttQualityOfServiceLevel.AtLeastOnce, false, false, MqttRetainHandling.SendAtSubscribe);
            }

            packets.Add(_client.SubscribeAsync(b.Build(), ct));
        }

        foreach (var granted in await Task.WhenAll(packets).ConfigureAwait(false))
        {
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
