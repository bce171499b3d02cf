namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// A platform's own one-shot HMAC-SHA256 (RFC 2104 over FIPS 180-4), for example nanoFramework's native
    /// <c>System.Security.Cryptography.HMACSHA256.HashData(byte[] key, byte[] source)</c> (mbedTLS on the ESP32).
    /// </summary>
    /// <remarks>
    /// The shape is that native call's: whole arrays in, a new 32-byte array out, so an adapter is one line
    /// and copies nothing. It is only ever used after <see cref="CryptoPlatform.TryUseHmac"/> has checked it
    /// against known answers; until then, and whenever that check fails, the managed <see cref="HmacSha256"/> runs.
    /// </remarks>
    internal interface IPlatformHmacSha256
    {
        /// <summary>HMAC-SHA256(key, data): a new 32-byte array. Must not keep or change the inputs.</summary>
        byte[] Compute(byte[] key, byte[] data);
    }
}
