using Enrollment.Protocol.Messages;

namespace Enrollment.Service.Domain;

/// <summary>The enrollee identifier of docs/protocol.md section 4: SHA-256(EIK_B), shown as the first 10 bytes in hex.</summary>
internal static class EnrolleeIdentity
{
    public static byte[] Hash(byte[] eikPublic) => EnrolleeId.Compute(eikPublic);

    public static string Text(byte[] hash) => EnrolleeId.ToText(hash);
}
