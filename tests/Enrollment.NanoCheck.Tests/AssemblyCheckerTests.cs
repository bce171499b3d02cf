using System.Reflection;
using Enrollment.NanoCheck;

namespace Enrollment.NanoCheck.Tests;

/// <summary>
/// The CI device check is only worth something if it can fail: scan a sample compiled against
/// nanoFramework's mscorlib that contains every forbidden construct, and the real protocol core.
/// </summary>
public sealed class AssemblyCheckerTests
{
    private static string Metadata(string key) =>
        typeof(AssemblyCheckerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string DeviceDll(string projectDir, string assembly) =>
        Path.Combine(Metadata("RepoRoot"), projectDir, "bin", Metadata("BuildConfiguration"), "netstandard2.0", assembly + ".dll");

    private static readonly AssemblyChecker.Report Violations =
        AssemblyChecker.Check(DeviceDll("tests/NanoCheckSamples", "NanoCheck.Violations"), Array.Empty<string>());

    [Theory]
    [InlineData("GenericParam row: T")]
    [InlineData("multi-dimensional array Int32[,]")]
    [InlineData("TypeRef System.Action`1: generic type reference")]
    [InlineData("generic instantiation System.Action`1<Int32>")]
    [InlineData("MethodSpec row: generic method instantiation (Identity)")]
    [InlineData("TypeDef NanoCheck.Violations.Box`1: generic type definition")]
    [InlineData("pointer type Int32* (unsafe code)")]
    public void Each_forbidden_construct_is_reported(string expected)
    {
        Assert.Contains(Violations.Findings, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_protocol_core_compiled_for_nanoFramework_is_clean()
    {
        var report = AssemblyChecker.Check(DeviceDll("shared/Enrollment.Protocol.Nano", "Enrollment.Protocol"), Array.Empty<string>());
        Assert.Empty(report.Findings);
        Assert.Equal(1, report.Counts["AssemblyRef rows"]); // mscorlib only
    }

    [Fact]
    public void An_assembly_built_against_the_desktop_runtime_is_reported()
    {
        // The scanner itself is a net10.0 assembly: it references System.Runtime, not mscorlib.
        var report = AssemblyChecker.Check(typeof(AssemblyChecker).Assembly.Location, Array.Empty<string>());
        Assert.Contains(report.Findings, f => f == "AssemblyRef System.Runtime: a desktop runtime assembly");
    }
}
