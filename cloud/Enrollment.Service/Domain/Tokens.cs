using System.Security.Cryptography;
using System.Text;

namespace Enrollment.Service.Domain;

/// <summary>
/// Bearer tokens: 32 random bytes, base64url, with a role prefix so a leaked token is recognisable in a
/// secret scanner. Only SHA-256(token) is stored; a 256-bit random token needs no slow hash (no dictionary
/// to guess from), and the hash comparison is done in fixed time.
/// </summary>
internal static class Tokens
{
    public const int RandomBytes = 32;

    public static string NewToken(PrincipalRole role)
    {
        var raw = RandomNumberGenerator.GetBytes(RandomBytes);
        var token = (role == PrincipalRole.Enroller ? "enr_" : "opr_") + Base64Url(raw);
        CryptographicOperations.ZeroMemory(raw);
        return token;
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool HashesEqual(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);

    private static string Base64Url(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
