using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Service.LoadBench;

/// <summary>One phase (or round): its rate, its latency percentiles and every latency (sorted, ms) for pooling rounds.</summary>
internal sealed record PhaseResult(double Throughput, double P50, double P99, int Accepted, double JunkRate, double[] Latencies);

/// <summary>
/// The load generator: publisher connections (QoS 1) and one subscriber on every result topic. Latency is
/// from the publish call to the sealed result's arrival, matched by the enrollee id text in the topic.
/// </summary>
internal sealed class LoadClient : IAsyncDisposable
{
    private const int Publishers = 8;
    private readonly List<IMqttClient> _publishers = [];
    private readonly IMqttClient _subscriber;
    private IMqttClient? _attacker;
    private RawFlood? _rawFlood;
    private IMqttClient? _sink;
    private string _junkTopic;
    private readonly string _requestTopic;
    private bool _perEnrollee;
    private readonly string _resultPrefix;
    private ConcurrentDictionary<string, long> _sent = new();
    private ConcurrentDictionary<string, long> _answered = new();
    private TaskCompletionSource _allAnswered = new();
    private int _expected;
    private int _accepted;

    private LoadClient(IMqttClient subscriber, string requestTopic, string resultPrefix)
    {
        _subscriber = subscriber;
        _requestTopic = requestTopic;
        _junkTopic = requestTopic;
        _resultPrefix = resultPrefix;
    }

    /// <summary>
    /// Mqtt:RequestTopicPerEnrollee on the service: each enrollee publishes to the request topic + "/" + its id
    /// text, and so does the junk sent to the service (each junk message on the topic of its made-up enrollee).
    /// </summary>
    public void UseRequestTopicPerEnrollee() => _perEnrollee = true;

    private string RequestTopicOf(string idText) => _perEnrollee ? _requestTopic + "/" + idText : _requestTopic;

    private string JunkTopicOf(byte[] junk)
    {
        if (!_perEnrollee || _junkTopic != _requestTopic)
        {
            return _junkTopic;
        }

        Enrollment.Protocol.Messages.EnrollmentMessage.TryDecode(junk, 0, junk.Length, out var m);
        return RequestTopicOf(Enrollment.Protocol.Messages.EnrolleeId.ToText(m!.EnrolleeId));
    }

    /// <summary>The topic a bench client of its own subscribes to (QoS 0, handler does nothing).</summary>
    public const string SinkTopic = "bench/sink";

    /// <summary>
    /// Sends the flood to a topic nobody subscribes to: the broker reads and drops every junk message, as it
    /// would one that its access rules refuse. What is left is the cost of reading the flood at all.
    /// </summary>
    public void RouteJunkNowhere() => _junkTopic = "bench/nowhere";

