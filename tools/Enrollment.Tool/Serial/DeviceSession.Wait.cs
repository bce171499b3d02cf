using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;

namespace Enrollment.Tool.Serial;

internal sealed partial class DeviceSession
{
    /// <summary>Silence after which the enroller asks for a status, beyond what the device announced.</summary>
    private const int QuietMilliseconds = 10_000;

    /// <summary>
    /// Follows the device's Status messages (it sends one on every change) until it reports enrolled or a
    /// final failure. While it computes it cannot serve the link (Status.WaitSeconds says how long, the
    /// worst case on an ESP32 being about 12 s, DeviceTimings.ComputeWorstSeconds): the enroller stays quiet for that long before asking.
    /// </summary>
    public DeviceStatus WaitForOutcome(DeviceStatus last, TimeSpan timeout, Action<DeviceStatus> onStatus, CancellationToken ct)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        long askAt = Environment.TickCount64 + QuietMilliseconds + last.WaitSeconds * 1000L;
        while (true)
        {
            if (last.Code == StatusCode.Enrolled || last.State == EnrolleeState.Enrolled)
            {
                return last;
            }

            if (StatusCode.IsFinalFailure(last.Code) || last.State == EnrolleeState.Revoked)
            {
                throw new ToolFailure(ExitCode.EnrollmentFailed, "The device reported a final failure: " + last.CodeName
                    + (last.Code == StatusCode.RejectedUnknown ? " (the service does not know it: was its registration queued?)" : "") + ".");
            }

            if (Environment.TickCount64 >= deadline)
            {
                throw new ToolFailure(ExitCode.WaitTimedOut, "No final status from the device within " + timeout.TotalSeconds + " s; last: "
                    + last.StateName + " / " + last.CodeName + ". It keeps trying on its own.");
            }

            Pump(deadline, ct);
            if (_port.Lost != null)
            {
                throw new ToolFailure(ExitCode.LinkLost, "The port " + PortPath + " failed while following the device (" + _port.Lost
                    + "). The device has its bundle and goes on enrolling on its own.");
            }

            if (_failedSends.Remove(MessageType.StatusRequest))
            {
                throw new ToolFailure(ExitCode.LinkLost, "The device on " + PortPath + " stopped answering while enrolling (last: "
                    + last.StateName + " / " + last.CodeName + "). It has its bundle and goes on enrolling on its own.");
            }

            while (_inbox.TryDequeue(out var m))
            {
                var status = DecodeStatus(m);
                if (status != null)
                {
                    last = status;
                    onStatus(status);
                    askAt = Environment.TickCount64 + QuietMilliseconds + status.WaitSeconds * 1000L;
                }
            }

            if (Environment.TickCount64 >= askAt && _link.IsIdle)
            {
                _link.TrySend(MessageType.StatusRequest, _buffer, 0, 0);
                askAt = Environment.TickCount64 + QuietMilliseconds;
            }
        }
    }
}
