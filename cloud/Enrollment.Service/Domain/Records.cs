namespace Enrollment.Service.Domain;

// Rows the domain reads and writes through IEnrollmentStore. Times are Unix milliseconds (UTC) so that
// SQLite and PostgreSQL store them the same way. Sealed private keys are KeyVault output, never raw keys.

internal enum PrincipalRole
{
    Enroller,
    Operator,
}

internal sealed record Principal(long Id, string Name, PrincipalRole Role, long CreatedAt, long? RevokedAt);

internal sealed record IdentityKeyRow(byte[] PublicKey, byte[] SealedPrivateKey, long CreatedAt);

/// <summary>A signed prekey: handed out in new bundles until ReplaceAt, accepted until RetireAt.</summary>
internal sealed record SignedPrekeyRow(
    uint Id, byte[] PublicKey, byte[]? SealedPrivateKey, byte[] Signature, long CreatedAt, long ReplaceAt, long RetireAt);

internal static class OpkState
{
    public const string Free = "free";
    public const string Reserved = "reserved";
    public const string Used = "used";
    public const string Discarded = "discarded";
}

internal sealed record OneTimePrekeyRow(uint Id, byte[] PublicKey, byte[]? SealedPrivateKey, string State);

internal static class BundleState
{
    public const string Reserved = "reserved";
    public const string Bound = "bound";
    public const string Expired = "expired";
    public const string Withdrawn = "withdrawn";
}

/// <summary>A bundle; Address is the encoded service address it carried (docs/protocol.md section 7: Addr is authenticated as bytes).</summary>
internal sealed record BundleRow(
    string Id, uint OpkId, uint SpkId, long EnrollerId, long CreatedAt, long ExpiresAt, string State, byte[] Address);

/// <summary>A bundle just reserved, with the keys the bundle encoder needs.</summary>
internal sealed record ReservedBundle(BundleRow Bundle, byte[] OpkPublicKey);

internal static class EnrolleeState
{
    public const string Pending = "pending";
    public const string Enrolled = "enrolled";
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    public static bool IsKnown(string s) => s is Pending or Enrolled or Expired or Revoked;
}

internal sealed record EnrolleeRow(
    string Id,
    byte[] EikHash,
    byte[]? EikPublic,
    string? PetName,
    string BundleId,
    uint OpkId,
    long EnrollerId,
    string EnrollerName,
    string State,
    long CreatedAt,
    long ExpiresAt,
    long? EnrolledAt,
    byte[]? IkB,
    long? RevokedAt);

internal sealed record NewEnrollee(
    string Id, byte[] EikHash, byte[] EikPublic, string? PetName, string BundleId, long EnrollerId, long CreatedAt, long ExpiresAt);

internal enum RegisterOutcome
{
    Created,
    Existing,
    BundleUnknown,
    BundleExpired,
    Conflict,
}

internal sealed record RegisterResult(RegisterOutcome Outcome, EnrolleeRow? Enrollee, string? Detail);

internal sealed record AuditRow(long Id, long At, string Subject, string Action, string Actor, string? Detail);

/// <summary>What the ingress commits in one transaction when an enrollment succeeds (EikHash keeps the ingress index in step).</summary>
internal sealed record CompletedEnrollment(
    string EnrolleeId, byte[] EikHash, uint OpkId, byte[] EphemeralKey, byte[] MessageHash, byte[] IkB, byte[] ResultMessage, long At, ChannelInit? Channel = null);

/// <summary>The answer stored for an accepted EK_B, and the hash of the message that earned it.</summary>
internal sealed record SeenEphemeralKey(byte[] MessageHash, byte[] Result);

/// <summary>An accepted enrollee whose device has not used its channel yet: Hash(EIK_B), its bundle's Addr and its sealed result.</summary>
internal sealed record UnconfirmedResult(byte[] EikHash, byte[] Address, byte[] Result);

internal enum CompleteOutcome
{
    Committed,
    /// <summary>EK_B was recorded meanwhile (a duplicate raced us): answer with the stored result.</summary>
    AlreadySeen,
    /// <summary>The enrollee or its OPK moved on meanwhile (revoked, expired, used): reject.</summary>
    StateChanged,
}

/// <summary>
/// What registration knew of a pending enrollee, kept in the <see cref="IngressIndex"/> so that its enrollment
/// message needs no database read at all: the enrollee, its bundle and its OPK row (the private key as stored:
/// sealed with the KEK). The enrollment's commit stays conditional on the stored state (OPK still reserved,
/// enrollee still pending), so a row that changed since is caught there; the index drops the entry whenever the
/// store consumes, discards or expires it.
/// </summary>
internal sealed record VettedEnrollee(EnrolleeRow Enrollee, BundleRow Bundle, OneTimePrekeyRow OneTimePrekey);

/// <summary>What the ingress's cheap checks read, in one query (each part null when absent).</summary>
internal sealed record IngressState(SeenEphemeralKey? Seen, EnrolleeRow? Enrollee, OneTimePrekeyRow? OneTimePrekey, BundleRow? Bundle);
