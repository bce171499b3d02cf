using System.Text.Json;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Host;

/// <summary>The default sink: one structured log line per lifecycle event.</summary>
internal sealed partial class LogEventSink : IEventSink
{
    private readonly ILogger<LogEventSink> _log;

    public LogEventSink(ILogger<LogEventSink> log) => _log = log;

    public ValueTask PublishAsync(LifecycleEvent e, CancellationToken ct)
    {
        LogEvent(_log, e.Type, e.EnrolleeId, e.DeviceId, e.Actor);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifecycle event {EventType} enrollee {EnrolleeId} device {DeviceId} by {Actor}")]
    private static partial void LogEvent(ILogger logger, string eventType, string enrolleeId, string? deviceId, string actor);
}

/// <summary>
/// Azure Event Hubs sink (Enrollment:Events:Sink = EventHubs). Events are JSON bodies; a failed send is
/// logged and does not fail the enrollment (the audit table in the database is the record of truth).
/// This environment cannot reach Azure, so only the selection is tested; the send path is the SDK's.
/// </summary>
internal sealed partial class EventHubsEventSink : IEventSink, IAsyncDisposable
{
    private readonly EventHubProducerClient _producer;
    private readonly ILogger<EventHubsEventSink> _log;

    public EventHubsEventSink(string connectionString, string? eventHubName, ILogger<EventHubsEventSink> log)
    {
        _producer = string.IsNullOrEmpty(eventHubName)
            ? new EventHubProducerClient(connectionString)
            : new EventHubProducerClient(connectionString, eventHubName);
        _log = log;
    }

    public string EventHubName => _producer.EventHubName;

    public async ValueTask PublishAsync(LifecycleEvent e, CancellationToken ct)
    {
        try
        {
            var data = new EventData(JsonSerializer.SerializeToUtf8Bytes(e)) { ContentType = "application/json" };
            await _producer.SendAsync([data], ct).ConfigureAwait(false);
        }
        catch (EventHubsException ex)
        {
            LogSendFailed(_log, e.Type, ex.Reason.ToString(), ex.IsTransient);
        }
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hubs send of {EventType} failed: {Reason} (transient: {Transient})")]
    private static partial void LogSendFailed(ILogger logger, string eventType, string reason, bool transient);
}

internal static class EventSinkFactory
{
    public static IEventSink Create(EventOptions options, ILoggerFactory loggers) => options.Sink switch
    {
        EventSinkKind.EventHubs => new EventHubsEventSink(options.EventHubsConnectionString!, options.EventHubName,
            loggers.CreateLogger<EventHubsEventSink>()),
        _ => new LogEventSink(loggers.CreateLogger<LogEventSink>()),
    };
}
