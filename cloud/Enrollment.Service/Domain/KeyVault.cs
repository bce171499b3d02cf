using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Enrollment.Service.Domain;

/// <summary>
/// Seals the service's private keys at rest under the key-encryption key (KEK) with XChaCha20-Poly1305
/// (libsodium via NSec; 24-byte random nonces, so random nonces never collide in practice). The associated
/// data names the key's role and id, so a sealed key copied into another row does not open.
/// Format: 0x01 || nonce (24) || ciphertext || tag (16).
/// </summary>
internal sealed class KeyVault : IDisposable
{
    public const int KekSize = 32;
    private const byte FormatVersion = 1;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;
    private readonly Key _kek;

    public KeyVault(ReadOnlySpan<byte> kek)
    {
        if (kek.Length != KekSize)
        {
            throw new ArgumentException("The key-encryption key must be " + KekSize + " bytes.", nameof(kek));
        }

        _kek = Key.Import(Aead, kek, KeyBlobFormat.RawSymmetricKey);
    }

    public static int SealedSize(int plaintextLength) => 1 + Aead.NonceSize + plaintextLength + Aead.TagSize;

    public byte[] Seal(ReadOnlySpan<byte> privateKey, string purpose)
    {
        var output = new byte[SealedSize(privateKey.Length)];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, Aead.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        Aead.Encrypt(_kek, nonce, AssociatedData(purpose), privateKey, output.AsSpan(1 + Aead.NonceSize));
        return output;
    }

    /// <summary>Opens a sealed key; null when the KEK is wrong or the blob was altered or moved.</summary>
    public byte[]? Open(ReadOnlySpan<byte> sealedKey, string purpose)
    {
        if (sealedKey.Length < SealedSize(0) || sealedKey[0] != FormatVersion)
        {
            return null;
        }

        var plaintext = new byte[sealedKey.Length - SealedSize(0)];
        var ok = Aead.Decrypt(_kek, sealedKey.Slice(1, Aead.NonceSize), AssociatedData(purpose),
            sealedKey[(1 + Aead.NonceSize)..], plaintext);
        return ok ? plaintext : null;
    }

    public void Dispose() => _kek.Dispose();

    private static byte[] AssociatedData(string purpose) => Encoding.UTF8.GetBytes("enrollment-service/key-vault/v1/" + purpose);
}
