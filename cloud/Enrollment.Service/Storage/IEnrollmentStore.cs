using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

/// <summary>
/// Everything the service keeps, behind one interface with a SQLite and a PostgreSQL implementation
/// (same schema, same SQL apart from a few type names). Every state change writes its audit row in the
/// same transaction.
/// </summary>
internal interface IEnrollmentStore
{
    Task MigrateAsync(CancellationToken ct);

    Task PingAsync(CancellationToken ct);

    // Principals (enrollers and operators): tokens are stored as SHA-256 hashes only.
    Task<Principal> AddPrincipalAsync(string name, PrincipalRole role, byte[] tokenHash, long now, CancellationToken ct);

    Task<IReadOnlyList<Principal>> ListPrincipalsAsync(PrincipalRole role, CancellationToken ct);

    Task<bool> RevokePrincipalAsync(string name, PrincipalRole role, long now, CancellationToken ct);

    Task<(Principal Principal, byte[] TokenHash)?> FindPrincipalByTokenHashAsync(byte[] tokenHash, CancellationToken ct);

    // Service keys.
    Task<IdentityKeyRow?> GetIdentityKeyAsync(CancellationToken ct);

    /// <summary>Inserts IK_A unless one exists; returns the one stored.</summary>
    Task<IdentityKeyRow> EnsureIdentityKeyAsync(IdentityKeyRow candidate, CancellationToken ct);

    Task<IReadOnlyList<SignedPrekeyRow>> ListSignedPrekeysAsync(CancellationToken ct);

    Task InsertSignedPrekeyAsync(SignedPrekeyRow row, CancellationToken ct);

    /// <summary>Deletes the private keys of signed prekeys past RetireAt; returns how many.</summary>
    Task<int> RetireSignedPrekeysAsync(long now, CancellationToken ct);

    Task<int> CountFreeOneTimePrekeysAsync(CancellationToken ct);

    Task<uint> MaxKeyIdAsync(CancellationToken ct);

    Task InsertOneTimePrekeysAsync(IReadOnlyList<OneTimePrekeyRow> rows, long now, CancellationToken ct);

    Task<OneTimePrekeyRow?> GetOneTimePrekeyAsync(uint id, CancellationToken ct);

    // Bundles and enrollees.
    Task<IReadOnlyList<ReservedBundle>> ReserveBundlesAsync(
        int count, long enrollerId, string enrollerName, uint spkId, byte[] address, long now, long expiresAt, CancellationToken ct);

    Task<BundleRow?> GetBundleAsync(string bundleId, CancellationToken ct);

    Task<RegisterResult> RegisterEnrolleeAsync(NewEnrollee enrollee, string enrollerName, CancellationToken ct);

    Task<IReadOnlyList<EnrolleeRow>> ListEnrolleesAsync(long? enrollerId, string? state, CancellationToken ct);

    Task<EnrolleeRow?> GetEnrolleeAsync(string id, CancellationToken ct);

    /// <summary>Newest enrollee with this Hash(EIK_B), whatever its state.</summary>
    Task<EnrolleeRow?> FindEnrolleeByEikHashAsync(byte[] eikHash, CancellationToken ct);

    /// <summary>Deletes a pending enrollee of this enroller; its OPK is discarded (never handed out again).</summary>
    Task<bool> DeletePendingEnrolleeAsync(string id, long enrollerId, string actor, long now, CancellationToken ct);

    Task<bool> RevokeEnrolleeAsync(string id, string actor, long now, CancellationToken ct);

    // Ingress.
    Task<SeenEphemeralKey?> FindSeenEphemeralKeyAsync(byte[] eikHash, byte[] ephemeralKey, CancellationToken ct);

    /// <summary>
    /// The seen record of EK_B accepted from an enrollee with this id, the newest enrollee with this id, the named
    /// OPK and the enrollee's bundle, in one read.
    /// </summary>
    Task<IngressState> LoadIngressStateAsync(byte[] ephemeralKey, byte[] eikHash, uint opkId, CancellationToken ct);

    Task<CompleteOutcome> CompleteEnrollmentAsync(CompletedEnrollment done, CancellationToken ct);

    // Expiry.
    Task<int> ExpirePendingEnrolleesAsync(long now, CancellationToken ct);

    /// <summary>Hash(EIK_B) of every pending enrollee whose approval has not expired: the request topics to listen on.</summary>
    Task<IReadOnlyList<byte[]>> ListAwaitedEikHashesAsync(long now, CancellationToken ct);

    /// <summary>
    /// Hash(EIK_B) of every enrollee no longer awaited (enrolled, expired, revoked) whose approval expires or
    /// expired after <paramref name="since"/>: request topics an earlier run of the service may have left
    /// subscribed in its persistent session.
    /// </summary>
    Task<IReadOnlyList<byte[]>> ListUnawaitedEikHashesAsync(long since, long now, CancellationToken ct);

    /// <summary>
    /// Accepted enrollees whose approval has not expired and whose device has not been heard on its channel yet
    /// (epoch 0, no up frame): Hash(EIK_B), the bundle's encoded address and the sealed result. With per-enrollee
    /// request topics these results are published retained again at every connect (a broker restart may have lost them).
    /// </summary>
    Task<IReadOnlyList<UnconfirmedResult>> ListUnconfirmedResultsAsync(long now, CancellationToken ct);

    Task<int> ExpireReservedBundlesAsync(long now, CancellationToken ct);

    Task<IReadOnlyList<AuditRow>> ListAuditAsync(string? subject, int limit, CancellationToken ct);
}
