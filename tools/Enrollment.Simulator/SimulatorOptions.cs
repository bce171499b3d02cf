using MQTTnet.Formatter;

namespace Enrollment.Simulator;

/// <summary>Settings of one simulated device; validated when set (STYLE.md item 7).</summary>
internal sealed class SimulatorOptions
{
    private int _baudRate = 115200;
    private int _pollMilliseconds = Enrollee.Enrolling.DeviceTimings.PollIntervalMilliseconds;
    private int _telemetryInterval = 10_000;

    /// <summary>The device's flash: one directory per device.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Shown in log lines, to tell devices apart.</summary>
    public string Name { get; init; } = "device";

    /// <summary>The device's fixed UART speed; an enroller at another speed sees garbage.</summary>
    public int BaudRate
    {
        get => _baudRate;
        init
        {
            _ = Adapters.PtySerialLink.SpeedCode(value);
            _baudRate = value;
        }
    }

    public MqttProtocolVersion MqttVersion { get; init; } = MqttProtocolVersion.V500;

    /// <summary>
    /// How long the device loop waits for serial bytes between steps. The ESP32 polls every 20 ms
    /// (DeviceTimings); the simulator wakes at once when bytes arrive (poll(2)), so this only bounds the
    /// timer resolution.
    /// </summary>
    public int PollMilliseconds
    {
        get => _pollMilliseconds;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _pollMilliseconds = value;
        }
    }

    /// <summary>Once enrolled, a telemetry reading goes up this often; 0 = only on request.</summary>
    public int TelemetryIntervalMilliseconds
    {
        get => _telemetryInterval;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _telemetryInterval = value;
        }
    }

    /// <summary>Core settings (timeouts, back-off); the device defaults unless a test shortens them.</summary>
    public Enrollee.Enrolling.EnrolleeOptions Core { get; init; } = new();
}
