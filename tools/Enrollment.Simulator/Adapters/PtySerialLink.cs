using Enrollment.Enrollee.Ports;
using Enrollment.Simulator.Pty;

namespace Enrollment.Simulator.Adapters;

/// <summary>
/// The device's UART on a pseudo-terminal, with the one UART behaviour a pty lacks: a fixed line speed.
/// A real UART at the wrong baud rate receives garbage; a pty passes bytes at any speed. So the simulated
/// device reads the speed the enroller set on the slave (termios c_ospeed) and, when it differs from the
/// device's own, garbles every byte both ways, as a mis-clocked receiver would.
/// </summary>
internal sealed class PtySerialLink : ISerialLink
{
    private readonly PseudoTerminal _pty;
    private readonly uint _speedCode;
    private uint _garble = 0x9E3779B9;

    public PtySerialLink(PseudoTerminal pty, int baudRate)
    {
        _pty = pty;
        _speedCode = SpeedCode(baudRate);
    }

    /// <summary>True while the enroller's line speed differs from the device's.</summary>
    public bool SpeedMismatch { get; private set; }

    public int Read(byte[] buffer, int offset, int count)
    {
        int n = _pty.Read(buffer, offset, count);
        if (n > 0 && CheckMismatch())
        {
            Garble(buffer, offset, n);
        }

        return n;
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        if (count > 0 && CheckMismatch())
        {
            var copy = new byte[count];
            Array.Copy(buffer, offset, copy, 0, count);
            Garble(copy, 0, count);
            _pty.Write(copy, 0, count);
            return;
        }

        _pty.Write(buffer, offset, count);
    }

    /// <summary>The Linux termios Bxxx code of a standard rate (asm-generic/termbits.h).</summary>
    public static uint SpeedCode(int baudRate) => baudRate switch
    {
        9600 => 0x0D,
        19200 => 0x0E,
        38400 => 0x0F,
        57600 => 0x1001,
        115200 => 0x1002,
        230400 => 0x1003,
        460800 => 0x1004,
        921600 => 0x1007,
        _ => throw new ArgumentOutOfRangeException(nameof(baudRate), "not a standard UART rate"),
    };

    private bool CheckMismatch()
    {
        uint code = _pty.ReadOutputSpeed();
        SpeedMismatch = code != 0 && code != _speedCode;
        return SpeedMismatch;
    }

    private void Garble(byte[] buffer, int offset, int count)
    {
        // xorshift32: any fixed scrambling would do; what matters is that no frame survives.
        for (int i = offset; i < offset + count; i++)
        {
            _garble ^= _garble << 13;
            _garble ^= _garble >> 17;
            _garble ^= _garble << 5;
            buffer[i] ^= (byte)(_garble | 1);
        }
    }
}
