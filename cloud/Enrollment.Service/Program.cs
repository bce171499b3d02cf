using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Microsoft.Extensions.Options;

namespace Enrollment.Service;

/// <summary>
/// `dotnet run --project cloud/Enrollment.Service` runs the service; `... -- enrollers add --name N` (and
/// list / revoke, and the same for operators) runs an admin command. A start-up failure prints one line
/// naming what to fix and exits with code 2.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            if (AdminCommands.IsHelp(args))
            {
                await Console.Out.WriteLineAsync(AdminCommands.Usage).ConfigureAwait(false);
                return 0;
            }

            if (AdminCommands.IsUnknownCommand(args))
            {
                await Console.Error.WriteLineAsync("enrollment-service: unknown command '" + args[0] + "'\n" + AdminCommands.Usage).ConfigureAwait(false);
                return 2;
            }

            if (AdminCommands.Handles(args))
            {
                return await AdminCommands.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
            }

            await using var app = ServiceApp.Build(args);
            await ServiceApp.StartAsync(app, app.Lifetime.ApplicationStopping).ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (StartupFailure.Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync("enrollment-service: cannot start: " + message).ConfigureAwait(false);
            return 2;
        }
    }
}

internal static class StartupFailure
{
    /// <summary>The one line for a misconfiguration; null for anything else (which then crashes loudly).</summary>
    public static string? Describe(Exception e) => e switch
    {
        StartupException s => s.Message,
        OptionsValidationException o => string.Join(" ", o.Failures),
        IOException io when io.InnerException is System.Net.Sockets.SocketException => "HTTP listener: " + io.Message,
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
        _ when e.InnerException is not null => Describe(e.InnerException),
        _ => null,
    };
}
