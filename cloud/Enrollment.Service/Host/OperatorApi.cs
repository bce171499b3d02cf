using Enrollment.Service.Domain;
using Enrollment.Service.Storage;

namespace Enrollment.Service.Host;

/// <summary>The operator API (issue 4 item 4; docs/service-api.md): devices by state, one device, revoke, audit.</summary>
internal static class OperatorApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").RequireAuthorization(BearerAuthentication.OperatorPolicy).WithTags("Operator");
        admin.MapGet("/devices", List).WithName("ListDevices");
        admin.MapGet("/devices/{id}", Show).WithName("ShowDevice");
        admin.MapPost("/devices/{id}/revoke", Revoke).WithName("RevokeDevice");
        admin.MapGet("/audit", Audit).WithName("ListAudit");
    }

    private static async Task<IResult> List(IEnrollmentStore store, string? state, CancellationToken ct)
    {
        if (state is not null && !EnrolleeState.IsKnown(state))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_state", "state must be pending, enrolled, expired or revoked.");
        }

        var rows = await store.ListEnrolleesAsync(null, state, ct).ConfigureAwait(false);
        return Results.Ok(new DevicesResponse([.. rows.Select(EnrolleeDto.From)]));
    }

    private static async Task<IResult> Show(IEnrollmentStore store, string id, CancellationToken ct)
    {
        var row = await store.GetEnrolleeAsync(id, ct).ConfigureAwait(false);
        if (row is null)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "device_unknown", "No device with this id.");
        }

        var audit = await store.ListAuditAsync("enrollee:" + id, 1000, ct).ConfigureAwait(false);
        return Results.Ok(new DeviceDto(EnrolleeDto.From(row), row.IkB is null ? null : Convert.ToBase64String(row.IkB),
            [.. audit.Select(AuditDto.From)]));
    }

    private static async Task<IResult> Revoke(HttpContext http, IEnrollmentStore store, EnrollmentDirectory directory, Devices.ChannelService channels,
        string id, CancellationToken ct)
    {
        var row = await store.GetEnrolleeAsync(id, ct).ConfigureAwait(false);
        if (row is null)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "device_unknown", "No device with this id.");
        }

        if (!await directory.RevokeAsync(id, http.User.PrincipalName(), ct).ConfigureAwait(false))
        {
            return Problems.Result(StatusCodes.Status409Conflict, "not_revocable", "Only a pending or enrolled device can be revoked (it is " + row.State + ").");
        }

        // Committed: now stop the channel in this process, tell the device, and cut its broker access (issue 8).
        await channels.OnRevokedAsync(id, ct).ConfigureAwait(false);

        return Results.Ok(EnrolleeDto.From((await store.GetEnrolleeAsync(id, ct).ConfigureAwait(false))!));
    }

    private static async Task<IResult> Audit(IEnrollmentStore store, string? subject, int? limit, CancellationToken ct)
    {
        var n = limit ?? 100;
        if (n is < 1 or > 10_000)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_limit", "limit must be between 1 and 10000.");
        }

        var rows = await store.ListAuditAsync(subject, n, ct).ConfigureAwait(false);
        return Results.Ok(new AuditResponse([.. rows.Select(AuditDto.From)]));
    }
}
