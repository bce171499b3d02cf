using System.Buffers;
using System.Threading.Channels;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Enrollment.Service.Protocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Service.Host;

/// <summary>
/// An answer to one enrollment message: publish Payload to Topic (nothing when Topic is null). Sealed results
/// go at QoS 1; unauthenticated notices, which the enrollee treats as hints only (docs/protocol.md section
/// 12), at QoS 0 so that answering a flood costs no acknowledgement round trip. EnrolledId: Hash(EIK_B) of the
/// enrollee when the payload is the sealed result of an accepted enrollment (a new one, or the stored one for a
/// copy of its message).
/// </summary>
internal sealed record IngressAnswer(string? Topic, byte[]? Payload, bool Reliable = true, byte[]? EnrolledId = null)
{
    public bool Enrolled => EnrolledId is not null;
}

/// <summary>Turns one enrollment message into an answer (the checks and the commit live behind it).</summary>
internal interface IEnrollmentMessageHandler
{
    /// <summary>The in-memory checks (synchronous, cheap): the answer of a message they settle, or null and the state to go on with.</summary>
    IngressAnswer? TryAnswerEarly(byte[] payload, out Prechecked? passed);

    /// <summary>The rest of the procedure for a message that passed <see cref="TryAnswerEarly"/>.</summary>
    Task<IngressAnswer> HandleAsync(Prechecked passed, CancellationToken ct);
}

/// <summary>
/// The service's MQTT client: MQTT 3.1.1 (no MQTT 5 feature is needed), a fixed client id with a persistent
/// session (clean session off) and a QoS 1 subscription to the enrollment topic, so messages published
/// while the service is down wait at the broker. A message is acknowledged only after its answer is
/// committed and published (the PUBACK awaited off the workers' path: MqttLink.Publisher.cs); a crash before that makes the broker redeliver it, and the handler answers a
/// redelivery from the stored result. Reconnects with backoff after a drop.
/// </summary>
internal sealed partial class MqttLink : IAsyncDisposable, IMqttPublisher
{
    private readonly MqttOptions _options;
    private readonly IEnrollmentMessageHandler _handler;
    private readonly IChannelMessageHandler _channel;
    private readonly EmbeddedBroker _embedded;
    private readonly Storage.IEnrollmentStore _store;
    private readonly TimeProvider _time;
    private readonly ServiceMetrics _metrics;
    private readonly IngressIndex _index;
    private readonly ILogger<MqttLink> _log;
    private readonly IMqttClient _client;
    private readonly Channel<(MqttApplicationMessageReceivedEventArgs Message, Prechecked? Passed)> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private MqttClientOptions? _clientOptions;
    private Task? _reconnect;
    private long _toWorkers;
    private long _enrollmentMessages;

    public MqttLink(IOptions<ServiceOptions> options, IEnrollmentMessageHandler handler, ILogger<MqttLink> log,
        IChannelMessageHandler channel, Downlink downlink, EmbeddedBroker embedded, Storage.IEnrollmentStore store, TimeProvider time,
        EnrolleeTopics enrolleeTopics, ServiceMetrics metrics, IngressIndex index)
    {
        _metrics = metrics;
        _index = index;
        _store = store;
        _time = time;
        enrolleeTopics.Attach(this);
        _options = options.Value.Mqtt;
        _handler = handler;
        _channel = channel;
        _embedded = embedded;
        downlink.Attach(this);
        _log = log;
        _client = new MqttClientFactory().CreateMqttClient();
        _queue = Channel.CreateBounded<(MqttApplicationMessageReceivedEventArgs, Prechecked?)>(new BoundedChannelOptions(1024) { SingleWriter = true });
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
        _filtering = !Adaptive;
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Enrollment messages the broker delivered so far, settled early or not.</summary>
    internal long EnrollmentMessagesReceived => Interlocked.Read(ref _enrollmentMessages);

    /// <summary>Messages handed to the workers so far (junk settled by the early checks never is).</summary>
    internal long MessagesToWorkers => Interlocked.Read(ref _toWorkers);

    /// <summary>The options of the broker connection, once started.</summary>
    internal MqttClientOptions? ClientOptions => _clientOptions;

    public string BrokerHost => _options.IsEmbedded ? _options.EmbeddedAddress : _options.Host!;

    public int BrokerPort => _options.IsEmbedded ? _options.EmbeddedPort : _options.Port;

    /// <summary>Connects and subscribes; an unreachable or refusing broker is a <see cref="StartupException"/>.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _clientOptions = BuildOptions();
        try
        {
            await ConnectAndSubscribeAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectFailure(e))
        {
            throw new StartupException("Cannot reach the MQTT broker at " + BrokerHost + ":" + BrokerPort + " (" + Describe(e) + ").", e);
        }

        for (var i = 0; i < _options.Workers; i++)
        {
            _workers.Add(Task.Run(WorkAsync));
        }

        _publisher = Task.Run(PublishAnswersAsync);
        if (PerEnrollee)
        {
            _releaser = Task.Run(ReleaseTopicsAsync);
        }

        LogConnected(_log, BrokerHost, BrokerPort, SubscribedEnrollmentTopics);
    }

