namespace Enrollment.EndToEnd.Tests.Support;

internal static class Paths
{
    /// <summary>The repository root: the directory above the test binaries that holds Enrollment.sln.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Enrollment.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("no Enrollment.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>The enroll tool, copied next to the tests by the project reference.</summary>
    public static string ToolDll => Path.Combine(AppContext.BaseDirectory, "enroll.dll");
}
