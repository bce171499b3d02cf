using BenchmarkDotNet.Running;
using Enrollment.Benchmarks;

// Run by hand, not in CI:
//   dotnet run -c Release --project tests/Enrollment.Benchmarks -- --filter '*' --job short
//   dotnet run -c Release --project tests/Enrollment.Benchmarks -- --count
//   dotnet run -c Release --project tests/Enrollment.Benchmarks -- --quick   (interleaved ratios)
// --count: field multiplications and squarings of one enrollee-side enrollment (the device cost model).
// Anything else goes to BenchmarkDotNet (e.g. --filter '*' --job short).
if (args.Length > 0 && args[0] == "--count")
{
    FieldOpCount.Print();
    return 0;
}

if (args.Length > 0 && args[0] == "--quick")
{
    QuickRatio.Print();
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(CurveBenchmarks).Assembly).Run(args);
return 0;
