using System.Text.Json;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>One run of <c>enroll provision --json --wait</c> as a child process: its exit code, its one JSON object, its output.</summary>
internal sealed record ProvisionRun(int ExitCode, JsonElement? Report, string Output)
{
    public string Field(string name) => Report is { } r && r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
        ? v.GetString()!
        : throw new InvalidOperationException("no \"" + name + "\" in the tool's JSON:\n" + Output);
}

/// <summary>Runs the built tool (<c>dotnet enroll.dll</c>) exactly as an operator would, configured by its environment.</summary>
internal static class EnrollCli
{
    public static async Task<ProvisionRun> ProvisionAsync(ServiceProcess service, string toolHome, string port, string petName,
        int timeoutSeconds, Func<string> context)
    {
        Directory.CreateDirectory(toolHome);
        string passwordFile = Path.Combine(toolHome, "wifi.txt");
        await File.WriteAllTextAsync(passwordFile, "e2e passphrase\n");
        var env = new Dictionary<string, string>
        {
            ["ENROLL_HOME"] = toolHome,
            ["ENROLL_SERVICE"] = service.Url,
            ["ENROLL_TOKEN"] = service.EnrollerToken,
        };
        using var tool = ChildProcess.Start("enroll provision", "dotnet",
            [Paths.ToolDll, "provision", "--port", port, "--wifi-ssid", "e2e-net", "--wifi-password-file", passwordFile, "--pet-name", petName,
                "--wait", "--timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"], env);
        // The tool bounds itself with --timeout; the extra minute covers its start and its own cleanup.
        int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(timeoutSeconds + 60), context);
        string output = tool.Output;
        Assert.DoesNotContain(service.EnrollerToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain("e2e passphrase", output, StringComparison.Ordinal);
        var line = output.Split('\n').Select(l => l.Trim()).SingleOrDefault(l => l.StartsWith('{'));
        return new ProvisionRun(code, line == null ? null : JsonDocument.Parse(line).RootElement.Clone(), output);
    }
}
