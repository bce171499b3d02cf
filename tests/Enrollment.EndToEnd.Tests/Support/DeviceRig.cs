using Enrollment.Enrollee.Enrolling;
using Enrollment.Simulator;
using MQTTnet.Formatter;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// Simulated ESP32s (the firmware's enrollee core and protocol adapter with host adapters) on real
/// pseudo-terminals, run in-process so a test can watch their state and pick the moment of a fault; their
/// flash is a temp directory; their log lines are collected for failure messages.
/// </summary>
internal sealed class DeviceRig : IDisposable
{
    private readonly List<SimulatedDevice> _devices = [];

    public DeviceRig(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
    }

    public string Root { get; }

    public LogWriter Log { get; } = new();

    /// <summary>
    /// The device's timings are the ESP32's except where a simulator computes in milliseconds: retries and
    /// back-off are shortened so a test waits seconds, not the 10 s compute estimate.
    /// </summary>
    public static EnrolleeOptions FastRetries(int resultTimeoutMilliseconds = 30_000) => new()
    {
        BackoffBaseMilliseconds = 500,
        BackoffMaxMilliseconds = 2000,
        NetworkRetryMilliseconds = 300,
        ResultTimeoutMilliseconds = resultTimeoutMilliseconds,
    };

    public SimulatedDevice Add(string name, MqttProtocolVersion version = MqttProtocolVersion.V500, EnrolleeOptions? core = null,
        Action<SimulatedDevice>? onChange = null)
    {
        var device = new SimulatedDevice(new SimulatorOptions
        {
            Name = name,
            StateDirectory = Path.Combine(Root, name),
            MqttVersion = version,
            Core = core ?? FastRetries(),
            // Telemetry only when a test asks for it, so that no reading changes storage behind a test's back.
            TelemetryIntervalMilliseconds = 0,
        }, DeviceProtocol.Create(), Log);
        if (onChange != null)
        {
            device.Changed += onChange;
        }

        _devices.Add(device);
        device.Start();
        return device;
    }

    public void Dispose()
    {
        foreach (var d in _devices)
        {
            d.Dispose();
        }
    }
}

/// <summary>Collects the simulators' log lines (thread-safe).</summary>
internal sealed class LogWriter : StringWriter
{
    private readonly Lock _gate = new();

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return ToString();
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }
}
