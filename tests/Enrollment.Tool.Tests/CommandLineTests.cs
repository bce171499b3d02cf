namespace Enrollment.Tool.Tests;

/// <summary>
/// Exit codes of the two command lines: `enroll` (docs/enroll-tool.md: bad arguments are 2, not the internal-error
/// 1) and the device simulator (usage 2, `--help` 0), each with the usage text.
/// </summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData(0, "--help")]
    [InlineData(2, "provision")] // --port is required
    [InlineData(2, "frobnicate")]
    [InlineData(2, "bundles", "fetch", "--count", "many")]
    public async Task The_enroll_tool_exits_with_the_usage_code_on_bad_arguments(int expected, params string[] args)
    {
        var (code, text) = await RunAsync("enroll.dll", args);
        Assert.True(code == expected, "exit " + code + ":\n" + text);
        Assert.Contains("Usage:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "usage:", "--help")]
    [InlineData(2, "unknown option --bogus", "--bogus")]
    [InlineData(0, "usage:", "--count", "2", "--help")]
    [InlineData(2, "--count takes a whole number, not 'x'", "--count", "x")]
    [InlineData(2, "--count needs a value", "--count")]
    [InlineData(2, "--count is 1..256", "--count", "0")]
    public async Task The_simulator_names_what_is_wrong_with_its_arguments(int expected, string message, params string[] args)
    {
        var (code, text) = await RunAsync("Enrollment.Simulator.dll", args);
        Assert.True(code == expected, "exit " + code + ":\n" + text);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.Contains("usage: Enrollment.Simulator", text, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Text)> RunAsync(string dll, string[] args)
    {
        // No service, token or state anywhere: the arguments are refused before any is looked for.
        var home = Directory.CreateTempSubdirectory("enroll-cli-").FullName;
        try
        {
            return await ToolProcess.RunAsync(dll, args, TimeSpan.FromSeconds(60), info =>
            {
                info.Environment["ENROLL_HOME"] = home;
                info.Environment.Remove("ENROLL_SERVICE");
                info.Environment.Remove("ENROLL_TOKEN");
                info.WorkingDirectory = home;
            });
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
