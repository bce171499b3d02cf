namespace Enrollment.Service.Domain;

/// <summary>A lifecycle event (enrollee pending, enrolled, expired, deleted, revoked) for downstream systems. Never carries a secret.</summary>
internal sealed record LifecycleEvent(string Type, string EnrolleeId, string? DeviceId, string Actor, DateTimeOffset At);

/// <summary>Where lifecycle events go: the log by default, Azure Event Hubs when configured.</summary>
internal interface IEventSink
{
    ValueTask PublishAsync(LifecycleEvent e, CancellationToken ct);
}
