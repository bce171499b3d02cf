using System.Text;

namespace Enrollment.Crypto.Tests;

/// <summary>Small helpers shared by the test classes (hex, ASCII, seeded randomness).</summary>
internal static class TestUtil
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string ToHex(byte[] data) => Convert.ToHexString(data).ToLowerInvariant();

    public static string ToHex(byte[] data, int offset, int count) =>
        Convert.ToHexString(data, offset, count).ToLowerInvariant();

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static byte[] RandomBytes(Random random, int count)
    {
        byte[] data = new byte[count];
        random.NextBytes(data);
        return data;
    }

    /// <summary>
    /// A random length biased towards block boundaries (0, b-1, b, b+1 for multiples of the block size),
    /// because padding and buffering bugs live there.
    /// </summary>
    public static int InterestingLength(Random random, int blockSize, int max)
    {
        if (random.Next(3) == 0)
        {
            int blocks = random.Next((max / blockSize) + 1);
            int length = (blocks * blockSize) + random.Next(-1, 2);
            return Math.Clamp(length, 0, max);
        }

        return random.Next(max + 1);
    }
}
