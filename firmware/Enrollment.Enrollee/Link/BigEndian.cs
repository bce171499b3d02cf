namespace Enrollment.Enrollee.Link
{
    /// <summary>Network byte order helpers: every multi-byte field on the serial link is big-endian.</summary>
    internal static class BigEndian
    {
        public static void WriteUInt16(byte[] b, int offset, int value)
        {
            b[offset] = (byte)(value >> 8);
            b[offset + 1] = (byte)value;
        }

        public static int ReadUInt16(byte[] b, int offset)
        {
            return (b[offset] << 8) | b[offset + 1];
        }

        public static void WriteUInt32(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)(value >> 24);
            b[offset + 1] = (byte)(value >> 16);
            b[offset + 2] = (byte)(value >> 8);
            b[offset + 3] = (byte)value;
        }

        public static uint ReadUInt32(byte[] b, int offset)
        {
            return ((uint)b[offset] << 24) | ((uint)b[offset + 1] << 16) | ((uint)b[offset + 2] << 8) | b[offset + 3];
        }
    }
}
