using Enrollment.Enrollee.Ports;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>Simulated monotonic time: nothing moves unless a test advances it (or the code sleeps).</summary>
internal sealed class FakeClock : IClock
{
    public long NowMilliseconds { get; private set; } = 1_000;

    /// <summary>0 = the device does not know the time (no SNTP yet).</summary>
    public long UnixTimeSeconds { get; set; }

    public void Sleep(int milliseconds) => NowMilliseconds += milliseconds;

    public void Advance(long milliseconds) => NowMilliseconds += milliseconds;
}

internal sealed class FakeEntropy : IEntropy
{
    private readonly Random _random;

    public FakeEntropy(int seed, bool trulyRandom = true)
    {
        _random = new Random(seed);
        IsTrulyRandom = trulyRandom;
    }

    public bool IsTrulyRandom { get; set; }

    public void Fill(byte[] buffer, int offset, int count) => _random.NextBytes(buffer.AsSpan(offset, count));
}

internal sealed class FakeWifi : IWifi
{
    public bool Up { get; set; } = true;
    public int Connects { get; private set; }
    public byte[]? LastPassword { get; private set; }

    public bool IsConnected { get; private set; }

    public bool Connect(byte[] ssid, int ssidCount, byte[] password, int passwordCount, int timeoutMilliseconds)
    {
        Connects++;
        LastPassword = password.AsSpan(0, passwordCount).ToArray();
        IsConnected = Up;
        return Up;
    }

    public void Disconnect() => IsConnected = false;
}

/// <summary>Keeps every log line so tests can read them (and prove no secret appears).</summary>
internal sealed class ListLog : Enrollment.Enrollee.Ports.ILog
{
    public List<string> Lines { get; } = new();

    public void Info(string line) => Lines.Add("I " + line);

    public void Warn(string line) => Lines.Add("W " + line);

    public void Error(string line) => Lines.Add("E " + line);

    public string All => string.Join("\n", Lines);
}
