using System.Diagnostics;
using System.Security.Cryptography;
using Enrollment.Enrollee.Ports;

namespace Enrollment.Simulator.Adapters;

/// <summary>Monotonic time from <see cref="Stopwatch"/>; the host always knows the wall clock.</summary>
internal sealed class HostClock : IClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public long NowMilliseconds => _watch.ElapsedMilliseconds;

    public long UnixTimeSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void Sleep(int milliseconds) => Thread.Sleep(milliseconds);
}

/// <summary>The operating system's CSPRNG: truly random from the start (unlike the ESP32 before its radio is on).</summary>
internal sealed class HostEntropy : IEntropy
{
    public bool IsTrulyRandom => true;

    public void Fill(byte[] buffer, int offset, int count) => RandomNumberGenerator.Fill(buffer.AsSpan(offset, count));
}

/// <summary>
/// The simulated station interface: the host's own network stands in for the access point, so joining
/// always succeeds. Only the SSID is logged; the password is never turned into a string.
/// </summary>
internal sealed class SimulatedWifi : IWifi
{
    private readonly ILog _log;
    private volatile bool _connected;

    public SimulatedWifi(ILog log) => _log = log;

    public bool IsConnected => _connected;

    public bool Connect(byte[] ssid, int ssidCount, byte[] password, int passwordCount, int timeoutMilliseconds)
    {
        _log.Info("wifi: joined \"" + System.Text.Encoding.UTF8.GetString(ssid, 0, ssidCount) + "\" (simulated; host network)");
        _connected = true;
        return true;
    }

    public void Disconnect() => _connected = false;
}

/// <summary>Log lines on a shared writer, one per call, prefixed with the time and the device's name.</summary>
internal sealed class ConsoleLog : ILog
{
    private static readonly Lock Gate = new();
    private readonly TextWriter _writer;
    private readonly string _prefix;

    public ConsoleLog(TextWriter writer, string deviceName)
    {
        _writer = writer;
        _prefix = deviceName;
    }

    public void Info(string line) => Write("info ", line);

    public void Warn(string line) => Write("warn ", line);

    public void Error(string line) => Write("error", line);

    private void Write(string level, string line)
    {
        lock (Gate)
        {
            _writer.WriteLine(DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)
                + " " + _prefix + " " + level + " " + line);
            _writer.Flush();
        }
    }
}
