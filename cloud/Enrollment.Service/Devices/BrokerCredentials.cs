using System.Security.Cryptography;
using System.Text;

namespace Enrollment.Service.Devices;

/// <summary>
/// Per-device broker credentials (issue 8): the user name is the device id, the password 24 random bytes
/// as 32 base64url characters (MQTT 3.1.1 carries it as bytes, Mosquitto's dynamic security as a JSON string,
/// so printable ASCII suits both). The service stores only SHA-256 of it: with 192 random bits a slow
/// password hash adds nothing (there is no dictionary to search), and checking a connection stays cheap.
/// </summary>
internal static class BrokerCredentials
{
    public static byte[] NewPassword() =>
        Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_'));

    public static byte[] Hash(ReadOnlySpan<byte> password) => SHA256.HashData(password);

    /// <summary>Fixed-time check of a presented password against the stored hash.</summary>
    public static bool Matches(ReadOnlySpan<byte> presented, byte[] storedHash)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(presented, h);
        return CryptographicOperations.FixedTimeEquals(h, storedHash);
    }
}

/// <summary>Grants and removes a device's broker access (embedded broker, or Mosquitto dynamic security).</summary>
internal interface IBrokerAccess
{
    /// <summary>Makes the broker accept the device's credentials for its own topics only.</summary>
    Task GrantAsync(string deviceId, byte[] password, CancellationToken ct);

    /// <summary>Disconnects the device and refuses it from now on.</summary>
    Task RemoveAsync(string deviceId, CancellationToken ct);

    /// <summary>False when grants need no per-device broker call (the broker checks the database itself).</summary>
    bool NeedsGrant { get; }
}
