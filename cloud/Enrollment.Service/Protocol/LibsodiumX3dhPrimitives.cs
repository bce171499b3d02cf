using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Protocol;

/// <summary>
/// The protocol's public-key seam (<see cref="IX3dhPrimitives"/>) on libsodium: X25519 with
/// crypto_scalarmult, XEdDSA verification as Ed25519 verification after the u-to-y conversion, XEdDSA
/// signing on libsodium's edwards25519 scalar functions. The flows check DH outputs for zero themselves.
/// </summary>
internal sealed class LibsodiumX3dhPrimitives : IX3dhPrimitives
{
    public static readonly LibsodiumX3dhPrimitives Instance = new();

    public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset) =>
        _ = Sodium.TryDh(privateKey, privateKeyOffset, publicKey, publicKeyOffset, output, outputOffset);

    public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset) =>
        Sodium.PublicKey(privateKey.AsSpan(privateKeyOffset, Sodium.KeySize).ToArray()).CopyTo(output, outputOffset);

    public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset,
        byte[] signature, int signatureOffset) =>
        Sodium.SignXEdDsa(privateKey, privateKeyOffset, message, messageOffset, messageLength, random, randomOffset, signature, signatureOffset);

    public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset) =>
        Sodium.VerifyXEdDsa(publicKey, publicKeyOffset, message, messageOffset, messageLength, signature, signatureOffset);
}
