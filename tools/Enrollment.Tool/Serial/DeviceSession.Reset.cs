using Enrollment.Enrollee.Messages;

namespace Enrollment.Tool.Serial;

internal sealed partial class DeviceSession
{
    /// <summary>
    /// FactoryReset confirmed by the device's own enrollee id (docs/serial-protocol.md, FactoryReset): the
    /// device erases its keys, bundle and settings and answers FactoryResetAck, then makes a new identity.
    /// </summary>
    public void FactoryReset(DeviceInfo device, TimeSpan timeout, CancellationToken ct)
    {
        var message = new FactoryResetMessage();
        byte[] id = Convert.FromHexString(device.EnrolleeId);
        id.CopyTo(message.EnrolleeId, 0);
        message.EnrolleeIdLength = id.Length;
        int n = message.Encode(_buffer, 0);
        _link.TrySend(MessageType.FactoryReset, _buffer, 0, n);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var error = new ErrorMessage();
        while (Environment.TickCount64 < deadline)
        {
            Pump(deadline, ct);
            if (_port.Lost != null || _failedSends.Remove(MessageType.FactoryReset))
            {
                throw new ToolFailure(ExitCode.LinkLost, "The device on " + PortPath + " stopped answering during the factory reset.");
            }

            while (_inbox.TryDequeue(out var m))
            {
                if (m.Type == MessageType.FactoryResetAck && m.Payload.Length == 1 && m.Payload[0] == 0)
                {
                    return;
                }

                if (m.Type == MessageType.Error && error.TryDecode(m.Payload, 0, m.Payload.Length) && error.About == MessageType.FactoryReset)
                {
                    throw new ToolFailure(ExitCode.DeviceRefused, "The device refused the factory reset: " + ErrorName(error.Code) + ".");
                }
            }
        }

        throw new ToolFailure(ExitCode.LinkLost, "The device on " + PortPath + " did not confirm the factory reset within " + timeout.TotalSeconds + " s.");
    }
}
