using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Protocol;

/// <summary>
/// The protocol's crypto seams on libsodium. Public-key half (<see cref="IX3dhPrimitives"/>): X25519 with
/// crypto_scalarmult, XEdDSA verification as Ed25519 verification after the u-to-y conversion, XEdDSA
/// signing on libsodium's edwards25519 scalar functions; the flows check DH outputs for zero themselves.
/// Symmetric half (<see cref="IX3dhSymmetricPrimitives"/>): SHA-256, HKDF-SHA256 and ChaCha20-Poly1305,
/// which the shared flows otherwise run in managed code written for the device (about half the service's
/// per-enrollment crypto time before this seam).
/// </summary>
internal sealed class LibsodiumX3dhPrimitives : IX3dhPrimitives, IX3dhSymmetricPrimitives
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

    public void Sha256(byte[] data, int offset, int count, byte[] output, int outputOffset) =>
        Sodium.Sha256(data.AsSpan(offset, count), output.AsSpan(outputOffset, Sodium.HashSize));

    public void HkdfExtract(byte[] salt, int saltOffset, int saltCount, byte[] ikm, int ikmOffset, int ikmCount, byte[] prk, int prkOffset) =>
        Sodium.HkdfExtract(salt.AsSpan(saltOffset, saltCount), ikm.AsSpan(ikmOffset, ikmCount), prk.AsSpan(prkOffset, Sodium.HashSize));

    public void HkdfExpand(byte[] prk, int prkOffset, byte[] info, int infoOffset, int infoCount, byte[] output, int outputOffset, int length) =>
        Sodium.HkdfExpand(prk.AsSpan(prkOffset, Sodium.HashSize), info.AsSpan(infoOffset, infoCount), output.AsSpan(outputOffset, length));

    public void Seal(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] plaintext, int pOffset, int pLength, byte[] output, int oOffset) =>
        Sodium.AeadSeal(key, nonce, ad.AsSpan(adOffset, adLength), plaintext.AsSpan(pOffset, pLength), output.AsSpan(oOffset, pLength + Sodium.AeadTagSize));

    public bool Open(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] input, int iOffset, int iLength, byte[] output, int oOffset) =>
        Sodium.AeadOpen(key, nonce, ad.AsSpan(adOffset, adLength), input.AsSpan(iOffset, iLength),
            output.AsSpan(oOffset, Math.Max(0, iLength - Sodium.AeadTagSize)));
}
