using System.Reflection;
using System.Text;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests;

/// <summary>
/// The wire format is an API (STYLE.md item 8): the public surface of the protocol namespaces is committed as
/// PublicApi.txt, so any change to it shows in review. After a deliberate change, regenerate with
/// ENROLLMENT_WRITE_API=1. The crypto namespace has its own owners and is not listed here.
/// </summary>
public class PublicApiTests
{
    private const string FileName = "PublicApi.txt";

    [Fact]
    public void The_public_protocol_api_matches_the_committed_listing()
    {
        var listing = Listing();
        var source = Path.Combine(SourceDirectory(), FileName);
        if (Environment.GetEnvironmentVariable("ENROLLMENT_WRITE_API") == "1")
            File.WriteAllText(source, listing);
        Assert.Equal(File.ReadAllText(source), listing);
    }

    private static string Listing()
    {
        var types = typeof(EnrollmentBundle).Assembly.GetExportedTypes()
            .Where(t => t.Namespace is "Enrollment.Protocol.Messages" or "Enrollment.Protocol.X3dh")
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var t in types)
        {
            var kind = t.IsInterface ? "interface" : t.IsEnum ? "enum" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : "class";
            sb.Append(kind).Append(' ').Append(t.FullName).Append('\n');
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            var members = t.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Where(m => !(t.IsEnum && m.Name == "value__"))
                .Select(Describe)
                .OrderBy(s => s, StringComparer.Ordinal);
            foreach (var m in members)
                sb.Append("    ").Append(m).Append('\n');
        }

        return sb.ToString();
    }

    private static string Describe(MemberInfo m) => m switch
    {
        FieldInfo f when f.IsLiteral => $"const {Name(f.FieldType)} {f.Name} = {f.GetRawConstantValue()}",
        FieldInfo f => $"{(f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo mi => $"{(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}({Parameters(mi)})",
        _ => m.MemberType + " " + m.Name,
    };

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p => (p.IsOut ? "out " : "") + Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType) + " " + p.Name));

    private static string Name(Type t) => t.IsArray ? Name(t.GetElementType()!) + "[]" : t.Namespace == "System" ? t.Name : t.FullName ?? t.Name;

    private static string SourceDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Enrollment.sln")))
            dir = dir.Parent;
        return Path.Combine(dir!.FullName, "tests", "Enrollment.Protocol.Tests");
    }
}
