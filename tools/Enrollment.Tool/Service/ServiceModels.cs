namespace Enrollment.Tool.Service;

// The JSON shapes of the enroller API (docs/service-api.md): camelCase, byte strings base64, times ISO 8601 UTC.

internal sealed record BundleDto(string BundleId, DateTimeOffset ExpiresAt, string Bundle);

internal sealed record BundlesResponse(List<BundleDto> Bundles);

internal sealed record RegisterRequest(string EikPublicKey, string? PetName, string BundleId);

internal sealed record EnrolleeResponse(string Id, string DeviceId, string? PetName, string BundleId, string State,
    string? Enroller, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

internal sealed record EnrolleesResponse(List<EnrolleeResponse> Enrollees);

/// <summary>RFC 9457 problem document with the service's stable "code" extension.</summary>
internal sealed record ProblemResponse(string? Title, string? Detail, int? Status, string? Code);

/// <summary>Why a service call failed; decides the exit code and whether the work can be queued.</summary>
internal enum ServiceFailureKind
{
    /// <summary>No answer (connection refused, DNS, TLS, timeout, 502/503/504): worth queuing and retrying.</summary>
    Unreachable,

    /// <summary>401/403: the token is expired, revoked or wrong. Retrying will not help.</summary>
    Unauthorized,

    /// <summary>The service answered and refused (4xx other than auth, or 500).</summary>
    Rejected,
}

internal sealed class ServiceException : Exception
{
    public ServiceException(ServiceFailureKind kind, int status, string? code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Status = status;
        Code = code;
    }

    public ServiceFailureKind Kind { get; }

    /// <summary>HTTP status, 0 when there was no answer.</summary>
    public int Status { get; }

    /// <summary>The problem document's code (e.g. bundle_expired), if any.</summary>
    public string? Code { get; }

    public bool IsTransient => Kind == ServiceFailureKind.Unreachable;

    public ToolFailure ToFailure(string doing) => Kind switch
    {
        ServiceFailureKind.Unreachable => new ToolFailure(ExitCode.ServiceUnreachable, "The service is unreachable while " + doing + ": " + Message, this),
        ServiceFailureKind.Unauthorized => new ToolFailure(ExitCode.AuthRejected,
            "The service refused the enroller token (" + Status + ") while " + doing + ": it is expired, revoked or wrong. Ask the service's admin for a new one.", this),
        _ => new ToolFailure(ExitCode.ServiceError, "The service refused " + doing + ": " + Message, this),
    };
}
