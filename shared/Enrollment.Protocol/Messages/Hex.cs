namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// Lower-case hexadecimal text of bytes, for identifiers in topics, client ids and log lines (never for
    /// secrets). Written here because nanoFramework's mscorlib has no Convert.ToHexString.
    /// </summary>
    public static class Hex
    {
        /// <summary>Two lower-case hex digits per byte of buffer[offset .. offset + count).</summary>
        public static string Encode(byte[] buffer, int offset, int count)
        {
            Wire.CheckRange(buffer, offset, count);
            char[] text = new char[count * 2];
            for (int i = 0; i < count; i++)
            {
                int v = buffer[offset + i];
                text[2 * i] = Digit(v >> 4);
                text[(2 * i) + 1] = Digit(v & 0xF);
            }

            return new string(text);
        }

        private static char Digit(int v)
        {
            return (char)(v < 10 ? '0' + v : 'a' + v - 10);
        }
    }
}
