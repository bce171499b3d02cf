using System.CommandLine;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Config;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Commands;

/// <summary>The service options shared by every command that reaches the service.</summary>
internal sealed class ServiceOptions
{
    public Option<string?> Service { get; } = new("--service") { Description = "Service base URL (or ENROLL_SERVICE, or \"service\" in the config file)" };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Enroller bearer token (or ENROLL_TOKEN, or \"token\" in the config file; prefer those: a command line is visible to other users)",
    };

    public Option<string?> CaCert { get; } = new("--ca-cert") { Description = "PEM/DER file of a private CA to trust for the service's HTTPS certificate (or ENROLL_CA_CERT)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Service);
        command.Options.Add(Token);
        command.Options.Add(CaCert);
    }

    public ServiceSettings Resolve(ParseResult parse, ToolConfig config) =>
        config.ResolveService(parse.GetValue(Service), parse.GetValue(Token), parse.GetValue(CaCert));
}

/// <summary>Runs a command body, turning a <see cref="ToolFailure"/> into its message and exit code.</summary>
internal static class Run
{
    public static async Task<int> GuardedAsync(Func<Task<ExitCode>> body, TextWriter error)
    {
        try
        {
            return (int)await body().ConfigureAwait(false);
        }
        catch (ToolFailure f)
        {
            await error.WriteLineAsync("enroll: " + f.Message).ConfigureAwait(false);
            return (int)f.Code;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("enroll: cancelled").ConfigureAwait(false);
            return 130;
        }
    }

    /// <summary>Sends work queued earlier before anything new, and says what is still queued.</summary>
    public static async Task<FlushResult?> FlushQueueAsync(WorkQueue queue, ServiceClient client, TextWriter log, CancellationToken ct)
    {
        if (!queue.List().Any(w => w.Service == client.Settings.Key))
        {
            return null;
        }

        var result = await queue.FlushAsync(client, ct).ConfigureAwait(false);
        foreach (var line in result.Lines)
        {
            await log.WriteLineAsync("queue: " + line).ConfigureAwait(false);
        }

        if (result.Remaining > 0)
        {
            await log.WriteLineAsync("queue: " + result.Remaining + " item(s) still queued (" + result.StoppedBy?.Message + "); see `enroll queue list`.")
                .ConfigureAwait(false);
        }

        return result;
    }
}
