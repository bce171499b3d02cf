using Enrollment.NanoCheck;

// Usage: Enrollment.NanoCheck <assembly.dll> [<assembly.dll> ...]
// Every assembly named on the command line may reference the others (a device app references the
// protocol core); anything else but mscorlib is a finding. Exit code 0 = clean, 1 = findings, 2 = usage.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Enrollment.NanoCheck <device-assembly.dll> [...]");
    return 2;
}

var allowed = args.Select(a => Path.GetFileNameWithoutExtension(a)).ToHashSet(StringComparer.Ordinal);
var failed = false;
foreach (var path in args)
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"nanoFramework check: {path} does not exist (was the device project built?)");
        return 2;
    }

    var report = AssemblyChecker.Check(path, allowed);
    var checkedWhat = string.Join(", ", report.Counts.OrderBy(k => k.Key).Select(k => $"{k.Value} {k.Key}"));
    Console.WriteLine($"nanoFramework check: {report.Assembly} ({path})");
    Console.WriteLine($"  checked: {checkedWhat}");
    if (report.Findings.Count == 0)
    {
        Console.WriteLine("  result: OK (no generics, Nullable<T>, multi-dimensional arrays, pointers or desktop references)");
        continue;
    }

    failed = true;
    Console.WriteLine($"  result: FAILED, {report.Findings.Count} finding(s):");
    foreach (var f in report.Findings.Distinct())
        Console.WriteLine("    " + f);
}

return failed ? 1 : 0;
