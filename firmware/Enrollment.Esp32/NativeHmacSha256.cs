using Enrollment.Protocol.Crypto;

namespace Enrollment.Esp32
{
    /// <summary>
    /// nanoFramework's native HMAC-SHA256 (package nanoFramework.System.Security.Cryptography 1.0.43:
    /// <c>public static byte[] HashData(byte[] key, byte[] source)</c>, an InternalCall into mbedTLS) behind
    /// the protocol's platform seam. <see cref="CryptoPlatform.TryUseHmac"/> checks it before HKDF uses it.
    /// </summary>
    internal sealed class NativeHmacSha256 : IPlatformHmacSha256
    {
        public byte[] Compute(byte[] key, byte[] data)
        {
            return System.Security.Cryptography.HMACSHA256.HashData(key, data);
        }
    }
}
