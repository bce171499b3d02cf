using Enrollment.Enrollee.Ports;
using Enrollment.Protocol.Crypto;
using nanoFramework.Hardware.Esp32;

namespace Enrollment.Esp32
{
    /// <summary>
    /// Power-on step that plugs the firmware's native HMAC-SHA256 (mbedTLS) into the protocol's HKDF, after
    /// it reproduces known answers (RFC 4231 case 2, RFC 5869 A.1, and the managed HKDF on OP-0006's input
    /// shape: <see cref="CryptoPlatform.TryUseHmac"/>). On a mismatch, or a firmware built without the native
    /// crypto assembly, the managed HMAC from shared/ stays in use and the log says so.
    /// </summary>
    /// <remarks>
    /// HKDF is a small part of an enrollment (a few dozen SHA-256 blocks against about ten scalar
    /// multiplications), so this saves little time; it is here because the native code is there and checked.
    /// One MAC is timed both ways so a board's log shows what the native code saves.
    /// </remarks>
    internal static class NativeHmacCheck
    {
        public static void Run(ILog log)
        {
            bool installed = CryptoPlatform.TryUseHmac(new NativeHmacSha256());
            if (!installed)
            {
                log.Info("crypto: native HMAC-SHA256 missing or failed its known answers; HKDF stays on the managed HMAC");
                return;
            }

            // One MAC each way over the same 64-byte key and 97-byte message (the shape of an HKDF-Extract).
            byte[] key = new byte[64];
            byte[] data = new byte[97];
            ulong t0 = HighResTimer.GetCurrent();
            System.Security.Cryptography.HMACSHA256.HashData(key, data);
            ulong t1 = HighResTimer.GetCurrent();
            HmacSha256.Compute(key, data);
            ulong t2 = HighResTimer.GetCurrent();
            log.Info("crypto: HKDF on native HMAC-SHA256 (known answers passed; one MAC native " + (t1 - t0).ToString()
                + " us, managed " + (t2 - t1).ToString() + " us)");
        }
    }
}