    public async Task PublishAsync(string topic, byte[] payload, CancellationToken ct, bool reliable = true, bool retain = false)
    {
        await _client.PublishAsync(BuildMessage(topic, payload, reliable, retain), ct).ConfigureAwait(false);
    }

    /// <summary>QoS 1 for what must arrive (results, channel frames), QoS 0 for hints (rejection notices).</summary>
    private static MqttApplicationMessage BuildMessage(string topic, byte[] payload, bool reliable, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(reliable ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce).Build();

    private MqttClientOptions BuildOptions()
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(BrokerHost, BrokerPort)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds));
        if (!string.IsNullOrEmpty(_options.Username))
        {
            b.WithCredentials(_options.Username, _options.Password);
        }
        else if (_options.IsEmbedded)
        {
            b.WithCredentials(EmbeddedBroker.ServiceUserName, _embedded.ServicePassword);
        }

        if (_options.UseTls)
        {
            var ca = string.IsNullOrEmpty(_options.CaFile) ? null : BrokerTls.LoadCa(_options.CaFile);
            b.WithTlsOptions(t =>
            {
                t.UseTls(true).WithTargetHost(BrokerHost);
                if (ca is not null)
                {
                    t.WithCertificateValidationHandler(a => BrokerTls.Validate(a.Certificate, a.SslPolicyErrors, ca));
                }
            });
        }

        // Our own connection: read-buffered, with wide socket buffers (BrokerStreamProvider).
        b.WithStreamProvider(new BrokerStreamProvider());
        // Each PUBLISH in one write: MQTTnet otherwise writes its header and its payload separately, two send
        // calls (two TCP segments, two TLS records) per result and channel frame; strace of the load benchmark's
        // peak counted 3 send calls per enrollment (PUBACK, result header, result payload) instead of 2. Joining
        // copies the packet once (a few hundred bytes).
        b.WithoutPacketFragmentation();
        return b.Build();
    }

    /// <summary>
    /// MQTTnet sets SO_RCVBUF and SO_SNDBUF to its BufferSize (default 8 KB; Linux doubles it to 16 KB) on every
    /// connection, which turns off the kernel's receive-buffer autotuning. On loopback (the embedded broker, or a
    /// Mosquitto on the same host), whose MSS is about 64 KB, a receive window that small is below one segment:
    /// once a backlog built up at the broker (measured under the load benchmark's flood), the sender's silly
    /// window avoidance sent one small segment per 200 ms retransmission timeout, about 28 KB/s, and the
    /// service stalled with 3.5 MB queued at the broker. A buffer of 1 MB (the kernel caps it at 2 x rmem_max)
    /// keeps the window many segments wide. Set by <see cref="BrokerStreamProvider"/>, which makes the connection.
    /// </summary>
    internal const int SocketBufferBytes = 1 << 20;

    private async Task ConnectAndSubscribeAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds));
        var result = await _client.ConnectAsync(_clientOptions!, timeout.Token).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException("connection refused: " + result.ResultCode);
        }

        // A broker with ACLs (Mosquitto dynamic security) that does not let the service read a topic refuses
        // the subscription: SubscribeAsync throws.
        if (PerEnrollee)
        {
            // The persistent session may hold the shared topic from a run without the option: junk would still come.
            await _client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(_options.EnrollmentTopic).Build(), timeout.Token)
                .ConfigureAwait(false);
            await SubscribeAsync([_options.DeviceTopicPrefix + "+/up"], timeout.Token).ConfigureAwait(false);
            try
            {
                await SyncEnrolleeTopicsAsync(all: true, timeout.Token).ConfigureAwait(false);
                await RepublishUnconfirmedResultsAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (System.Data.Common.DbException e)
            {
                // The persistent session still holds the topics made before; maintenance syncs them again.
                LogTopicsNotSynced(_log, e.Message);
            }
        }
        else
        {
            await SubscribeAsync([_options.EnrollmentTopic, _options.DeviceTopicPrefix + "+/up"], timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        Prechecked? passed = null;
        if (IsEnrollmentTopic(e.ApplicationMessage.Topic))
        {
            Interlocked.Increment(ref _enrollmentMessages);
            // Junk (unknown enrollee, replayed EK_B, ...) is settled here on MQTTnet's dispatcher: no worker, no
            // thread-pool hop (EnrollmentIngress.TryAnswerEarly). Its acknowledgement is MQTTnet's automatic one.
            IngressAnswer? early;
            try
            {
                early = _handler.TryAnswerEarly(e.ApplicationMessage.Payload.ToArray(), out passed);
            }
            catch (Exception ex)
            {
                // Not acknowledged: redelivered after the next reconnect (as a worker's failure is).
                e.AutoAcknowledge = false;
                LogProcessingFailed(_log, ex.GetType().Name, ex.Message);
                return;
            }

            if (early is not null)
            {
                if (!early.Enrolled)
                {
                    NoteEarlyRejection();
                }

                if (early.Topic is not null && early.Payload is not null)
                {
                    e.AutoAcknowledge = false;
                    await HandOverAsync(early, e, _stopping.Token).ConfigureAwait(false);
                }

                return;
            }
        }

        // Acknowledged by the worker after the answer is committed and published (at-least-once).
        e.AutoAcknowledge = false;
        Interlocked.Increment(ref _toWorkers);
        await _queue.Writer.WriteAsync((e, passed), _stopping.Token).ConfigureAwait(false);
    }

    private async Task WorkAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var (e, passed) in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    // One dispatcher for both kinds of traffic: enrollment messages (past their in-memory checks),
                    // and device channel messages (issue 8).
                    var answer = passed is not null
                        ? await _handler.HandleAsync(passed, ct).ConfigureAwait(false)
                        : await _channel.HandleAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), ct).ConfigureAwait(false);
                    if (answer.Topic is not null && answer.Payload is not null)
                    {
                        // Acknowledged by the publisher once the answer's PUBACK is back (MqttLink.Publisher.cs).
                        await HandOverAsync(answer, e, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await e.AcknowledgeAsync(ct).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Not acknowledged: the broker redelivers it after the next reconnect, and the
                    // handler's EK_B record makes a redelivery of a committed message answer the same.
                    LogProcessingFailed(_log, ex.GetType().Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (_stopping.IsCancellationRequested || _clientOptions is null || !e.ClientWasConnected)
        {
            return Task.CompletedTask;
        }

        LogDisconnected(_log, e.Reason.ToString());
        _reconnect ??= Task.Run(ReconnectAsync);
        return Task.CompletedTask;
    }

    private async Task ReconnectAsync()
    {
        var delay = TimeSpan.FromMilliseconds(250);
        try
        {
            while (!_stopping.IsCancellationRequested && !_client.IsConnected)
            {
                try
                {
                    await ConnectAndSubscribeAsync(_stopping.Token).ConfigureAwait(false);
                    LogConnected(_log, BrokerHost, BrokerPort, SubscribedEnrollmentTopics);
                }
                catch (Exception e) when (IsConnectFailure(e) && !_stopping.IsCancellationRequested)
                {
                    LogReconnectFailed(_log, Describe(e), delay.TotalSeconds);
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 10_000));
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _reconnect = null;
        }
    }

    private static bool IsConnectFailure(Exception e) =>
        e is MqttCommunicationException or MqttProtocolViolationException or System.Net.Sockets.SocketException
            or System.Security.Authentication.AuthenticationException or InvalidOperationException or OperationCanceledException or IOException;

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "timed out",
        _ when e.InnerException is not null => e.Message + ": " + e.InnerException.Message,
        _ => e.Message,
    };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
            _answers.Writer.TryComplete();
            if (_publisher is { } p)
            {
                await p.ConfigureAwait(false);
            }
            if (_reconnect is { } r)
            {
                await r.ConfigureAwait(false);
            }

            _released.Writer.TryComplete();
            if (_releaser is { } released)
            {
                await released.ConfigureAwait(false);
            }

            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _client.Dispose();
            _stopping.Dispose();
            _inFlight.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port}, subscribed to {Topic} at QoS 1")]
    private static partial void LogConnected(ILogger logger, string host, int port, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection lost ({Reason}); reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT reconnect failed ({Reason}); next try in {Seconds} s")]
    private static partial void LogReconnectFailed(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message processing failed ({Type}: {Message}); left unacknowledged for redelivery")]
    private static partial void LogProcessingFailed(ILogger logger, string type, string message);
}
