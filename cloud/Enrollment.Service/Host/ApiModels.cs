using Enrollment.Service.Domain;

namespace Enrollment.Service.Host;

// JSON shapes of the HTTP API (docs/service-api.md). camelCase on the wire (ASP.NET Core's web defaults);
// byte strings are standard base64; times are ISO 8601 UTC.

internal sealed record BundleDto(string BundleId, DateTimeOffset ExpiresAt, string Bundle);

internal sealed record BundlesResponse(IReadOnlyList<BundleDto> Bundles);

internal sealed record RegisterEnrolleeRequest(string? EikPublicKey, string? PetName, string? BundleId);

internal sealed record EnrolleeDto(
    string Id, string DeviceId, string? PetName, string BundleId, string State, string Enroller,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? EnrolledAt, DateTimeOffset? RevokedAt)
{
    public static EnrolleeDto From(EnrolleeRow r) => new(
        r.Id, EnrolleeIdentity.Text(r.EikHash), r.PetName, r.BundleId, r.State, r.EnrollerName,
        DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.ExpiresAt),
        r.EnrolledAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null,
        r.RevokedAt is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null);
}

internal sealed record EnrolleesResponse(IReadOnlyList<EnrolleeDto> Enrollees);

internal sealed record DeviceDto(EnrolleeDto Device, string? IdentityKey, IReadOnlyList<AuditDto> Audit);

internal sealed record DevicesResponse(IReadOnlyList<EnrolleeDto> Devices);

internal sealed record AuditDto(long Id, DateTimeOffset At, string Subject, string Action, string Actor, string? Detail)
{
    public static AuditDto From(AuditRow r) =>
        new(r.Id, DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.Subject, r.Action, r.Actor, r.Detail);
}

internal sealed record AuditResponse(IReadOnlyList<AuditDto> Entries);
