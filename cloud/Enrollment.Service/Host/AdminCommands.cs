using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Host;

/// <summary>
/// Admin commands of the service, run against the same configuration and database as the service:
///   enrollers add --name N     (prints the new bearer token once; only its SHA-256 is stored)
///   enrollers list
///   enrollers revoke --name N
///   operators add|list|revoke  (same, for operator API tokens)
///   devices revoke --id ID     (issue 8: see DeviceAdminCommand)
/// Exit codes: 0 done, 1 not found / already exists, 2 usage or configuration error.
/// </summary>
internal static class AdminCommands
{
    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "enrollers" or "operators" or "devices";

    /// <summary>What `--help` prints: how to start the service and every admin command.</summary>
    public const string Usage =
        "usage: enrollment-service [--Enrollment:<setting>=<value> ...]   run the service (docs/service-api.md section 8 lists the settings)\n" +
        "       enrollment-service enrollers add --name <name>            make an enroller token (printed once)\n" +
        "       enrollment-service enrollers list | revoke --name <name>\n" +
        "       enrollment-service operators add|list|revoke ...          the same for operator API tokens\n" +
        "       enrollment-service devices revoke --id <device id>        revoke a device, also while the service runs";

    public static bool IsHelp(string[] args) => args.Length > 0 && args[0] is "--help" or "-h" or "help" or "-?" or "/?";

    /// <summary>
    /// A first argument that is neither a command nor a setting (settings are key=value, --key value or /key value):
    /// a mistyped command ("enroller add"), which must not start the service instead.
    /// </summary>
    public static bool IsUnknownCommand(string[] args) =>
        args.Length > 0 && !Handles(args) && !IsHelp(args) && !args[0].StartsWith('-') && !args[0].StartsWith('/') && !args[0].Contains('=', StringComparison.Ordinal);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args[0] == "devices")
        {
            return await DeviceAdminCommand.RunAsync(args, output, error).ConfigureAwait(false);
        }

        var role = args[0] == "enrollers" ? PrincipalRole.Enroller : PrincipalRole.Operator;
        var verb = args.Length > 1 ? args[1] : "";
        var name = ValueOf(args, "--name");
        if (verb is not ("add" or "list" or "revoke") || (verb != "list" && string.IsNullOrWhiteSpace(name)))
        {
            await error.WriteLineAsync("usage: " + args[0] + " add --name <name> | " + args[0] + " list | " + args[0] + " revoke --name <name>").ConfigureAwait(false);
            return 2;
        }

        using var host = await StartStorageHostAsync(args).ConfigureAwait(false);
        var store = host.Services.GetRequiredService<IEnrollmentStore>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        switch (verb)
        {
            case "add":
                if ((await store.ListPrincipalsAsync(role, CancellationToken.None).ConfigureAwait(false)).Any(p => p.Name == name))
                {
                    await error.WriteLineAsync(args[0][..^1] + " '" + name + "' already exists.").ConfigureAwait(false);
                    return 1;
                }

                var token = Tokens.NewToken(role);
                await store.AddPrincipalAsync(name!, role, Tokens.Hash(token), now, CancellationToken.None).ConfigureAwait(false);
                // The one place a token is ever shown: on the operator's terminal, once.
                await output.WriteLineAsync(token).ConfigureAwait(false);
                return 0;
            case "revoke":
                if (!await store.RevokePrincipalAsync(name!, role, now, CancellationToken.None).ConfigureAwait(false))
                {
                    await error.WriteLineAsync("No active " + args[0][..^1] + " named '" + name + "'.").ConfigureAwait(false);
                    return 1;
                }

                await output.WriteLineAsync("revoked " + name).ConfigureAwait(false);
                return 0;
            default:
                foreach (var p in await store.ListPrincipalsAsync(role, CancellationToken.None).ConfigureAwait(false))
                {
                    var state = p.RevokedAt is { } r ? "revoked " + DateTimeOffset.FromUnixTimeMilliseconds(r).ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "active";
                    await output.WriteLineAsync(p.Name + "\t" + state + "\tcreated " +
                        DateTimeOffset.FromUnixTimeMilliseconds(p.CreatedAt).ToString("u", System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
                }

                return 0;
        }
    }

    /// <summary>
    /// The service's configuration and store, without its listeners: binds and validates the options the
    /// way the service does and brings the schema up to date, so a command works on a fresh data directory.
    /// </summary>
    internal static async Task<IHost> StartStorageHostAsync(string[] args)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory,
            // Same environment as the service would have (`dotnet run` sets ASPNETCORE_ENVIRONMENT).
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"),
        });
        builder.Logging.ClearProviders();
        ServiceApp.AddCore(builder.Services, builder.Configuration, storageOnly: true);
        var host = builder.Build();
        try
        {
            _ = host.Services.GetRequiredService<IOptions<ServiceOptions>>().Value.Storage; // binds and validates
            await host.Services.GetRequiredService<IEnrollmentStore>().MigrateAsync(CancellationToken.None).ConfigureAwait(false);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    internal static string? ValueOf(string[] args, string option)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == option)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
