using Enrollment.Enrollee.Ports;
using Enrollment.Protocol.Crypto;
using nanoFramework.Hardware.Esp32;

namespace Enrollment.Esp32
{
    /// <summary>
    /// Power-on check of the firmware's native HMAC-SHA256 (System.Security.Cryptography.HMACSHA256, mbedTLS)
    /// against the managed one the protocol uses, on RFC 4231 test case 2, with both timings in the log.
    /// </summary>
    /// <remarks>
    /// The protocol's HKDF runs the managed HmacSha256 from shared/ (its CryptoBinding has no platform seam
    /// yet), so the native one does not speed enrollment today. Its cost is small next to the ten scalar
    /// multiplications (a few dozen SHA-256 blocks against about 10 s); this check records what plugging it
    /// in would save on the board at hand, and proves the two agree before anyone does.
    /// </remarks>
    internal static class NativeHmacCheck
    {
        public static void Run(ILog log)
        {
            byte[] key = { (byte)'J', (byte)'e', (byte)'f', (byte)'e' };
            byte[] data = Ascii("what do ya want for nothing?");
            try
            {
                ulong t0 = HighResTimer.GetCurrent();
                byte[] native = System.Security.Cryptography.HMACSHA256.HashData(key, data);
                ulong t1 = HighResTimer.GetCurrent();
                byte[] managed = HmacSha256.Compute(key, data);
                ulong t2 = HighResTimer.GetCurrent();

                // RFC 4231 section 4.3: 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
                bool same = native.Length == managed.Length && FixedTime.Equals(native, 0, managed, 0, managed.Length)
                    && managed[0] == 0x5B && managed[31] == 0x43;
                log.Info("crypto: HMAC-SHA256 native " + (t1 - t0).ToString() + " us, managed " + (t2 - t1).ToString()
                    + " us, " + (same ? "agree (RFC 4231 case 2)" : "DISAGREE"));
            }
            catch (System.Exception e)
            {
                // Firmware built without the native crypto API: nothing is lost, the managed code is used.
                log.Info("crypto: no native HMAC-SHA256 in this firmware (" + e.Message + ")");
            }
        }

        private static byte[] Ascii(string text)
        {
            byte[] b = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                b[i] = (byte)text[i];
            }

            return b;
        }
    }
}
