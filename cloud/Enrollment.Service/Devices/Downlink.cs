namespace Enrollment.Service.Devices;

/// <summary>Publishes to the broker through the service's MQTT client.</summary>
internal interface IMqttPublisher
{
    Task PublishAsync(string topic, byte[] payload, CancellationToken ct, bool reliable = true, bool retain = false);
}

/// <summary>
/// The service's way to reach devices (commands, revocation notices) without depending on the MQTT link
/// object itself, which depends on the channel handler: MqttLink attaches itself here when it is built.
/// </summary>
internal sealed class Downlink
{
    private IMqttPublisher? _publisher;

    public void Attach(IMqttPublisher publisher) => _publisher = publisher;

    public Task PublishAsync(string topic, byte[] payload, CancellationToken ct) =>
        Publisher.PublishAsync(topic, payload, ct);

    /// <summary>Removes the retained message of a topic: an empty retained PUBLISH (MQTT 3.1.1 section 3.3.1.3).</summary>
    public Task ClearRetainedAsync(string topic, CancellationToken ct) =>
        Publisher.PublishAsync(topic, [], ct, reliable: true, retain: true);

    private IMqttPublisher Publisher => _publisher ?? throw new InvalidOperationException("The MQTT link is not running.");
}
