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
    private readonly EnrolleeCore _core;
    private readonly ConsoleLog _log;
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
            var ports = new EnrolleePorts(_serial, _mqtt, new AtomicFileStorage(new DirectoryFileSystem(options.StateDirectory)),
                new HostClock(), new HostEntropy(), new SimulatedWifi(_log), _log);
            _core = new EnrolleeCore(ports, protocol, options.Core);
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
