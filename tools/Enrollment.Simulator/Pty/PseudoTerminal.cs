using System.Runtime.InteropServices;
using System.Text;

namespace Enrollment.Simulator.Pty;

/// <summary>
/// A Unix98 pseudo-terminal pair (posix_openpt(3)). The simulator keeps the master side; the slave side
/// (<see cref="SlavePath"/>, e.g. /dev/pts/7) is what the enroller opens with System.IO.Ports, exactly as it
/// opens a USB-UART adapter's /dev/ttyUSB0.
/// </summary>
/// <remarks>
/// The line is put in raw mode (cfmakeraw(3): no echo, no CR/LF translation, 8 data bits) so that binary
/// frames pass untouched. termios calls on a Linux pty master act on the slave's settings, which is also
/// how the simulator sees the baud rate the enroller configured (<see cref="ReadOutputSpeed"/>).
/// The master is non-blocking: a device never blocks on its UART.
/// </remarks>
internal sealed class PseudoTerminal : IDisposable
{
    private const short PollHup = 0x10;
    private int _fd;

    private PseudoTerminal(int fd, string slavePath)
    {
        _fd = fd;
        SlavePath = slavePath;
    }

    public string SlavePath { get; }

    public bool IsOpen => Volatile.Read(ref _fd) >= 0;

    public static PseudoTerminal Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The simulator's pseudo-terminal needs Linux (posix_openpt).");
        }

        int fd = LibC.NativePosixOpenPt(LibC.ORdWr | LibC.ONoCtty);
        Check(fd, "posix_openpt");
        try
        {
            Check(LibC.NativeGrantPt(fd), "grantpt");
            Check(LibC.NativeUnlockPt(fd), "unlockpt");
            var name = new byte[128];
            Check(LibC.NativePtsNameR(fd, name, (nuint)name.Length), "ptsname_r");
            var path = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));

            var termios = new byte[LibC.TermiosBufferSize];
            Check(LibC.NativeTcGetAttr(fd, termios), "tcgetattr");
            LibC.NativeCfMakeRaw(termios);
            Check(LibC.NativeTcSetAttr(fd, LibC.TcsaNow, termios), "tcsetattr");

            int flags = LibC.NativeFcntl(fd, LibC.FGetFl, 0);
            Check(flags, "fcntl(F_GETFL)");
            Check(LibC.NativeFcntl(fd, LibC.FSetFl, flags | LibC.ONonBlock), "fcntl(F_SETFL)");
            return new PseudoTerminal(fd, path);
        }
        catch
        {
            _ = LibC.NativeClose(fd);
            throw;
        }
    }

    /// <summary>Bytes the enroller sent; 0 when none are waiting or no one has the slave open.</summary>
    public unsafe int Read(byte[] buffer, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - offset);
        int fd = Volatile.Read(ref _fd);
        if (fd < 0 || count == 0)
        {
            return 0;
        }

        fixed (byte* p = &buffer[offset])
        {
            while (true)
            {
                nint n = LibC.NativeRead(fd, p, count);
                if (n >= 0)
                {
                    return (int)n;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EIntr)
                {
                    continue;
                }

                // EAGAIN: nothing waiting. EIO: the slave was closed (no enroller attached), like a UART
                // with no cable: no bytes arrive.
                if (errno == LibC.EAgain || errno == LibC.EIO)
                {
                    return 0;
                }

                throw new IOException("read on the pty master failed: errno " + errno);
            }
        }
    }

    /// <summary>
    /// Sends bytes to the enroller. When no one reads the slave and its input queue is full, the rest is
    /// dropped, as a UART's bytes are lost when nothing listens on the other end.
    /// </summary>
    public unsafe void Write(byte[] buffer, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - offset);
        int fd = Volatile.Read(ref _fd);
        if (fd < 0 || count == 0)
        {
            return;
        }

        fixed (byte* p = &buffer[offset])
        {
            int done = 0;
            while (done < count)
            {
                nint n = LibC.NativeWrite(fd, p + done, count - done);
                if (n > 0)
                {
                    done += (int)n;
                    continue;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == LibC.EIntr)
                {
                    continue;
                }

                return;
            }
        }
    }

    /// <summary>Waits until bytes arrive or the timeout passes (poll(2)); the device loop's idle wait.</summary>
    public unsafe void WaitReadable(int timeoutMilliseconds)
    {
        int fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            Thread.Sleep(timeoutMilliseconds);
            return;
        }

        var pfd = new LibC.PollFd { Fd = fd, Events = LibC.PollIn };
        int r = LibC.NativePoll(&pfd, 1, timeoutMilliseconds);
        if (r > 0 && (pfd.REvents & LibC.PollIn) == 0 && (pfd.REvents & PollHup) != 0)
        {
            // No slave open: poll reports a hang-up at once; wait out the period instead of spinning.
            Thread.Sleep(timeoutMilliseconds);
        }
    }

    /// <summary>The output speed the enroller set on the slave, as a termios Bxxx code (0 if unknown).</summary>
    public uint ReadOutputSpeed()
    {
        int fd = Volatile.Read(ref _fd);
        var termios = new byte[LibC.TermiosBufferSize];
        if (fd < 0 || LibC.NativeTcGetAttr(fd, termios) != 0)
        {
            return 0;
        }

        return LibC.NativeCfGetOSpeed(termios);
    }

    /// <summary>Closes the master: the enroller's port reads fail as when a USB adapter is unplugged.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.NativeClose(fd);
        }
    }

    private static void Check(int result, string call)
    {
        if (result < 0)
        {
            throw new IOException(call + " failed: errno " + Marshal.GetLastPInvokeError());
        }
    }
}
