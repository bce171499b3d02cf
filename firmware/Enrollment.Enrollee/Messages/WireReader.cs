namespace Enrollment.Enrollee.Messages
{
    /// <summary>
    /// Bounds-checked reading of a message payload. Any read past the end, or a length over its bound,
    /// sets <see cref="Failed"/> and returns zeros: decoders check it once at the end, so malformed input
    /// can produce one outcome only (the decoder returns false), never an exception.
    /// </summary>
    internal struct WireReader
    {
        private readonly byte[] _buffer;
        private int _position;
        private readonly int _end;

        public WireReader(byte[] buffer, int offset, int count)
        {
            _buffer = buffer;
            _position = offset;
            _end = offset + count;
            Failed = buffer == null || offset < 0 || count < 0 || offset + count > buffer.Length;
        }

        public bool Failed { get; private set; }

        /// <summary>True when every byte was consumed and nothing failed (trailing bytes are a format error).</summary>
        public bool Complete
        {
            get { return !Failed && _position == _end; }
        }

        public byte ReadByte()
        {
            if (Failed || _position >= _end)
            {
                Failed = true;
                return 0;
            }

            return _buffer[_position++];
        }

        public int ReadUInt16()
        {
            int hi = ReadByte();
            int lo = ReadByte();
            return (hi << 8) | lo;
        }

        /// <summary>Reads a big-endian 64-bit value (negative if the top bit is set: callers reject that).</summary>
        public long ReadInt64()
        {
            long v = 0;
            for (int i = 0; i < 8; i++)
            {
                v = (v << 8) | ReadByte();
            }

            return v;
        }

        /// <summary>Copies exactly <paramref name="count"/> bytes.</summary>
        public void ReadFixed(byte[] destination, int count)
        {
            if (Failed || _end - _position < count)
            {
                Failed = true;
                return;
            }

            System.Array.Copy(_buffer, _position, destination, 0, count);
            _position += count;
        }

        /// <summary>Reads a u8 length (min..max) and that many bytes; returns the length (0 on failure).</summary>
        public int ReadShortField(byte[] destination, int min, int max)
        {
            int length = ReadByte();
            return ReadBody(destination, length, min, max);
        }

        /// <summary>Reads a u16 length (min..max) and that many bytes; returns the length (0 on failure).</summary>
        public int ReadLongField(byte[] destination, int min, int max)
        {
            int length = ReadUInt16();
            return ReadBody(destination, length, min, max);
        }

        private int ReadBody(byte[] destination, int length, int min, int max)
        {
            if (Failed || length < min || length > max || length > destination.Length)
            {
                Failed = true;
                return 0;
            }

            ReadFixed(destination, length);
            return Failed ? 0 : length;
        }
    }

    /// <summary>Writing counterpart of <see cref="WireReader"/>; caller mistakes throw (they are bugs).</summary>
    internal struct WireWriter
    {
        private readonly byte[] _buffer;
        private int _position;

        public WireWriter(byte[] buffer, int offset)
        {
            if (buffer == null)
            {
                throw new System.ArgumentNullException("buffer");
            }

            _buffer = buffer;
            _position = offset;
        }

        public int Position
        {
            get { return _position; }
        }

        public void WriteByte(int value)
        {
            if (_position >= _buffer.Length)
            {
                throw new System.ArgumentException("output too small", "output");
            }

            _buffer[_position++] = (byte)value;
        }

        public void WriteUInt16(int value)
        {
            WriteByte(value >> 8);
            WriteByte(value);
        }

        public void WriteUInt64(long value)
        {
            for (int shift = 56; shift >= 0; shift -= 8)
            {
                WriteByte((int)(value >> shift));
            }
        }

        public void WriteFixed(byte[] source, int count)
        {
            if (_buffer.Length - _position < count)
            {
                throw new System.ArgumentException("output too small", "output");
            }

            System.Array.Copy(source, 0, _buffer, _position, count);
            _position += count;
        }

        public void WriteShortField(byte[] source, int count, int min, int max, string name)
        {
            CheckLength(count, min, max, name);
            WriteByte(count);
            WriteFixed(source, count);
        }

        public void WriteLongField(byte[] source, int count, int min, int max, string name)
        {
            CheckLength(count, min, max, name);
            WriteUInt16(count);
            WriteFixed(source, count);
        }

        private static void CheckLength(int count, int min, int max, string name)
        {
            if (count < min || count > max)
            {
                throw new System.ArgumentOutOfRangeException(name);
            }
        }
    }
}
