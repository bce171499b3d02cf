namespace Enrollment.Enrollee.Link
{
    /// <summary>
    /// CRC-32 as in IEEE 802.3 (also zlib, PNG): reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF,
    /// final complement. Check value: CRC-32("123456789") = 0xCBF43926.
    /// </summary>
    /// <remarks>
    /// A 16-entry (half-byte) table: two lookups per byte instead of eight shift-and-xor steps, for 64
    /// bytes of table instead of the usual 1 KB. The CRC detects transmission errors only; it is not a MAC
    /// (everything security-relevant is authenticated by the enrollment protocol itself).
    /// </remarks>
    public static class Crc32
    {
        public const uint Check = 0xCBF43926;

        // Table[i] = CRC of the 4-bit value i shifted through the reflected polynomial 0xEDB88320.
        private static readonly uint[] Table =
        {
            0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
            0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
        };

        public static uint Compute(byte[] data, int offset, int count)
        {
            uint crc = 0xFFFFFFFF;
            uint[] table = Table;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                crc ^= data[i];
                crc = (crc >> 4) ^ table[crc & 0x0F];
                crc = (crc >> 4) ^ table[crc & 0x0F];
            }

            return ~crc;
        }
    }
}
