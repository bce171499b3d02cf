using System.Diagnostics;

namespace Enrollment.Benchmarks;

/// <summary>
/// --quick: ours against libsodium interleaved in small batches, reporting the median per-operation time
/// of each and their ratio. On a loaded machine BenchmarkDotNet's absolute figures drift with the load;
/// interleaving keeps both sides under the same load, and the fastest batch of each (load only ever adds
/// time) is the figure least disturbed by other processes. Both the minimum and the median are printed.
/// </summary>
internal static class QuickRatio
{
    internal static void Print()
    {
        var c = new CurveBenchmarks();
        c.Setup();
        var a = new AeadBenchmarks();
        a.Setup();
        Console.WriteLine($"{"operation",-30} {"ours us",9} {"libsodium us",13} {"ratio",7}   (min of batches; median ratio)");
        Compare("X25519", () => c.X25519Ours(), () => c.X25519Sodium(), 20);
        Compare("X25519, device field", () => c.X25519OursPortable(), () => c.X25519Sodium(), 20);
        Compare("X25519 base", () => c.X25519BaseOurs(), () => c.X25519BaseSodium(), 20);
        Compare("XEdDSA/Ed25519 sign", () => c.XEdDsaSignOurs(), () => c.Ed25519SignSodium(), 20);
        Compare("XEdDSA/Ed25519 verify", () => c.XEdDsaVerifyOurs(), () => c.Ed25519VerifySodium(), 20);
        Compare("ChaCha20-Poly1305 seal 256 B", () => a.SealOurs(), () => a.SealNSec(), 2000);
        a.Cleanup();
    }

    private static void Compare(string name, Action ours, Action theirs, int batch)
    {
        // Warm up long enough for tiered compilation to reach its optimised code.
        long warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm).TotalSeconds < 1.5) { ours(); theirs(); }
        var o = new List<double>();
        var t = new List<double>();
        for (int round = 0; round < 81; round++)
        {
            o.Add(Time(ours, batch));
            t.Add(Time(theirs, batch));
        }

        double mo = Median(o), mt = Median(t);
        double lo = o[0], lt = t[0];   // sorted by Median
        Console.WriteLine($"{name,-30} {lo,9:F2} {lt,13:F2} {lo / lt,7:F2}   ({mo / mt:F2})");
    }

    private static double Time(Action op, int n)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) op();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / n;
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v[v.Count / 2];
    }
}
