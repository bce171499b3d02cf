using System.Runtime.InteropServices;

namespace Enrollment.Service.Domain;

/// <summary>
/// The symmetric primitives of the enrollment flows on libsodium, for the service's hot path: SHA-256
/// (crypto_hash_sha256, FIPS 180-4), HKDF-SHA256 (crypto_kdf_hkdf_sha256_*, RFC 5869) and
/// ChaCha20-Poly1305 with a 96-bit nonce (crypto_aead_chacha20poly1305_ietf_*, RFC 8439). Spans are
/// pinned for the call only; nothing is copied.
/// </summary>
internal static partial class Sodium
{
    public const int HashSize = 32;
    public const int AeadKeySize = 32;
    public const int AeadNonceSize = 12;
    public const int AeadTagSize = 16;

    /// <summary>RFC 5869 section 2.3: L &lt;= 255 HashLen.</summary>
    public const int MaxHkdfLength = 255 * HashSize;

    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> output)
    {
        Check(output.Length >= HashSize, nameof(output));
        _ = NativeMethods.crypto_hash_sha256(output, data, (ulong)data.Length);
    }

    public static void HkdfExtract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        Check(prk.Length >= HashSize, nameof(prk));
        if (NativeMethods.crypto_kdf_hkdf_sha256_extract(prk, salt, (nuint)salt.Length, ikm, (nuint)ikm.Length) != 0)
        {
            throw new InvalidOperationException("crypto_kdf_hkdf_sha256_extract failed.");
        }
    }

    public static void HkdfExpand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Check(prk.Length == HashSize, nameof(prk));
        Check(output.Length <= MaxHkdfLength, nameof(output));
        if (NativeMethods.crypto_kdf_hkdf_sha256_expand(output, (nuint)output.Length, info, (nuint)info.Length, prk) != 0)
        {
            throw new InvalidOperationException("crypto_kdf_hkdf_sha256_expand failed.");
        }
    }

    /// <summary>ciphertext || tag (plaintext length + 16 bytes) into output.</summary>
    public static void AeadSeal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Check(key.Length == AeadKeySize, nameof(key));
        Check(nonce.Length == AeadNonceSize, nameof(nonce));
        Check(output.Length >= plaintext.Length + AeadTagSize, nameof(output));
        _ = NativeMethods.crypto_aead_chacha20poly1305_ietf_encrypt(output, out _, plaintext, (ulong)plaintext.Length, ad, (ulong)ad.Length,
            IntPtr.Zero, nonce, key);
    }

    /// <summary>False when the tag does not verify; the output is then zeroed (libsodium writes nothing before verifying, cleared anyway).</summary>
    public static bool AeadOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Check(key.Length == AeadKeySize, nameof(key));
        Check(nonce.Length == AeadNonceSize, nameof(nonce));
        Check(input.Length >= AeadTagSize, nameof(input));
        Check(output.Length >= input.Length - AeadTagSize, nameof(output));
        var ok = NativeMethods.crypto_aead_chacha20poly1305_ietf_decrypt(output, out _, IntPtr.Zero, input, (ulong)input.Length, ad, (ulong)ad.Length,
            nonce, key) == 0;
        if (!ok)
        {
            output[..(input.Length - AeadTagSize)].Clear();
        }

        return ok;
    }

    private static void Check(bool condition, string name)
    {
        if (!condition)
        {
            throw new ArgumentException("Wrong length.", name);
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_hash_sha256(Span<byte> output, ReadOnlySpan<byte> input, ulong inlen);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_kdf_hkdf_sha256_extract(Span<byte> prk, ReadOnlySpan<byte> salt, nuint saltLen, ReadOnlySpan<byte> ikm, nuint ikmLen);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_kdf_hkdf_sha256_expand(Span<byte> output, nuint outLen, ReadOnlySpan<byte> ctx, nuint ctxLen, ReadOnlySpan<byte> prk);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt(Span<byte> c, out ulong clen, ReadOnlySpan<byte> m, ulong mlen,
            ReadOnlySpan<byte> ad, ulong adlen, IntPtr nsec, ReadOnlySpan<byte> npub, ReadOnlySpan<byte> k);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt(Span<byte> m, out ulong mlen, IntPtr nsec, ReadOnlySpan<byte> c, ulong clen,
            ReadOnlySpan<byte> ad, ulong adlen, ReadOnlySpan<byte> npub, ReadOnlySpan<byte> k);
    }
}
