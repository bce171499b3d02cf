using Enrollment.Enrollee;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.State;
using Enrollment.Simulator.Adapters;
using Enrollment.Simulator.Pty;

namespace Enrollment.Simulator;

/// <summary>
/// One simulated enrollee: the portable core (<see cref="EnrolleeCore"/>) with host adapters, run on its
/// own thread like the ESP32's main loop. Its UART is the master side of a pseudo-terminal; the enroller opens
/// <see cref="PortPath"/>.
/// </summary>
internal sealed class SimulatedDevice : IDisposable
{
    private readonly SimulatorOptions _options;
    private readonly PseudoTerminal _pty;
    private readonly PtySerialLink _serial;
    private readonly MqttNetLink _mqtt;
    private readonly EnrolleePorts _ports;
    private readonly IEnrolleeProtocol _protocol;
    private readonly DeviceApplication _app;
    private readonly HostClock _clock = new();
    private EnrolleeCore _core;
    private readonly ConsoleLog _log;
    private volatile bool _sendNow;
    private volatile bool _reboot;
    private volatile bool _rotate;
    private volatile bool _rekey;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private volatile bool _paused;
    private volatile bool _unplug;
    private volatile byte _state;
    private volatile byte _code;

    public SimulatedDevice(SimulatorOptions options, IEnrolleeProtocol protocol, TextWriter logWriter)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = new ConsoleLog(logWriter, options.Name);
        _pty = PseudoTerminal.Open();
        try
        {
            _serial = new PtySerialLink(_pty, options.BaudRate);
            _mqtt = new MqttNetLink(options.MqttVersion, _log);
            _ports = new EnrolleePorts(_serial, _mqtt, new AtomicFileStorage(new DirectoryFileSystem(options.StateDirectory)),
                _clock, new HostEntropy(), new SimulatedWifi(_log), _log);
            _protocol = protocol;
            _app = new DeviceApplication(options, _log);
            _core = NewCore();
        }
        catch
        {
            _pty.Dispose();
            throw;
        }
    }

    /// <summary>The serial port the enroller opens (the pty's slave, e.g. /dev/pts/7).</summary>
    public string PortPath => _pty.SlavePath;

    public string Name => _options.Name;

    /// <summary>The persisted state (<see cref="EnrolleeState"/>), as of the loop's last step.</summary>
    public byte State => _state;

    /// <summary>The status code (<see cref="StatusCode"/>), as of the loop's last step.</summary>
    public byte Code => _code;

    /// <summary>Telemetry frames sent since the simulator started.</summary>
    public int TelemetrySent => _app.TelemetrySent;

    /// <summary>Commands received from the service since the simulator started (their text, or hex).</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_app.Commands)
            {
                return _app.Commands.ToArray();
            }
        }
    }

    /// <summary>Sends one telemetry reading at the next loop iteration (if the channel is ready).</summary>
    public void SendTelemetryNow() => _sendNow = true;

    /// <summary>
    /// A power cycle at the next loop iteration: the core and its RAM (session keys, replay windows) are
    /// dropped, the MQTT session with them; flash and the serial cable stay. The new core rekeys at boot.
    /// </summary>
    public void Reboot() => _reboot = true;

    /// <summary>Starts an identity rotation at the next loop iteration.</summary>
    public void RotateIdentity() => _rotate = true;

    /// <summary>Starts a rekey (reason "requested") at the next loop iteration.</summary>
    public void RequestRekey() => _rekey = true;

    /// <summary>Raised on the device thread whenever the state or code changes.</summary>
    public event Action<SimulatedDevice>? Changed;

    public void Start()
    {
        if (_thread != null)
        {
            throw new InvalidOperationException("already started");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "sim " + _options.Name };
        _thread.Start();
    }

    /// <summary>The device stops serving its UART (a hung or busy device): frames go unacknowledged.</summary>
    public void Pause() => _paused = true;

    public void Resume() => _paused = false;

    /// <summary>
    /// Closes the pty master: the enroller's port fails as when a USB-UART cable is pulled out. The device
    /// thread closes it at its next iteration, never while it is reading or writing the descriptor (a
    /// descriptor closed under a read could be reused by another file).
    /// </summary>
    public void Unplug() => _unplug = true;

    public void Dispose()
    {
        _stop.Cancel();
        // One loop iteration is bounded (poll period, MQTT calls time out after 10 s).
        _thread?.Join(TimeSpan.FromSeconds(15));
        _mqtt.Dispose();
        _pty.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        _core.Boot();
        Publish();
        while (!_stop.IsCancellationRequested)
        {
            if (_unplug)
            {
                _pty.Dispose();
            }

            if (!_paused)
            {
                try
                {
                    _core.Step();
                    StepApplication();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A fault in one simulated device (its flash directory removed under it, say) must not
                    // take down the process that hosts the others; the ESP32's watchdog would reboot it.
                    _log.Error("device fault: " + e.GetType().Name + ": " + e.Message);
                }

                Publish();
            }

            _pty.WaitReadable(_options.PollMilliseconds);
        }
    }

    private EnrolleeCore NewCore()
    {
        var core = new EnrolleeCore(_ports, _protocol, _options.Core);
        core.SetCommandHandler(_app);
        return core;
    }

    private void StepApplication()
    {
        string? asked = _app.Pending;
        _app.Pending = null;
        if (_reboot || asked == "reboot")
        {
            _reboot = false;
            _log.Warn("simulated reboot: RAM lost, flash kept");
            _mqtt.Disconnect();
            _ports.Wifi.Disconnect();
            _core = NewCore();
            _core.Boot();
            return;
        }

        if (_rekey || asked == "rekey")
        {
            _rekey = false;
            _core.RequestRekey();
        }

        if (_rotate || asked == "rotate")
        {
            _rotate = false;
            if (!_core.RotateIdentity())
            {
                _log.Warn("app: identity rotation not started (channel not ready, or one is pending)");
            }
        }

        bool force = _sendNow;
        _sendNow = false;
        _app.Tick(_core, _clock.NowMilliseconds, force);
    }

    private void Publish()
    {
        byte state = _core.State;
        byte code = _core.Code;
        if (state == _state && code == _code)
        {
            return;
        }

        _state = state;
        _code = code;
        Changed?.Invoke(this);
    }
}
