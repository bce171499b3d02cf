using System.CommandLine;
using Enrollment.Tool.Commands;

namespace Enrollment.Tool;

/// <summary>
/// <c>enroll</c>: the enroller of docs/architecture.md. Commands: ports, provision, bundles fetch|list,
/// queue list|flush. See docs/enroll-tool.md.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parsed = BuildRoot().Parse(args);
        var code = await parsed.InvokeAsync().ConfigureAwait(false);
        // System.CommandLine answers a parse error (unknown command, missing option) with its message, the help
        // and exit code 1, which this tool's list reserves for internal errors: bad arguments are 2.
        return parsed.Errors.Count > 0 ? (int)ExitCode.Usage : code;
    }

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("enroll: provisions IoT enrollees over serial with an enrollment service.\n\n"
            + "Service URL and token: --service/--token, or ENROLL_SERVICE/ENROLL_TOKEN, or config.json in $ENROLL_HOME "
            + "(default ~/.config/enroll). The token is never printed.\n\n" + ExitCodes.HelpText())
        {
            PortsCommand.Create(),
            ProvisionCommand.Create(),
            CacheCommands.Bundles(),
            CacheCommands.Queue(),
            ResetCommand.Create(),
            Demo.DemoCommand.Create(),
        };
        return root;
    }
}
