using System.Text.Json;

namespace Enrollment.Crypto.Tests;

/// <summary>
/// Reads a Wycheproof testvectors_v1 file (tests/vectors/wycheproof, copied next to the test binary) and
/// yields each case with its group, so a test can count what it ran per result and compare the total
/// with the file's numberOfTests.
/// </summary>
internal sealed class Wycheproof
{
    private Wycheproof(JsonDocument document)
    {
        Document = document;
    }

    public JsonDocument Document { get; }

    public int NumberOfTests => Document.RootElement.GetProperty("numberOfTests").GetInt32();

    public static Wycheproof Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "vectors", "wycheproof", fileName);
        return new Wycheproof(JsonDocument.Parse(File.ReadAllText(path)));
    }

    public IEnumerable<(JsonElement Group, JsonElement Test)> Cases()
    {
        foreach (JsonElement group in Document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                yield return (group, test);
            }
        }
    }

    public static byte[] Bytes(JsonElement test, string name) => Convert.FromHexString(test.GetProperty(name).GetString()!);

    public static string Result(JsonElement test) => test.GetProperty("result").GetString()!;

    public static int Id(JsonElement test) => test.GetProperty("tcId").GetInt32();

    public static bool HasFlag(JsonElement test, string flag) =>
        test.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == flag);
}

/// <summary>Counts cases per outcome and prints them, so the test log says how many ran.</summary>
internal sealed class CaseCounter
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Total { get; private set; }

    public void Add(string outcome)
    {
        _counts[outcome] = _counts.GetValueOrDefault(outcome) + 1;
        Total++;
    }

    public int Get(string outcome) => _counts.GetValueOrDefault(outcome);

    public override string ToString() => string.Join(", ", _counts.Select(kv => kv.Key + ": " + kv.Value)) + " (total " + Total + ")";
}
