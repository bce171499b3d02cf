using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Enrollment.Service.Host;

/// <summary>
/// Every error answer is an RFC 9457 problem document (application/problem+json) with a stable
/// machine-readable "code" beside the human "title"/"detail" (docs/service-api.md lists the codes).
/// </summary>
internal static class Problems
{
    public static IResult Result(int status, string code, string detail) =>
        Results.Problem(new ProblemDetails
        {
            Status = status,
            Title = code.Replace('_', ' '),
            Detail = detail,
            Extensions = { ["code"] = code },
        });

    public static Task Write(HttpContext context, int status, string code, string detail) =>
        Result(status, code, detail).ExecuteAsync(context);

    /// <summary>
    /// The same document for an error the framework answered without a body: no endpoint at the path, a method
    /// or Content-Type the endpoint does not take, a query value or JSON body it could not bind, an unhandled
    /// failure. Without this they went out empty (or, in Development, as a developer exception page).
    /// </summary>
    public static Task WriteForBareStatus(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (code, detail) = status switch
        {
            StatusCodes.Status400BadRequest => ("invalid_request",
                "A parameter could not be read: count and limit take whole numbers, a JSON body must be an object of the documented shape (/openapi/v1.json)."),
            StatusCodes.Status404NotFound => ("not_found", "No endpoint at this path (/openapi/v1.json lists them)."),
            StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", "This path does not take " + context.Request.Method + " (/openapi/v1.json)."),
            StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", "Send the body with Content-Type: application/json."),
            StatusCodes.Status500InternalServerError => ("internal_error", "The service failed to answer; the request may be retried (the failure is logged)."),
            _ => Generic(ReasonPhrases.GetReasonPhrase(status)),
        };
        return Write(context, status, code, detail);
    }

    private static (string Code, string Detail) Generic(string phrase) =>
        phrase.Length == 0 ? ("error", "The request failed.") : (phrase.ToLowerInvariant().Replace(' ', '_').Replace("-", "", StringComparison.Ordinal), phrase + ".");
}
