using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Enrollment.NanoCheck;

/// <summary>
/// Checks one compiled assembly against what nanoFramework 1.x firmware can load and run:
/// no generic parameters or instantiations (GenericParam, MethodSpec, generic TypeSpec/TypeRef),
/// no Nullable&lt;T&gt; (a generic), no multi-dimensional arrays, no unsafe pointers, and no assembly
/// references other than mscorlib and the project's own device assemblies.
/// </summary>
internal static class AssemblyChecker
{
    // Desktop/runtime facades: a reference to any of these means the code was compiled against the wrong
    // mscorlib and will not resolve on the device.
    private static readonly string[] DesktopAssemblies = { "netstandard", "System.Runtime", "System.Private.CoreLib" };

    internal sealed record Report(string Assembly, List<string> Findings, Dictionary<string, int> Counts);

    public static Report Check(string path, IReadOnlyCollection<string> allowedReferences)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var findings = new List<string>();
        var counts = new Dictionary<string, int>();
        var scanner = new SignatureScanner(md, findings);

        counts["GenericParam rows"] = md.GetTableRowCount(TableIndex.GenericParam);
        counts["MethodSpec rows"] = md.GetTableRowCount(TableIndex.MethodSpec);
        if (counts["GenericParam rows"] > 0)
        {
            for (var i = 1; i <= counts["GenericParam rows"]; i++)
            {
                var gp = md.GetGenericParameter(MetadataTokens.GenericParameterHandle(i));
                findings.Add($"GenericParam row: {md.GetString(gp.Name)} (generic type or method defined)");
            }
        }

        foreach (var h in md.AssemblyReferences)
        {
            var name = md.GetString(md.GetAssemblyReference(h).Name);
            Bump(counts, "AssemblyRef rows");
            if (DesktopAssemblies.Contains(name, StringComparer.OrdinalIgnoreCase))
                findings.Add($"AssemblyRef {name}: a desktop runtime assembly");
            else if (name != "mscorlib" && !allowedReferences.Contains(name))
                findings.Add($"AssemblyRef {name}: not mscorlib nor an allowed device assembly");
        }

        foreach (var h in md.TypeReferences)
        {
            var tr = md.GetTypeReference(h);
            var name = md.GetString(tr.Name);
            Bump(counts, "TypeRef rows");
            // Generic types carry an arity suffix (`1) in their metadata name: Action`1, Nullable`1, Span`1.
            if (name.Contains('`'))
                findings.Add($"TypeRef {md.GetString(tr.Namespace)}.{name}: generic type reference");
        }

        for (var i = 1; i <= md.GetTableRowCount(TableIndex.TypeSpec); i++)
        {
            var h = MetadataTokens.TypeSpecificationHandle(i);
            Bump(counts, "TypeSpec signatures");
            scanner.Scan("TypeSpec", s => md.GetTypeSpecification(h).DecodeSignature(s, null));
        }

        for (var i = 1; i <= counts["MethodSpec rows"]; i++)
        {
            var spec = md.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(i));
            findings.Add($"MethodSpec row: generic method instantiation ({MemberName(md, spec.Method)})");
        }

        foreach (var th in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(th);
            var typeName = md.GetString(td.Namespace) + "." + md.GetString(td.Name);
            Bump(counts, "TypeDef rows");
            if (md.GetString(td.Name).Contains('`'))
                findings.Add($"TypeDef {typeName}: generic type definition");

            foreach (var fh in td.GetFields())
            {
                var f = md.GetFieldDefinition(fh);
                Bump(counts, "field signatures");
                scanner.Scan($"{typeName}.{md.GetString(f.Name)}", s => f.DecodeSignature(s, null));
            }

            foreach (var mh in td.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                var where = $"{typeName}.{md.GetString(m.Name)}";
                Bump(counts, "method signatures");
                scanner.Scan(where, s => m.DecodeSignature(s, null));
                if (m.RelativeVirtualAddress == 0)
                    continue;
                var body = pe.GetMethodBody(m.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    Bump(counts, "local signatures");
                    var locals = md.GetStandaloneSignature(body.LocalSignature);
                    scanner.Scan(where + " (locals)", s => locals.DecodeLocalSignature(s, null));
                }
            }
        }

        foreach (var h in md.MemberReferences)
        {
            var mr = md.GetMemberReference(h);
            Bump(counts, "MemberRef signatures");
            var where = "MemberRef " + md.GetString(mr.Name);
            if (mr.GetKind() == MemberReferenceKind.Method)
                scanner.Scan(where, s => mr.DecodeMethodSignature(s, null));
            else
                scanner.Scan(where, s => mr.DecodeFieldSignature(s, null));
        }

        for (var i = 1; i <= md.GetTableRowCount(TableIndex.StandAloneSig); i++)
        {
            var sig = md.GetStandaloneSignature(MetadataTokens.StandaloneSignatureHandle(i));
            if (sig.GetKind() == StandaloneSignatureKind.Method)
            {
                Bump(counts, "standalone method signatures");
                scanner.Scan("StandAloneSig (calli)", s => sig.DecodeMethodSignature(s, null));
            }
        }

        return new Report(md.GetString(md.GetAssemblyDefinition().Name), findings, counts);
    }

    private static string MemberName(MetadataReader md, EntityHandle h) => h.Kind switch
    {
        HandleKind.MethodDefinition => md.GetString(md.GetMethodDefinition((MethodDefinitionHandle)h).Name),
        HandleKind.MemberReference => md.GetString(md.GetMemberReference((MemberReferenceHandle)h).Name),
        _ => h.Kind.ToString(),
    };

    private static void Bump(Dictionary<string, int> counts, string key)
        => counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
}
