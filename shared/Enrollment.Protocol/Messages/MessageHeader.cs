namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The two bytes every message starts with: type, then version. A receiver reads them first so that an
    /// unknown version is turned away before any other field is interpreted (docs/protocol.md "Versioning").
    /// </summary>
    public static class MessageHeader
    {
        /// <summary>Size of the common header.</summary>
        public const int Size = 2;

        /// <summary>
        /// Reads the type and version bytes without judging them; false only when fewer than two bytes are
        /// given. Used for diagnostics (e.g. counting unsupported versions); the decoders check both again.
        /// </summary>
        public static bool TryPeek(byte[] buffer, int offset, int count, out byte type, out byte version)
        {
            Wire.CheckRange(buffer, offset, count);
            if (count < Size)
            {
                type = 0;
                version = 0;
                return false;
            }

            type = buffer[offset];
            version = buffer[offset + 1];
            return true;
        }

        /// <summary>True when the buffer starts with the given type and the supported version.</summary>
        internal static bool Matches(byte[] buffer, int offset, int count, MessageType type)
        {
            return count >= Size && buffer[offset] == (byte)type && buffer[offset + 1] == ProtocolConstants.Version;
        }

        internal static void Write(byte[] buffer, int offset, MessageType type)
        {
            buffer[offset] = (byte)type;
            buffer[offset + 1] = ProtocolConstants.Version;
        }
    }
}
