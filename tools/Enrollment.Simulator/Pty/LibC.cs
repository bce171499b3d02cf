using System.Runtime.InteropServices;

namespace Enrollment.Simulator.Pty;

/// <summary>
/// The few libc calls a pseudo-terminal needs (POSIX.1-2008: posix_openpt, grantpt, unlockpt, ptsname;
/// termios(3): tcgetattr, tcsetattr, cfmakeraw, cfgetospeed). Linux (glibc) values for the constants.
/// </summary>
/// <remarks>
/// The termios structure is treated as an opaque buffer that only libc reads and writes (its layout
/// differs between C libraries and architectures), so no struct is declared here.
/// </remarks>
internal static partial class LibC
{
    private const string Library = "libc";

    public const int ORdWr = 0x2;
    public const int ONoCtty = 0x100;
    public const int ONonBlock = 0x800;
    public const int FGetFl = 3;
    public const int FSetFl = 4;
    public const int TcsaNow = 0;
    public const short PollIn = 0x1;

    public const int EIntr = 4;
    public const int EIO = 5;
    public const int EAgain = 11;

    /// <summary>Larger than struct termios on every Linux ABI (60 bytes on glibc x86-64 and arm64).</summary>
    public const int TermiosBufferSize = 256;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport(Library, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int NativePosixOpenPt(int flags);

    [LibraryImport(Library, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int NativeGrantPt(int fd);

    [LibraryImport(Library, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int NativeUnlockPt(int fd);

    [LibraryImport(Library, EntryPoint = "ptsname_r", SetLastError = true)]
    public static partial int NativePtsNameR(int fd, [Out] byte[] buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int NativeTcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport(Library, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int NativeTcSetAttr(int fd, int actions, [In] byte[] termios);

    [LibraryImport(Library, EntryPoint = "cfmakeraw")]
    public static partial void NativeCfMakeRaw([In, Out] byte[] termios);

    [LibraryImport(Library, EntryPoint = "cfgetospeed")]
    public static partial uint NativeCfGetOSpeed([In] byte[] termios);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int NativeFcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint NativeRead(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint NativeWrite(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int NativePoll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int NativeClose(int fd);
}
