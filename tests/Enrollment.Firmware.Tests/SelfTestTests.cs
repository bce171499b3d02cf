using System.Diagnostics;
using Enrollment.SelfTest;

namespace Enrollment.Firmware.Tests;

/// <summary>Runs the device self-test's checks on .NET (the same sources the ESP32 app links) and reads its summary.</summary>
public class SelfTestTests
{
    private sealed class Lines : ISelfTestOutput
    {
        public List<string> All { get; } = new();

        public void Line(string text) => All.Add(text);
    }

    private sealed class StopwatchClock : ISelfTestClock
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public long Ticks => _watch.Elapsed.Ticks;
    }

    [Fact]
    public void Every_self_test_check_passes_and_the_summary_says_so()
    {
        var output = new Lines();
        var runner = new SelfTestRunner(output, new StopwatchClock());
        bool allPassed = runner.RunAll();
        foreach (string line in output.All)
        {
            Console.WriteLine(line);
        }

        Assert.DoesNotContain(output.All, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Equal(11, output.All.Count(l => l.StartsWith("PASS", StringComparison.Ordinal)));
        Assert.Matches(@"^SUMMARY: 11 passed, 0 failed \(\d+ ms\)$", output.All[^1]);
        Assert.True(allPassed);
    }

    [Fact]
    public void A_failing_check_is_reported_as_fail_and_counted()
    {
        // The runner itself: a check that throws is a FAIL line with the exception, not a crash.
        var output = new Lines();
        var runner = new SelfTestRunner(output, new StopwatchClock());
        runner.Run("boom", () => throw new InvalidOperationException("x"));
        runner.Run("no", () => false);
        Assert.Equal(2, runner.Failed);
        Assert.StartsWith("FAIL  boom", output.All[0], StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: x", output.All[0], StringComparison.Ordinal);
    }
}
