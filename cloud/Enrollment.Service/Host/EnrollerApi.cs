using Enrollment.Protocol.Messages;
using Enrollment.Service.Domain;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Host;

/// <summary>The enroller API (issue 4 item 3; docs/service-api.md): bundles and pending enrollees.</summary>
internal static class EnrollerApi
{
    public const int MaxPetNameBytes = PetName.MaxBytes;

    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization(BearerAuthentication.EnrollerPolicy).WithTags("Enroller");
        v1.MapPost("/bundles", IssueBundles).WithName("IssueBundles");
        v1.MapPost("/enrollees", Register).WithName("RegisterEnrollee").Accepts<RegisterEnrolleeRequest>("application/json")
            .Produces<EnrolleeDto>(StatusCodes.Status201Created).Produces<EnrolleeDto>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status410Gone);
        v1.MapGet("/enrollees", ListPending).WithName("ListPendingEnrollees");
        v1.MapDelete("/enrollees/{id}", Delete).WithName("DeletePendingEnrollee");
    }

    private static async Task<IResult> IssueBundles(HttpContext http, EnrollmentDirectory directory, IOptions<ServiceOptions> options,
        int? count, CancellationToken ct)
    {
        var n = count ?? 1;
        var max = options.Value.Lifetimes.MaxBundlesPerRequest;
        if (n < 1 || n > max)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_count", "count must be between 1 and " + max + ".");
        }

        var bundles = await directory.IssueBundlesAsync(n, http.User.PrincipalId(), http.User.PrincipalName(), ct).ConfigureAwait(false);
        if (bundles.Count == 0)
        {
            http.Response.Headers.RetryAfter = "5";
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, "prekeys_exhausted",
                "No one-time prekey is free right now; the pool is being refilled. Retry later.");
        }

        return Results.Ok(new BundlesResponse([.. bundles.Select(b => new BundleDto(b.BundleId, b.ExpiresAt, Convert.ToBase64String(b.Encoded)))]));
    }

    private static async Task<IResult> Register(HttpContext http, EnrollmentDirectory directory, CancellationToken ct)
    {
        // The body is read here rather than bound, so that malformed JSON gets the documented problem body.
        RegisterEnrolleeRequest? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<RegisterEnrolleeRequest>(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            body = null;
        }

        if (body is null)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_body", "A JSON object body (Content-Type: application/json) is required.");
        }

        var eik = DecodeKey(body.EikPublicKey);
        if (eik is null)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_eik_public_key", "eikPublicKey must be base64 of 32 bytes.");
        }

        if (body.BundleId is null || body.BundleId.Length != 32 || !IsLowerHex(body.BundleId))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_bundle_id", "bundleId must be the 32 lowercase hex digits the service issued.");
        }

        if (body.PetName is not null && !IsValidPetName(body.PetName))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_pet_name",
                "petName must be 1 to " + MaxPetNameBytes + " bytes of UTF-8 without control characters.");
        }

        var r = await directory.RegisterAsync(eik, body.PetName, body.BundleId, http.User.PrincipalId(), http.User.PrincipalName(), ct)
            .ConfigureAwait(false);
        return r.Outcome switch
        {
            RegisterOutcome.Created => Results.Created("/v1/enrollees/" + r.Enrollee!.Id, EnrolleeDto.From(r.Enrollee)),
            RegisterOutcome.Existing => Results.Ok(EnrolleeDto.From(r.Enrollee!)),
            RegisterOutcome.BundleUnknown => Problems.Result(StatusCodes.Status404NotFound, "bundle_unknown",
                "No bundle with this id was issued to this enroller, or it was withdrawn."),
            RegisterOutcome.BundleExpired => Problems.Result(StatusCodes.Status410Gone, "bundle_expired", "The bundle has expired; fetch a new one."),
            _ => Problems.Result(StatusCodes.Status409Conflict, "conflict", r.Detail ?? "Conflicting registration."),
        };
    }

    private static async Task<IResult> ListPending(HttpContext http, EnrollmentDirectory directory, CancellationToken ct)
    {
        var rows = await directory.ListPendingAsync(http.User.PrincipalId(), ct).ConfigureAwait(false);
        return Results.Ok(new EnrolleesResponse([.. rows.Select(EnrolleeDto.From)]));
    }

    private static async Task<IResult> Delete(HttpContext http, EnrollmentDirectory directory, string id, CancellationToken ct)
    {
        var deleted = await directory.DeleteAsync(id, http.User.PrincipalId(), http.User.PrincipalName(), ct).ConfigureAwait(false);
        return deleted
            ? Results.NoContent()
            : Problems.Result(StatusCodes.Status404NotFound, "enrollee_unknown", "No pending enrollee with this id belongs to this enroller.");
    }

    internal static byte[]? DecodeKey(string? base64)
    {
        if (base64 is null || base64.Length != 44)
        {
            return null;
        }

        var buffer = new byte[33];
        return Convert.TryFromBase64String(base64, buffer, out var n) && n == 32 ? buffer[..32] : null;
    }

    /// <summary>docs/protocol.md section 4: 1..64 bytes of well-formed UTF-8 without control characters.</summary>
    internal static bool IsValidPetName(string name) => PetName.IsValid(name);

    private static bool IsLowerHex(string s) => s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
