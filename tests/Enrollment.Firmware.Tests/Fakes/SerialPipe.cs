using Enrollment.Enrollee.Ports;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>
/// A full-duplex byte pipe between two <see cref="ISerialLink"/> ends. Each direction can run every written
/// chunk (one frame, since the link writes frame by frame) through a fault: corrupt, drop, truncate,
/// duplicate or hold back for reordering.
/// </summary>
internal sealed class SerialPipe
{
    public SerialPipe()
    {
        A = new End(this);
        B = new End(this);
        A.Peer = B;
        B.Peer = A;
    }

    public End A { get; }
    public End B { get; }

    internal sealed class End : ISerialLink
    {
        private readonly Queue<byte> _rx = new();

        public End(SerialPipe pipe) => Pipe = pipe;

        public SerialPipe Pipe { get; }
        public End Peer { get; set; } = null!;

        /// <summary>Transforms what this end writes before the peer sees it (null = perfect wire).</summary>
        public Func<byte[], IEnumerable<byte[]>>? Fault { get; set; }

        public long BytesWritten { get; private set; }

        public int Read(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && _rx.Count > 0)
            {
                buffer[offset + n++] = _rx.Dequeue();
            }

            return n;
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            BytesWritten += count;
            byte[] chunk = buffer.AsSpan(offset, count).ToArray();
            IEnumerable<byte[]> outs = Fault == null ? new[] { chunk } : Fault(chunk);
            foreach (byte[] o in outs)
            {
                foreach (byte b in o)
                {
                    Peer._rx.Enqueue(b);
                }
            }
        }

        public void Inject(byte[] bytes)
        {
            foreach (byte b in bytes)
            {
                _rx.Enqueue(b);
            }
        }
    }
}
