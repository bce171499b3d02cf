namespace Enrollment.Service.Devices;

/// <summary>
/// With per-enrollee request topics the sealed result of an enrollment stays retained at the broker, so that a
/// device whose result was lost reads it when it subscribes again (docs/protocol.md section 14). The device's
/// first authenticated message on its channel (an up frame of epoch 0, or a completed rekey) proves it has
/// the result: then the retained copy is cleared, once per device; so it is when a device never heard from is
/// revoked. A failed clear is logged and tried again at the device's next message. Clearing a topic that
/// holds nothing (a device enrolled on the shared topic) is harmless: one empty publish in the device's life.
/// </summary>
internal sealed partial class ChannelService
{
    private async Task ForgetRetainedResultAsync(DeviceChannel device, CancellationToken ct)
    {
        if (device.RetainedResultOf is not { } eikHash)
        {
            return;
        }

        device.RetainedResultOf = null;
        try
        {
            await _downlink.ClearRetainedAsync(_mqtt.ResultTopicOf(eikHash), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            device.RetainedResultOf = eikHash;
            LogRetainedResultNotCleared(_log, device.DeviceId, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retained enrollment result of {DeviceId} not cleared ({Reason}); tried again at its next message")]
    private static partial void LogRetainedResultNotCleared(ILogger logger, string deviceId, string reason);
}
