namespace Enrollment.Service.Devices;

/// <summary>Publishes to the broker through the service's MQTT client.</summary>
internal interface IMqttPublisher
{
    Task PublishAsync(string topic, byte[] payload, CancellationToken ct, bool reliable = true);
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
        (_publisher ?? throw new InvalidOperationException("The MQTT link is not running.")).PublishAsync(topic, payload, ct);
}
