using Enrollment.Enrollee;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;

namespace Enrollment.Esp32
{
    /// <summary>
    /// The application on top of the secure channel: a telemetry reading every
    /// <see cref="DeviceConfig.TelemetryIntervalMilliseconds"/> once enrolled, and a command handler. Replace
    /// the reading and the commands with the product's own; the channel (keys, counters, rekeys, revocation)
    /// stays in the core. Runs on the main loop's thread; the reading buffer is reused, so the loop does not
    /// allocate (the M2Mqtt adapter copies each frame once, because M2Mqtt keeps QoS 1 messages for resending).
    /// </summary>
    internal sealed class DeviceApplication : ICommandHandler
    {
        private readonly EnrolleeCore _core;
        private readonly ILog _log;
        private readonly byte[] _reading = new byte[32];
        private long _nextAt;
        private uint _sequence;
        private bool _rekeyAsked;

        public DeviceApplication(EnrolleeCore core, ILog log)
        {
            _core = core;
            _log = log;
        }

        /// <summary>
        /// Commands of this sample: "rekey" (a fresh epoch now) and "ping"; anything else is unsupported. The
        /// core acknowledges with the returned status and never calls twice for one command id.
        /// </summary>
        public byte Handle(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] detail, out int detailLength)
        {
            detailLength = 0;
            if (Is(body, bodyOffset, bodyLength, "ping"))
            {
                detail[0] = (byte)'p';
                detail[1] = (byte)'o';
                detail[2] = (byte)'n';
                detail[3] = (byte)'g';
                detailLength = 4;
                return CommandStatus.Done;
            }

            if (Is(body, bodyOffset, bodyLength, "rekey"))
            {
                _rekeyAsked = true; // after the acknowledgement, from Step
                return CommandStatus.Done;
            }

            return CommandStatus.Unsupported;
        }

        /// <summary>Called from the main loop after <see cref="EnrolleeCore.Step"/>.</summary>
        public void Step(long nowMilliseconds)
        {
            if (_rekeyAsked)
            {
                _rekeyAsked = false;
                _core.RequestRekey();
            }

            if (_core.State != EnrolleeState.Enrolled || !_core.ChannelReady || nowMilliseconds < _nextAt)
            {
                return;
            }

            _nextAt = nowMilliseconds + DeviceConfig.TelemetryIntervalMilliseconds;
            _sequence++;

            // A fixed binary reading: sequence (4) || uptime in ms (8). The service stores telemetry opaquely.
            WriteUInt32(_reading, 0, _sequence);
            WriteUInt32(_reading, 4, (uint)(nowMilliseconds >> 32));
            WriteUInt32(_reading, 8, (uint)nowMilliseconds);
            if (!_core.SendTelemetry(_reading, 0, 12))
            {
                _log.Warn("app: telemetry not sent");
            }
        }

        private static bool Is(byte[] b, int offset, int count, string text)
        {
            if (count != text.Length)
            {
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                if (b[offset + i] != (byte)text[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static void WriteUInt32(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)(value >> 24);
            b[offset + 1] = (byte)(value >> 16);
            b[offset + 2] = (byte)(value >> 8);
            b[offset + 3] = (byte)value;
        }
    }
}
