using System.Security.Cryptography;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Host;

/// <summary>
/// Finds the key-encryption key: configuration first (Enrollment:Keys:KeyEncryptionKey, normally an
/// environment variable or a secret store); in Development only, a key generated once into the data
/// directory (mode 0600) with a warning, so `dotnet run` works with no setup. Production without one is
/// refused by <see cref="ServiceOptionsValidator"/>.
/// </summary>
internal static class KekProvider
{
    public const string DevelopmentFileName = "development-kek.key";

    public static byte[] Load(ServiceOptions options, IHostEnvironment env, ILogger log)
    {
        if (!string.IsNullOrEmpty(options.Keys.KeyEncryptionKey))
        {
            return Convert.FromBase64String(options.Keys.KeyEncryptionKey);
        }

        if (!env.IsDevelopment())
        {
            throw new StartupException("Enrollment:Keys:KeyEncryptionKey is required outside Development.");
        }

        var dir = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, DevelopmentFileName);
        if (!File.Exists(path))
        {
            var key = RandomNumberGenerator.GetBytes(KeyVault.KekSize);
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var f = new FileStream(path, fileOptions))
            {
                f.Write(key);
            }

            CryptographicOperations.ZeroMemory(key);
        }

        var kek = File.ReadAllBytes(path);
        if (kek.Length != KeyVault.KekSize)
        {
            throw new StartupException("The development key-encryption key " + path + " is not " + KeyVault.KekSize + " bytes.");
        }

#pragma warning disable CA1848 // one warning at start-up: a LoggerMessage delegate buys nothing here.
        log.LogWarning("Development mode: private keys are sealed with a generated key-encryption key in {Path}. " +
            "Set Enrollment:Keys:KeyEncryptionKey in production.", path);
#pragma warning restore CA1848
        return kek;
    }
}
