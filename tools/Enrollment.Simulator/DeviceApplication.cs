using System.Globalization;
using System.Text;
using Enrollment.Enrollee;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;

namespace Enrollment.Simulator;

/// <summary>
/// The simulated device's application on top of the secure channel: a telemetry reading every
/// <see cref="SimulatorOptions.TelemetryIntervalMilliseconds"/> (and one on request), and a command handler
/// that prints what the service sent. A command whose text is <c>rekey</c>, <c>rotate</c> or <c>reboot</c>
/// is acted on after the acknowledgement; any other command is just shown and acknowledged as done.
/// Runs on the device thread only, like the ESP32 app's loop.
/// </summary>
internal sealed class DeviceApplication : ICommandHandler
{
    private readonly SimulatorOptions _options;
    private readonly ILog _log;
    private readonly byte[] _reading = new byte[128];
    private long _nextTelemetryAt;
    private int _sequence;

    public DeviceApplication(SimulatorOptions options, ILog log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>What a command asked for, done by the device loop once the command is acknowledged.</summary>
    public string? Pending { get; set; }

    /// <summary>Telemetry frames the service was sent (this run).</summary>
    public int TelemetrySent { get; private set; }

    /// <summary>Commands received (this run), as text.</summary>
    public List<string> Commands { get; } = [];

    public byte Handle(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] detail, out int detailLength)
    {
        string text = Printable(body, bodyOffset, bodyLength);
        lock (Commands)
        {
            Commands.Add(text);
        }

        _log.Info("app: command " + commandId.ToString(CultureInfo.InvariantCulture) + " received: " + text);
        if (text is "rekey" or "rotate" or "reboot")
        {
            Pending = text;
        }

        detailLength = Encoding.ASCII.GetBytes("ok", 0, 2, detail, 0);
        return CommandStatus.Done;
    }

    /// <summary>Sends a reading when one is due (or <paramref name="now"/> is forced); false if the channel is not ready.</summary>
    public bool Tick(EnrolleeCore core, long nowMilliseconds, bool force)
    {
        if (core.State != EnrolleeState.Enrolled || !core.ChannelReady)
        {
            return false;
        }

        bool due = _options.TelemetryIntervalMilliseconds > 0 && nowMilliseconds >= _nextTelemetryAt;
        if (!due && !force)
        {
            return false;
        }

        _nextTelemetryAt = nowMilliseconds + _options.TelemetryIntervalMilliseconds;
        _sequence++;
        string json = "{\"device\":\"" + core.DeviceId + "\",\"seq\":" + _sequence.ToString(CultureInfo.InvariantCulture)
            + ",\"uptime_ms\":" + nowMilliseconds.ToString(CultureInfo.InvariantCulture) + ",\"temperature\":21.5}";
        int count = Encoding.ASCII.GetBytes(json, 0, Math.Min(json.Length, _reading.Length), _reading, 0);
        if (!core.SendTelemetry(_reading, 0, count))
        {
            _log.Warn("app: telemetry " + _sequence.ToString(CultureInfo.InvariantCulture) + " not sent");
            return false;
        }

        TelemetrySent++;
        _log.Info("app: telemetry " + _sequence.ToString(CultureInfo.InvariantCulture) + " sent in epoch "
            + core.Epoch.ToString(CultureInfo.InvariantCulture) + ": " + json);
        return true;
    }

    private static string Printable(byte[] b, int offset, int count)
    {
        var span = b.AsSpan(offset, count);
        foreach (byte x in span)
        {
            if (x < 0x20 || x > 0x7E)
            {
                return "0x" + Convert.ToHexStringLower(span);
            }
        }

        return Encoding.ASCII.GetString(span);
    }
}