    /// <summary>
    /// Sends the flood to <see cref="SinkTopic"/> instead of the enrollment topic: the broker routes and
    /// delivers every junk message as before, but to a receiver that does nothing with it. The slowdown left is
    /// what the flood costs the machine outside the service: the floor for any service whatever it does.
    /// </summary>
    public async Task RouteJunkToSinkAsync(int port)
    {
        _sink = new MqttClientFactory().CreateMqttClient();
        _sink.ApplicationMessageReceivedAsync += _ => Task.CompletedTask;
        await _sink.ConnectAsync(Options(port, "bench-sink"));
        await _sink.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(SinkTopic, MqttQualityOfServiceLevel.AtMostOnce).Build());
        _junkTopic = SinkTopic;
    }

    /// <param name="rawFlood">the flood through <see cref="RawFlood"/> (pre-encoded packets, a write per
    /// millisecond) rather than an MQTTnet client (a publish call and two send calls per junk message)</param>
    public static async Task<LoadClient> ConnectAsync(int port, string requestTopic, string resultPrefix, bool rawFlood)
    {
        var factory = new MqttClientFactory();
        var client = new LoadClient(factory.CreateMqttClient(), requestTopic, resultPrefix);
        client._subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var id = e.ApplicationMessage.Topic[client._resultPrefix.Length..];
            var payload = e.ApplicationMessage.Payload;
            if (payload.Length > 0 && payload.FirstSpan[0] == 0x03 && client._sent.ContainsKey(id) && client._answered.TryAdd(id, Stopwatch.GetTimestamp()))
            {
                if (Interlocked.Increment(ref client._accepted) == client._expected)
                {
                    client._allAnswered.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        await client._subscriber.ConnectAsync(Options(port, "bench-sub"));
        await client._subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(resultPrefix + "#", MqttQualityOfServiceLevel.AtLeastOnce, false, false, MqttRetainHandling.SendAtSubscribe).Build());
        for (var i = 0; i < Publishers; i++)
        {
            var p = factory.CreateMqttClient();
            await p.ConnectAsync(Options(port, "bench-pub-" + i));
            client._publishers.Add(p);
        }

        // The flood comes from its own connection, as an attacker's would: junk queued on a real publisher's
        // connection would delay that publisher's real messages inside the load generator, not in the service.
        if (rawFlood)
        {
            client._rawFlood = await RawFlood.ConnectAsync(port, "bench-junk");
        }
        else
        {
            client._attacker = factory.CreateMqttClient();
            await client._attacker.ConnectAsync(Options(port, "bench-junk"));
        }

        return client;
    }

    private static MqttClientOptions Options(int port, string id)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port).WithClientId(id).WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(true)
            .WithTimeout(TimeSpan.FromSeconds(60)).Build();
        // As the service does (MqttLink.SocketBufferBytes): MQTTnet's 8 KB socket buffers stall on loopback.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 1 << 20;
        return options;
    }

    /// <summary>Publishes every prepared message (paced at <paramref name="ratePerSecond"/>, or at once when 0) and waits for every result.</summary>
    public async Task<PhaseResult> RunAsync(List<PreparedEnrollee> enrollees, double ratePerSecond, List<byte[]>? junk)
    {
        _sent = new ConcurrentDictionary<string, long>();
        _answered = new ConcurrentDictionary<string, long>();
        _allAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _expected = enrollees.Count;
        _accepted = 0;
        var encoded = junk is not null && _rawFlood is not null ? RawFlood.Encode(JunkTopicOf, junk) : default;
        var start = Stopwatch.GetTimestamp();
        var junkTask = junk is null ? Task.FromResult(0.0)
            : _rawFlood is not null ? _rawFlood.SendPacedAsync(encoded, ratePerSecond * 10, start)
            : PublishJunkAsync(junk, ratePerSecond * 10, start);
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            for (var i = p; i < enrollees.Count; i += Publishers)
            {
                if (ratePerSecond > 0)
                {
                    var due = start + (long)(i / ratePerSecond * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }
                }

                _sent[enrollees[i].IdText] = Stopwatch.GetTimestamp();
                await _publishers[p].PublishAsync(new MqttApplicationMessageBuilder().WithTopic(RequestTopicOf(enrollees[i].IdText)).WithPayload(enrollees[i].Message)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }
        })));
        await _allAnswered.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var junkRate = await junkTask;
        var end = _answered.Values.Max();
        var latencies = _answered.Select(kv => Stopwatch.GetElapsedTime(_sent[kv.Key], kv.Value).TotalMilliseconds).Order().ToArray();
        return new PhaseResult(enrollees.Count / Stopwatch.GetElapsedTime(start, end).TotalSeconds, Percentile(latencies, 0.50),
            Percentile(latencies, 0.99), _accepted, junkRate, latencies);
    }

    private async Task<double> PublishJunkAsync(List<byte[]> junk, double rate, long start)
    {
        var publisher = _attacker!;
        await Task.Yield();
        for (var i = 0; i < junk.Count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            // QoS 0 for the flood: the attacker does not wait for acknowledgements.
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(JunkTopicOf(junk[i])).WithPayload(junk[i])
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build());
        }

        return junk.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _publishers.Append(_subscriber).Concat(_attacker is null ? [] : [_attacker]).Concat(_sink is null ? [] : [_sink]))
        {
            await c.DisconnectAsync(new MqttClientDisconnectOptions());
            c.Dispose();
        }

        if (_rawFlood is not null)
        {
            await _rawFlood.DisposeAsync();
        }
    }
}
