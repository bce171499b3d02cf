using Enrollment.Protocol.Session;

namespace Enrollment.Service.Devices;

internal sealed partial class ChannelService
{
    /// <summary>
    /// Called under the device's gate once a new epoch is committed (explicit or implicit confirmation,
    /// docs/session-protocol.md sections 6.2 and 7.5): every command not yet acknowledged goes down again, same
    /// command id, in a fresh frame under the new K_down. A device that rebooted resumes its old epoch without a
    /// replay window and acts on no command there (section 5), so a command sent during its boot rekey would
    /// otherwise never run; the id keeps a resend it already acted on idempotent (the device acknowledges it
    /// again). Bounded: the newest <c>Channel:CommandResendLimit</c>, and commands older than
    /// <c>Channel:CommandMaxAge</c> are marked expired instead. A failure here only logs: the epoch stands and
    /// the commands stay unacknowledged, so the next epoch resends them.
    /// </summary>
    private async Task ResendUnacknowledgedAsync(DeviceChannel device, CancellationToken ct)
    {
        try
        {
            var now = Now;
            var resend = await _store.TakeCommandsToResendAsync(device.DeviceId, now - (long)_options.CommandMaxAge.TotalMilliseconds,
                _options.CommandResendLimit, now, ct).ConfigureAwait(false);
            if (resend.Expired > 0)
            {
                LogCommandsExpired(_log, device.DeviceId, resend.Expired);
            }

            foreach (var command in resend.Commands)
            {
                if (!await SendCommandFrameAsync(device, command.CommandId, command.Body, "command_resend", ct).ConfigureAwait(false))
                {
                    return; // the epoch moved on (another instance): its own commit resends
                }

                LogCommandResent(_log, device.DeviceId, command.CommandId, device.Epoch);
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException
            or MQTTnet.Exceptions.MqttCommunicationException)
        {
            LogResendFailed(_log, device.DeviceId, device.Epoch, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandId} resent to device {DeviceId} in its new epoch {Epoch}")]
    private static partial void LogCommandResent(ILogger logger, string deviceId, uint commandId, uint epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} unacknowledged command(s) of device {DeviceId} expired instead of being resent")]
    private static partial void LogCommandsExpired(ILogger logger, string deviceId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resending the unacknowledged commands of device {DeviceId} in epoch {Epoch} failed ({Reason}); the next epoch resends them")]
    private static partial void LogResendFailed(ILogger logger, string deviceId, uint epoch, string reason);
}
