using System.Numerics;
using System.Runtime.InteropServices;

namespace Enrollment.Session.Tests;

/// <summary>
/// A second implementation for independent recomputation: libsodium (the native library NSec ships) for
/// X25519 and Ed25519 verification. XEdDSA verification is Ed25519 verification under the Edwards key
/// converted from the X25519 key with sign bit 0 (XEdDSA spec sections 2.3 and 2.6).
/// </summary>
internal static class Libsodium
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    static Libsodium()
    {
        if (sodium_init() < 0)
            throw new InvalidOperationException("libsodium failed to initialise");
    }

    public static byte[] Dh(byte[] privateKey, byte[] publicKey)
    {
        var q = new byte[32];
        _ = crypto_scalarmult(q, privateKey, publicKey); // -1 for a zero result, which these vectors never have
        return q;
    }

    public static byte[] Public(byte[] privateKey)
    {
        var q = new byte[32];
        _ = crypto_scalarmult_base(q, privateKey);
        return q;
    }

    public static bool XEdDsaVerify(byte[] montgomeryKey, byte[] message, byte[] signature)
    {
        var masked = (byte[])montgomeryKey.Clone();
        masked[31] &= 0x7F;
        var u = new BigInteger(masked, isUnsigned: true, isBigEndian: false);
        if (u >= P || (u + 1) % P == 0)
            return false;
        var y = (u - 1) * BigInteger.ModPow(u + 1, P - 2, P) % P;
        var edwards = new byte[32];
        y.TryWriteBytes(edwards, out _, isUnsigned: true, isBigEndian: false);
        return crypto_sign_verify_detached(signature, message, (ulong)message.Length, edwards) == 0;
    }

    [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sodium_init();

    [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
    private static extern int crypto_scalarmult(byte[] q, byte[] n, byte[] p);

    [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
    private static extern int crypto_scalarmult_base(byte[] q, byte[] n);

    [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl)]
    private static extern int crypto_sign_verify_detached(byte[] sig, byte[] m, ulong mlen, byte[] pk);
}

/// <summary>
/// The verifying half of <see cref="Enrollment.Protocol.X3dh.IX3dhPrimitives"/> over libsodium: what a cloud
/// host can plug in. libsodium cannot make XEdDSA signatures, so signing stays with our implementation.
/// Also much faster than our portable X25519, which keeps the exhaustive bit-flip tests short.
/// </summary>
internal sealed class SodiumPrimitives : Enrollment.Protocol.X3dh.IX3dhPrimitives
{
    public static readonly SodiumPrimitives Instance = new();

    public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset) =>
        Libsodium.Dh(privateKey.AsSpan(privateKeyOffset, 32).ToArray(), publicKey.AsSpan(publicKeyOffset, 32).ToArray()).CopyTo(output, outputOffset);

    public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset) =>
        Libsodium.Public(privateKey.AsSpan(privateKeyOffset, 32).ToArray()).CopyTo(output, outputOffset);

    public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset) =>
        OwnPrimitives.Instance.Sign(privateKey, privateKeyOffset, message, messageOffset, messageLength, random, randomOffset, signature, signatureOffset);

    public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset) =>
        Libsodium.XEdDsaVerify(publicKey.AsSpan(publicKeyOffset, 32).ToArray(), message.AsSpan(messageOffset, messageLength).ToArray(), signature.AsSpan(signatureOffset, 64).ToArray());
}
