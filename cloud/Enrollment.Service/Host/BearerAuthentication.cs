using System.Security.Claims;
using System.Text.Encodings.Web;
using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Host;

/// <summary>
/// "Authorization: Bearer &lt;token&gt;" for enrollers and operators. The token is hashed (SHA-256) and looked up
/// by hash; the stored hash is compared again in fixed time. Revoked principals are refused. The operator
/// token from configuration (Enrollment:Admin:Token) is compared the same way. Tokens are never logged.
/// </summary>
internal sealed class BearerAuthentication : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "Bearer";
    public const string EnrollerPolicy = "enroller";
    public const string OperatorPolicy = "operator";
    private readonly IEnrollmentStore _store;
    private readonly byte[]? _configAdminHash;

    public BearerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        IEnrollmentStore store, IOptions<ServiceOptions> service)
        : base(options, logger, encoder)
    {
        _store = store;
        var t = service.Value.Admin.Token;
        _configAdminHash = string.IsNullOrEmpty(t) ? null : Tokens.Hash(t);
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 256)
        {
            return AuthenticateResult.Fail("malformed token");
        }

        var hash = Tokens.Hash(token);
        if (_configAdminHash is not null && Tokens.HashesEqual(hash, _configAdminHash))
        {
            return Success(0, "config-admin", PrincipalRole.Operator);
        }

        var found = await _store.FindPrincipalByTokenHashAsync(hash, Context.RequestAborted).ConfigureAwait(false);
        if (found is not { } f || !Tokens.HashesEqual(hash, f.TokenHash) || f.Principal.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("unknown or revoked token");
        }

        return Success(f.Principal.Id, f.Principal.Name, f.Principal.Role);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Write(Context, StatusCodes.Status401Unauthorized, "unauthorized", "A valid bearer token is required.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "forbidden", "This token may not call this endpoint.");

    private AuthenticateResult Success(long id, string name, PrincipalRole role)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, name),
            new Claim(ClaimTypes.Role, role == PrincipalRole.Enroller ? EnrollerPolicy : OperatorPolicy),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

internal static class PrincipalExtensions
{
    public static long PrincipalId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);

    public static string PrincipalName(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Name)!;
}
