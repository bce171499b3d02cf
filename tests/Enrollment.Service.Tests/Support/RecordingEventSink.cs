using System.Collections.Concurrent;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Tests.Support;

/// <summary>Keeps every lifecycle event the service publishes (registered before the service's own sink, which then yields).</summary>
internal sealed class RecordingEventSink : IEventSink
{
    private readonly ConcurrentQueue<LifecycleEvent> _events = new();

    public IReadOnlyList<LifecycleEvent> Events => [.. _events];

    public ValueTask PublishAsync(LifecycleEvent e, CancellationToken ct)
    {
        _events.Enqueue(e);
        return ValueTask.CompletedTask;
    }
}
