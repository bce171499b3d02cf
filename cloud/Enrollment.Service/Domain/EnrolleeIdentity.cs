using System.Security.Cryptography;

namespace Enrollment.Service.Domain;

/// <summary>The enrollee identifier of docs/protocol.md "Identifiers": SHA-256(EIK_B), shown as the first 10 bytes in hex.</summary>
internal static class EnrolleeIdentity
{
    public const int TextBytes = 10;

    public static byte[] Hash(byte[] eikPublic) => SHA256.HashData(eikPublic);

    public static string Text(byte[] hash) => Convert.ToHexStringLower(hash, 0, TextBytes);
}
