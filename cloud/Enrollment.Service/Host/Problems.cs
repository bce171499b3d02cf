using Microsoft.AspNetCore.Mvc;

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
}
