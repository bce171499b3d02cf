namespace Enrollment.Enrollee.Link
{
    /// <summary>
    /// The frame layout of docs/serial-protocol.md section 2. Offsets and sizes of every field, in one place.
    /// </summary>
    /// <remarks>
    /// <code>
    /// offset size field
    ///  0     2    sync 0xA5 0xC3
    ///  2     1    link version
    ///  3     1    type
    ///  4     1    flags (bit 0 MORE: another fragment follows; bit 1 FIRST: first fragment; others 0)
    ///  5     1    sequence number
    ///  6     2    payload length N (0..MaxPayload), big-endian
    ///  8     N    payload
    ///  8+N   4    CRC-32 of bytes 2 .. 8+N-1, big-endian
    /// </code>
    /// The layout is frozen for every link version, so a peer can always parse a Hello and answer it.
    /// </remarks>
    public static class Frame
    {
        public const byte Sync0 = 0xA5;
        public const byte Sync1 = 0xC3;

        public const int VersionOffset = 2;
        public const int TypeOffset = 3;
        public const int FlagsOffset = 4;
        public const int SequenceOffset = 5;
        public const int LengthOffset = 6;
        public const int HeaderSize = 8;
        public const int CrcSize = 4;
        public const int Overhead = HeaderSize + CrcSize;

        /// <summary>
        /// Largest payload in one frame. Small on purpose: a frame that is hit by line noise is lost whole,
        /// and with a 1% byte error rate a 140-byte frame gets through about one time in four
        /// (0.99^140 = 0.24) while a 2 KB one practically never does. Longer messages are fragmented.
        /// At 115200 baud (11520 bytes/s) a full frame takes 12.5 ms on the wire.
        /// </summary>
        public const int MaxPayload = 128;

        public const int MaxFrameSize = HeaderSize + MaxPayload + CrcSize;

        public const byte FlagMore = 0x01;

        /// <summary>The first fragment of a message (the only one, for a short message).</summary>
        public const byte FlagFirst = 0x02;

        public const byte FlagsDefined = FlagMore | FlagFirst;

        /// <summary>Link version 1: this document. Versions are negotiated in Hello/HelloReply.</summary>
        public const byte Version1 = 1;

        /// <summary>
        /// Writes one frame into <paramref name="output"/> at <paramref name="offset"/>; returns its size.
        /// </summary>
        public static int Encode(byte version, byte type, byte flags, byte sequence,
            byte[] payload, int payloadOffset, int payloadCount, byte[] output, int offset)
        {
            if (payloadCount < 0 || payloadCount > MaxPayload)
            {
                throw new System.ArgumentOutOfRangeException("payloadCount");
            }

            if (output == null)
            {
                throw new System.ArgumentNullException("output");
            }

            if (offset < 0 || output.Length - offset < Overhead + payloadCount)
            {
                throw new System.ArgumentException("too small for the frame", "output");
            }

            output[offset] = Sync0;
            output[offset + 1] = Sync1;
            output[offset + VersionOffset] = version;
            output[offset + TypeOffset] = type;
            output[offset + FlagsOffset] = flags;
            output[offset + SequenceOffset] = sequence;
            BigEndian.WriteUInt16(output, offset + LengthOffset, payloadCount);
            if (payloadCount > 0)
            {
                System.Array.Copy(payload, payloadOffset, output, offset + HeaderSize, payloadCount);
            }

            uint crc = Crc32.Compute(output, offset + VersionOffset, HeaderSize - VersionOffset + payloadCount);
            BigEndian.WriteUInt32(output, offset + HeaderSize + payloadCount, crc);
            return Overhead + payloadCount;
        }
    }
}
