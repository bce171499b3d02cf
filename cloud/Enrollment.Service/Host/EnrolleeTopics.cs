namespace Enrollment.Service.Host;

/// <summary>
/// With <c>Mqtt:RequestTopicPerEnrollee</c>, the request topics the service listens on: one per enrollee whose
/// approval has not expired (docs/protocol.md section 7, flags bit 1). The enroller API adds one at each
/// registration, maintenance drops the expired ones; <see cref="MqttLink"/> attaches itself here when it is
/// built and turns both into SUBSCRIBE and UNSUBSCRIBE packets (so the directory does not depend on the link,
/// which depends on the ingress). Without the option every call does nothing.
/// </summary>
internal sealed class EnrolleeTopics
{
    private IEnrolleeTopicSubscriber? _link;

    public void Attach(IEnrolleeTopicSubscriber link) => _link = link;

    /// <summary>An enroller approved this enrollee: listen on its request topic before the API answers.</summary>
    public Task AwaitAsync(byte[] eikHash, CancellationToken ct) => _link?.AwaitEnrolleeAsync(eikHash, ct) ?? Task.CompletedTask;

    /// <summary>A pending enrollee was deleted: stop listening on its request topic.</summary>
    public void Release(byte[] eikHash) => _link?.ReleaseEnrollee(eikHash);

    /// <summary>Listen on exactly the topics of enrollees whose approval has not expired.</summary>
    public Task SyncAsync(CancellationToken ct) => _link?.SyncEnrolleeTopicsAsync(ct) ?? Task.CompletedTask;
}

internal interface IEnrolleeTopicSubscriber
{
    Task AwaitEnrolleeAsync(byte[] eikHash, CancellationToken ct);

    void ReleaseEnrollee(byte[] eikHash);

    Task SyncEnrolleeTopicsAsync(CancellationToken ct);
}
