using System.CommandLine;
using Enrollment.Tool.Commands;

namespace Enrollment.Tool;

/// <summary>
/// <c>enroll</c>: the enroller of docs/architecture.md. Commands: ports, provision, bundles fetch|list,
/// queue list|flush. See docs/enroll-tool.md.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

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
