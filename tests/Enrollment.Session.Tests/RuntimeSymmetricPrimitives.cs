using System.Security.Cryptography;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Session.Tests;

/// <summary>
/// A host's native primitives as the cloud plugs them in: the public-key half on libsodium
/// (<see cref="SodiumPrimitives"/>), the symmetric half on the .NET runtime's SHA-256, HKDF and
/// ChaCha20-Poly1305 (OpenSSL underneath), an implementation independent of ours. Counts its symmetric
/// calls, so a test can show the flows took the seam instead of the shared managed code.
/// </summary>
internal sealed class RuntimeSymmetricPrimitives : IX3dhPrimitives, IX3dhSymmetricPrimitives
{
    public int Hashes;
    public int Extracts;
    public int Expands;
    public int Seals;
    public int Opens;

    public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset) =>
        SodiumPrimitives.Instance.Dh(privateKey, privateKeyOffset, publicKey, publicKeyOffset, output, outputOffset);

    public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset) =>
        SodiumPrimitives.Instance.PublicKey(privateKey, privateKeyOffset, output, outputOffset);

    public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset) =>
        SodiumPrimitives.Instance.Sign(privateKey, privateKeyOffset, message, messageOffset, messageLength, random, randomOffset, signature, signatureOffset);

    public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset) =>
        SodiumPrimitives.Instance.Verify(publicKey, publicKeyOffset, message, messageOffset, messageLength, signature, signatureOffset);

    public void Sha256(byte[] data, int offset, int count, byte[] output, int outputOffset)
    {
        Hashes++;
        SHA256.HashData(data.AsSpan(offset, count), output.AsSpan(outputOffset, 32));
    }

    public void HkdfExtract(byte[] salt, int saltOffset, int saltCount, byte[] ikm, int ikmOffset, int ikmCount, byte[] prk, int prkOffset)
    {
        Extracts++;
        HKDF.Extract(HashAlgorithmName.SHA256, ikm.AsSpan(ikmOffset, ikmCount), salt.AsSpan(saltOffset, saltCount), prk.AsSpan(prkOffset, 32));
    }

    public void HkdfExpand(byte[] prk, int prkOffset, byte[] info, int infoOffset, int infoCount, byte[] output, int outputOffset, int length)
    {
        Expands++;
        HKDF.Expand(HashAlgorithmName.SHA256, prk.AsSpan(prkOffset, 32), output.AsSpan(outputOffset, length), info.AsSpan(infoOffset, infoCount));
    }

    public void Seal(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] plaintext, int pOffset, int pLength, byte[] output, int oOffset)
    {
        Seals++;
        using var aead = new ChaCha20Poly1305(key);
        // The runtime wants a separate tag span; the wire puts the tag right after the ciphertext.
        var tag = new byte[16];
        aead.Encrypt(nonce, plaintext.AsSpan(pOffset, pLength), output.AsSpan(oOffset, pLength), tag, ad.AsSpan(adOffset, adLength));
        tag.CopyTo(output, oOffset + pLength);
    }

    public bool Open(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] input, int iOffset, int iLength, byte[] output, int oOffset)
    {
        Opens++;
        using var aead = new ChaCha20Poly1305(key);
        var length = iLength - 16;
        try
        {
            aead.Decrypt(nonce, input.AsSpan(iOffset, length), input.AsSpan(iOffset + length, 16), output.AsSpan(oOffset, length), ad.AsSpan(adOffset, adLength));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            output.AsSpan(oOffset, length).Clear();
            return false;
        }
    }
}
