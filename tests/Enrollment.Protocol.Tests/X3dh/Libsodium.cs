using System.Numerics;
using System.Runtime.InteropServices;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Tests.X3dh;

/// <summary>
/// An independent <see cref="IX3dhPrimitives"/> over libsodium (shipped with NSec): X25519 from
/// crypto_scalarmult, XEdDSA verification as Ed25519 verification of the Edwards key converted from the
/// Montgomery key with sign bit 0 (XEdDSA spec section 2.3 / 2.6). This is what the cloud can plug in; here it
/// checks that our flows interoperate with a second implementation. libsodium cannot make XEdDSA signatures.
/// </summary>
internal sealed class LibsodiumPrimitives : IX3dhPrimitives
{
    public static readonly LibsodiumPrimitives Instance = new();

    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    static LibsodiumPrimitives()
    {
        if (Native.sodium_init() < 0)
            throw new InvalidOperationException("libsodium failed to initialise");
    }

    public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset)
    {
        var q = new byte[32];
        // Returns -1 for an all-zero result and still writes it; the flows check for zero themselves.
        _ = Native.crypto_scalarmult(q, privateKey.AsSpan(privateKeyOffset, 32).ToArray(), publicKey.AsSpan(publicKeyOffset, 32).ToArray());
        q.CopyTo(output, outputOffset);
    }

    public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset)
    {
        var q = new byte[32];
        Native.crypto_scalarmult_base(q, privateKey.AsSpan(privateKeyOffset, 32).ToArray());
        q.CopyTo(output, outputOffset);
    }

    public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset) =>
        throw new NotSupportedException("libsodium has no XEdDSA signing");

    public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset)
    {
        var edwards = MontgomeryToEdwards(publicKey.AsSpan(publicKeyOffset, 32));
        if (edwards == null)
            return false;
        var m = message.AsSpan(messageOffset, messageLength).ToArray();
        return Native.crypto_sign_verify_detached(signature.AsSpan(signatureOffset, 64).ToArray(), m, (ulong)m.Length, edwards) == 0;
    }

    /// <summary>y = (u - 1) / (u + 1) mod p, encoded little-endian with sign bit 0; null when u is not canonical or u = -1.</summary>
    public static byte[]? MontgomeryToEdwards(ReadOnlySpan<byte> u32)
    {
        var masked = u32.ToArray();
        masked[31] &= 0x7F;
        var u = new BigInteger(masked, isUnsigned: true, isBigEndian: false);
        if (u >= P || (u + 1) % P == 0)
            return null;
        var y = (u - 1) * BigInteger.ModPow(u + 1, P - 2, P) % P;
        if (y < 0)
            y += P;
        var bytes = new byte[32];
        y.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }

    private static class Native
    {
        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
        internal static extern int sodium_init();

        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
        internal static extern int crypto_scalarmult(byte[] q, byte[] n, byte[] p);

        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
        internal static extern int crypto_scalarmult_base(byte[] q, byte[] n);

        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
        internal static extern int crypto_sign_verify_detached(byte[] sig, byte[] m, ulong mlen, byte[] pk);
    }
}
