using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;

namespace Enrollment.Service.Host;

/// <summary>
/// Answers leave the workers' critical path: a worker hands (answer, incoming message) to one publisher task and
/// takes the next message. MQTTnet 5's PublishAsync at QoS 1 sends the PUBLISH and then awaits its PUBACK
/// (MQTT 3.1.1 section 4.3.2); awaiting that round trip in the worker serialised every enrollment on the
/// broker's acknowledgement. The publisher starts publishes in hand-over order without awaiting each one (up to
/// <see cref="MaxPublishesInFlight"/>, each with its own packet identifier) and acknowledges the incoming
/// message only when its answer's PUBACK has come back, so at-least-once is unchanged: the result is committed
/// before it is handed over, and a publish lost in a crash leaves the incoming message unacknowledged; the
/// broker redelivers it (persistent session) and the handler answers from the stored result.
/// </summary>
internal sealed partial class MqttLink
{
    /// <summary>Bounds the unacknowledged results (and their incoming messages) held in memory.</summary>
    internal const int MaxPublishesInFlight = 256;

    private readonly Channel<(IngressAnswer Answer, MqttApplicationMessageReceivedEventArgs Incoming)> _answers =
        Channel.CreateBounded<(IngressAnswer, MqttApplicationMessageReceivedEventArgs)>(new BoundedChannelOptions(1024) { SingleReader = true });

    private readonly SemaphoreSlim _inFlight = new(MaxPublishesInFlight, MaxPublishesInFlight);
    private Task? _publisher;

    private ValueTask HandOverAsync(IngressAnswer answer, MqttApplicationMessageReceivedEventArgs incoming, CancellationToken ct) =>
        _answers.Writer.WriteAsync((answer, incoming), ct);

    private async Task PublishAnswersAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var (answer, incoming) in _answers.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await _inFlight.WaitAsync(ct).ConfigureAwait(false);
                var retain = RetainsResult(answer);
                var message = BuildMessage(answer.Topic!, answer.Payload!, answer.Reliable, retain);
                Task publish;
                try
                {
                    // Starts the send now (MQTTnet queues packets on its send lock in call order); only the
                    // PUBACK wait is left to the continuation.
                    publish = _client.PublishAsync(message, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    publish = Task.FromException(e);
                }

                _ = AcknowledgeAfterAsync(publish, incoming, retain ? answer.EnrolledId : null, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        // Let the publishes in flight finish (or fail on the cancelled token) before the client is disposed.
        for (var i = 0; i < MaxPublishesInFlight; i++)
        {
            await _inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task AcknowledgeAfterAsync(Task publish, MqttApplicationMessageReceivedEventArgs incoming, byte[]? retainedFor, CancellationToken ct)
    {
        try
        {
            await publish.ConfigureAwait(false);
            await incoming.AcknowledgeAsync(ct).ConfigureAwait(false);
            if (retainedFor is not null)
            {
                // The broker holds the result for the device now: stop listening on its request topic (the wildcard,
                // when held, still brings copies; under a flood the broker drops them). The topic follows from the
                // authenticated Hash(EIK_B), not from the topic the message came in on, which the sender chose.
                _released.Writer.TryWrite(retainedFor);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Not acknowledged: redelivered after the next reconnect and answered from the stored result.
            LogProcessingFailed(_log, ex.GetType().Name, ex.Message);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
