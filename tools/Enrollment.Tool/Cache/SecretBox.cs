using System.Security.Cryptography;
using System.Text;

namespace Enrollment.Tool.Cache;

/// <summary>
/// Files encrypted at rest with AES-256-GCM (NIST SP 800-38D) under a key kept in the tool's directory.
/// File layout: <c>"ENR1" || nonce (12) || tag (16) || ciphertext</c>; the associated data is the magic
/// and the file's purpose ("bundles", "queue"), so one file cannot be swapped for the other.
/// </summary>
/// <remarks>
/// Threat model. The key file (<c>cache.key</c>, 32 random bytes, mode 0600) sits next to the data, so
/// this protects against the cache file leaking on its own (a backup, a copied folder, a support bundle)
/// and against tampering by anyone who cannot read the key: a modified or substituted cache fails the tag
/// and is refused, so no one can slip a bundle that names a rogue service's keys into the enroller. It
/// does not protect against someone who runs as the same user or as root: they can read the key. Bundles
/// hold only public keys; what matters most is their integrity, which the tag gives.
/// </remarks>
internal sealed class SecretBox
{
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Magic = "ENR1"u8.ToArray();
    private readonly string _keyPath;

    public SecretBox(string directory)
    {
        _keyPath = Path.Combine(directory, "cache.key");
    }

    public byte[]? Read(string path, string purpose)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] data = File.ReadAllBytes(path);
        byte[] key = LoadOrCreateKey();
        try
        {
            int header = Magic.Length + NonceSize + TagSize;
            if (data.Length < header || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                throw Corrupt(path);
            }

            var plain = new byte[data.Length - header];
            using var aes = new AesGcm(key, TagSize);
            try
            {
                aes.Decrypt(data.AsSpan(Magic.Length, NonceSize), data.AsSpan(header), data.AsSpan(Magic.Length + NonceSize, TagSize), plain,
                    Associated(purpose));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw Corrupt(path);
            }

            return plain;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Encrypts and writes atomically (temporary file, then rename), so a crash leaves the old file whole.</summary>
    public void Write(string path, string purpose, byte[] plain)
    {
        byte[] key = LoadOrCreateKey();
        try
        {
            int header = Magic.Length + NonceSize + TagSize;
            var output = new byte[header + plain.Length];
            Magic.CopyTo(output, 0);
            RandomNumberGenerator.Fill(output.AsSpan(Magic.Length, NonceSize));
            using (var aes = new AesGcm(key, TagSize))
            {
                aes.Encrypt(output.AsSpan(Magic.Length, NonceSize), plain, output.AsSpan(header), output.AsSpan(Magic.Length + NonceSize, TagSize),
                    Associated(purpose));
            }

            string temp = path + ".tmp";
            using (var file = OpenPrivate(temp, FileMode.Create))
            {
                file.Write(output);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private byte[] LoadOrCreateKey()
    {
        if (!File.Exists(_keyPath))
        {
            var fresh = RandomNumberGenerator.GetBytes(KeySize);
            try
            {
                using var file = OpenPrivate(_keyPath, FileMode.CreateNew);
                file.Write(fresh);
                file.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(_keyPath))
            {
                // Another enroll process made it first: use theirs.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(fresh);
            }
        }

        byte[] key = File.ReadAllBytes(_keyPath);
        if (key.Length != KeySize)
        {
            throw new ToolFailure(ExitCode.Usage, "The cache key " + _keyPath + " is damaged (not 32 bytes). Delete it together with the cache files to start over.");
        }

        return key;
    }

    private static FileStream OpenPrivate(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    private static byte[] Associated(string purpose) => [.. Magic, .. Encoding.UTF8.GetBytes(purpose)];

    private static ToolFailure Corrupt(string path) =>
        new(ExitCode.Usage, "The encrypted file " + path + " does not decrypt with this tool's key: it was damaged or replaced. "
            + "Move it away to start with an empty one (queued work in it would be lost).");
}
