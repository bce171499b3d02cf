using System.Diagnostics;
using System.IO.Ports;
using Enrollment.Enrollee.Ports;

namespace Enrollment.Tool.Serial;

/// <summary>
/// The core's <see cref="ISerialLink"/> over a System.IO.Ports serial port (a USB-UART adapter, or the
/// simulator's pseudo-terminal). A reader thread moves received bytes into a buffer that the link drains
/// without blocking, and signals the session loop, which therefore waits on data, not on a sleep.
/// A read or write error (the adapter unplugged, the pty closed) marks the port <see cref="Lost"/>.
/// </summary>
internal sealed class PortLink : ISerialLink, IDisposable
{
    /// <summary>How many of the first received bytes are kept to tell text from garbage.</summary>
    private const int SampleSize = 256;
    private readonly SerialPort _port;
    private readonly Lock _gate = new();
    private readonly byte[] _sample = new byte[SampleSize];
    private byte[] _pending = new byte[4096];
    private int _pendingCount;
    private readonly Thread _reader;
    private volatile bool _closing;
    private volatile string? _lostReason;

    private PortLink(SerialPort port, string path)
    {
        _port = port;
        Path = path;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "serial " + path };
        _reader.Start();
    }

    public string Path { get; }

    /// <summary>Set when data arrives or the port fails; the session loop waits on it.</summary>
    public SemaphoreSlim Signal { get; } = new(0, int.MaxValue);

    public long BytesReceived { get; private set; }

    /// <summary>Why the port failed, or null while it works.</summary>
    public string? Lost => _lostReason;

    public static PortLink Open(string path, int baud)
    {
        var port = new SerialPort(path, baud, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = 200,
            WriteTimeout = 2000,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            string why = !File.Exists(path) && !OperatingSystem.IsWindows() ? "no such port (see `enroll ports`)"
                : e is UnauthorizedAccessException
                ? "permission denied or in use by another program (on Linux, join the 'dialout' group)"
                : e.Message;
            throw new ToolFailure(ExitCode.PortUnavailable, "Cannot open " + path + ": " + why, e);
        }

        return new PortLink(port, path);
    }

    public int Read(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            int n = Math.Min(count, _pendingCount);
            if (n > 0)
            {
                Array.Copy(_pending, 0, buffer, offset, n);
                Array.Copy(_pending, n, _pending, 0, _pendingCount - n);
                _pendingCount -= n;
            }

            return n;
        }
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        if (_lostReason != null)
        {
            return;
        }

        try
        {
            _port.BaseStream.Write(buffer, offset, count);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or TimeoutException)
        {
            MarkLost(e.Message);
        }
    }

    /// <summary>The first bytes received, to tell a device that talks text from a garbled line.</summary>
    public ReadOnlySpan<byte> Sample => _sample.AsSpan(0, (int)Math.Min(BytesReceived, SampleSize));

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(3);

    public void Dispose()
    {
        _closing = true;
        try
        {
            // SerialPort.Close flushes, and on Unix that flush waits until the driver's output queue is
            // empty. A device that stopped reading (hung, paused, cable half out) never drains it, so the
            // close would spin forever. Whatever is still queued is for a device we are leaving anyway.
            if (_port.IsOpen)
            {
                _port.DiscardOutBuffer();
            }

            // Belt and braces: if the driver still will not let go, give up on the close after a bound
            // rather than hang the enroller (a stuck close leaks one background thread, not the tool).
            var close = Task.Run(_port.Close);
            if (!close.Wait(CloseTimeout))
            {
                Signal.Dispose();
                return;
            }
        }
        catch (AggregateException e) when (e.InnerException is IOException or InvalidOperationException)
        {
            // Already gone (unplugged) while closing.
        }
        catch (InvalidOperationException)
        {
            // The port closed under us (unplugged) between the check and the discard.
        }
        catch (IOException)
        {
            // Already gone (unplugged): nothing to close.
        }

        _reader.Join(TimeSpan.FromSeconds(2));
        _port.Dispose();
        Signal.Dispose();
    }

    private void ReadLoop()
    {
        var buffer = new byte[1024];
        while (!_closing)
        {
            int n;
            try
            {
                n = _port.BaseStream.Read(buffer, 0, buffer.Length);
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Any failure of the port (I/O error, disposed, driver gone) ends reading; the session reports it.
                if (!_closing)
                {
                    MarkLost(e.Message);
                }

                return;
            }

            if (n <= 0)
            {
                continue;
            }

            lock (_gate)
            {
                if (_pendingCount + n > _pending.Length)
                {
                    Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + n));
                }

                Array.Copy(buffer, 0, _pending, _pendingCount, n);
                _pendingCount += n;
                if (BytesReceived < SampleSize)
                {
                    int keep = (int)Math.Min(n, SampleSize - BytesReceived);
                    Array.Copy(buffer, 0, _sample, (int)BytesReceived, keep);
                }

                BytesReceived += n;
            }

            Release();
        }
    }

    private void MarkLost(string reason)
    {
        _lostReason ??= reason;
        Release();
    }

    private void Release()
    {
        try
        {
            Signal.Release();
        }
        catch (ObjectDisposedException)
        {
            // Closing.
        }
    }
}

/// <summary>The link's clock on the host.</summary>
internal sealed class HostClock : IClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public long NowMilliseconds => _watch.ElapsedMilliseconds;

    public long UnixTimeSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void Sleep(int milliseconds) => Thread.Sleep(milliseconds);
}
