using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Host;

/// <summary>
/// `devices revoke --id ID`: revokes a device from the command line, in the database the service uses (the
/// same transaction as the operator API: enrollee and channel revoked, audit row). The running service
/// drops the device's next message because its channel writes are conditional on the stored state, and
/// then sends the revocation frame; with Mosquitto dynamic security this command also deletes the
/// device's broker client at once. Exit codes: 0 revoked, 1 unknown or not revocable, 2 usage.
/// </summary>
internal static class DeviceAdminCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var id = AdminCommands.ValueOf(args, "--id");
        if (args.Length < 2 || args[1] != "revoke" || string.IsNullOrWhiteSpace(id))
        {
            await error.WriteLineAsync("usage: devices revoke --id <device id>").ConfigureAwait(false);
            return 2;
        }

        using var host = await AdminCommands.StartStorageHostAsync(args).ConfigureAwait(false);
        var store = host.Services.GetRequiredService<IEnrollmentStore>();
        var options = host.Services.GetRequiredService<IOptions<ServiceOptions>>().Value;
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
        if (!await store.RevokeEnrolleeAsync(id!, "admin-command", now, CancellationToken.None).ConfigureAwait(false))
        {
            await error.WriteLineAsync("No pending or enrolled device with id '" + id + "'.").ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync("revoked " + id).ConfigureAwait(false);
        if (options.Mqtt.DynamicSecurity && !options.Mqtt.IsEmbedded)
        {
            await using var dynsec = new DynamicSecurityAccess(Options.Create(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<DynamicSecurityAccess>.Instance);
            await dynsec.RemoveAsync(id!, CancellationToken.None).ConfigureAwait(false);
            await output.WriteLineAsync("broker client deleted").ConfigureAwait(false);
        }

        return 0;
    }
}
