using System.Reflection;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

/// <summary>
/// The public surface of Enrollment.Protocol.Session, listed member by member in PublicApi.txt, so any change
/// to what the firmware and the service code against shows in review (STYLE.md: a public API is a promise).
/// After a deliberate change, regenerate with SESSION_WRITE_API=1.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void The_public_surface_matches_the_committed_listing()
    {
        var listing = Describe();
        var committed = Path.Combine(AppContext.BaseDirectory, "PublicApi.txt");
        if (Environment.GetEnvironmentVariable("SESSION_WRITE_API") == "1")
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Enrollment.sln")))
                dir = dir.Parent;
            File.WriteAllText(Path.Combine(dir!.FullName, "tests", "Enrollment.Session.Tests", "PublicApi.txt"), listing);
            File.WriteAllText(committed, listing);
        }

        Assert.Equal(File.ReadAllText(committed), listing);
    }

    private static string Describe()
    {
        var lines = new List<string>();
        var types = typeof(ChannelSender).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(ChannelSender).Namespace)
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        foreach (var type in types)
        {
            string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";
            lines.Add(kind + " " + type.Name);
            var members = new List<string>();
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                switch (member)
                {
                    case FieldInfo { IsLiteral: true } f:
                        members.Add("  " + (type.IsEnum ? f.Name + " = " + Convert.ToInt64(f.GetRawConstantValue()) : "const " + f.FieldType.Name + " " + f.Name + " = " + f.GetRawConstantValue()));
                        break;
                    case FieldInfo f when !type.IsEnum:
                        members.Add("  field " + f.FieldType.Name + " " + f.Name);
                        break;
                    case ConstructorInfo c:
                        members.Add("  .ctor(" + Parameters(c) + ")");
                        break;
                    case MethodInfo m when !m.IsSpecialName:
                        members.Add("  " + (m.IsStatic ? "static " : string.Empty) + m.ReturnType.Name + " " + m.Name + "(" + Parameters(m) + ")");
                        break;
                    case PropertyInfo p:
                        members.Add("  property " + p.PropertyType.Name + " " + p.Name + (p.SetMethod?.IsPublic == true ? " { get; set; }" : " { get; }"));
                        break;
                }
            }

            lines.AddRange(members.OrderBy(s => s, StringComparer.Ordinal));
        }

        return string.Join("\n", lines) + "\n";
    }

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => (p.IsOut ? "out " : string.Empty) + p.ParameterType.Name.TrimEnd('&') + " " + p.Name));
}
