using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Enrollment.NanoCheck.Tests;

/// <summary>
/// The self-test compiled against nanoFramework's mscorlib must be runnable as it is built: nanoFramework's
/// metadata processor marks a method as the entry point only when the assembly's CLI header names one, and
/// without it the virtual device (nanoCLR) loads the .pe and stops with "Cannot find any entrypoint!" (seen
/// when the project was a Library).
/// </summary>
public sealed class SelfTestEntryPointTests
{
    private static string Metadata(string key) =>
        typeof(SelfTestEntryPointTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    [Fact]
    public void The_device_self_test_has_Program_Main_as_its_entry_point()
    {
        string dll = Path.Combine(Metadata("RepoRoot"), "firmware/Enrollment.SelfTest.Nano", "bin",
            Metadata("BuildConfiguration"), "netstandard2.0", "Enrollment.SelfTest.dll");
        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();

        int token = pe.PEHeaders.CorHeader!.EntryPointTokenOrRelativeVirtualAddress;
        Assert.NotEqual(0, token);
        var handle = (MethodDefinitionHandle)MetadataTokens.EntityHandle(token);
        MethodDefinition main = md.GetMethodDefinition(handle);
        TypeDefinition type = md.GetTypeDefinition(main.GetDeclaringType());

        Assert.Equal("Main", md.GetString(main.Name));
        Assert.Equal("Enrollment.SelfTest.Program", md.GetString(type.Namespace) + "." + md.GetString(type.Name));
        Assert.True(main.Attributes.HasFlag(System.Reflection.MethodAttributes.Static));
        Assert.Empty(main.GetParameters());
    }
}
