using Enrollment.Protocol.Session;
using Enrollment.Service.Devices;
using Enrollment.Service.Domain;
using Enrollment.Service.Storage;

namespace Enrollment.Service.Host;

/// <summary>
/// Operator routes of the secure channel (issue 8; docs/service-api.md): recent telemetry, commands sent
/// down with their acknowledgements, and the identity key history. Same operator authorization as the rest
/// of /v1/admin.
/// </summary>
internal static class DeviceChannelApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin/devices/{id}").RequireAuthorization(BearerAuthentication.OperatorPolicy).WithTags("Operator");
        admin.MapGet("/telemetry", Telemetry).WithName("DeviceTelemetry");
        admin.MapPost("/commands", SendCommand).WithName("SendCommand");
        admin.MapGet("/commands", Commands).WithName("ListCommands");
        admin.MapGet("/identities", Identities).WithName("IdentityHistory");
    }

    private static async Task<IResult> Telemetry(IEnrollmentStore store, IChannelStore channels, string id, int? limit, CancellationToken ct)
    {
        var n = limit ?? 20;
        if (n is < 1 or > 1000)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_limit", "limit must be between 1 and 1000.");
        }

        if (await store.GetEnrolleeAsync(id, ct).ConfigureAwait(false) is null)
        {
            return Unknown();
        }

        var rows = await channels.ListTelemetryAsync(id, n, ct).ConfigureAwait(false);
        return Results.Ok(new TelemetryResponse([.. rows.Select(r => new TelemetryDto(DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.Epoch,
            r.Counter, Convert.ToBase64String(r.Payload)))]));
    }

    private static async Task<IResult> SendCommand(ChannelService service, string id, SendCommandRequest? request, CancellationToken ct)
    {
        byte[] body;
        try
        {
            body = Convert.FromBase64String(request?.Body ?? "");
        }
        catch (FormatException)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_body", "body must be base64.");
        }

        if (body.Length > SessionConstants.MaxPayloadSize - ChannelPayloads.CommandHeaderSize)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "invalid_body", "A command holds at most 1020 bytes.");
        }

        var (outcome, commandId) = await service.SendCommandAsync(id, body, ct).ConfigureAwait(false);
        return outcome switch
        {
            CommandOutcome.Sent => Results.Accepted("/v1/admin/devices/" + id + "/commands", new CommandSentDto(commandId)),
            CommandOutcome.UnknownDevice => Unknown(),
            _ => Problems.Result(StatusCodes.Status409Conflict, "not_active", "The device is revoked: it takes no commands."),
        };
    }

    private static async Task<IResult> Commands(IEnrollmentStore store, IChannelStore channels, string id, CancellationToken ct)
    {
        if (await store.GetEnrolleeAsync(id, ct).ConfigureAwait(false) is null)
        {
            return Unknown();
        }

        var rows = await channels.ListCommandsAsync(id, ct).ConfigureAwait(false);
        return Results.Ok(new CommandsResponse([.. rows.Select(CommandDto.From)]));
    }

    private static async Task<IResult> Identities(IEnrollmentStore store, IChannelStore channels, string id, CancellationToken ct)
    {
        if (await store.GetEnrolleeAsync(id, ct).ConfigureAwait(false) is null)
        {
            return Unknown();
        }

        var rows = await channels.ListIdentityHistoryAsync(id, ct).ConfigureAwait(false);
        return Results.Ok(new IdentityHistoryResponse([.. rows.Select(r => new IdentityChangeDto(DateTimeOffset.FromUnixTimeMilliseconds(r.At),
            Convert.ToBase64String(r.OldKey), Convert.ToBase64String(r.NewKey), Convert.ToBase64String(r.Request)))]));
    }

    private static IResult Unknown() => Problems.Result(StatusCodes.Status404NotFound, "device_unknown", "No device with this id.");
}

internal sealed record SendCommandRequest(string? Body);

internal sealed record CommandSentDto(uint CommandId);

internal sealed record TelemetryDto(DateTimeOffset At, uint Epoch, ulong Counter, string Payload);

internal sealed record TelemetryResponse(IReadOnlyList<TelemetryDto> Telemetry);

internal sealed record CommandDto(uint CommandId, string Body, DateTimeOffset CreatedAt, bool Acknowledged, DateTimeOffset? AcknowledgedAt, string? Status, string? Detail)
{
    public static CommandDto From(CommandRow r) => new(r.CommandId, Convert.ToBase64String(r.Body), DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
        r.AckedAt is not null, r.AckedAt is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null,
        r.AckStatus switch { 0 => "done", 1 => "failed", 2 => "unsupported", _ => null }, r.AckDetail is null ? null : Convert.ToBase64String(r.AckDetail));
}

internal sealed record CommandsResponse(IReadOnlyList<CommandDto> Commands);

internal sealed record IdentityChangeDto(DateTimeOffset At, string OldKey, string NewKey, string Request);

internal sealed record IdentityHistoryResponse(IReadOnlyList<IdentityChangeDto> Identities);
