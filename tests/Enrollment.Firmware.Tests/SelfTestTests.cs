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
        Assert.Equal(12, output.All.Count(l => l.StartsWith("PASS", StringComparison.Ordinal)));
        Assert.Matches(@"^SUMMARY: 12 passed, 0 failed \(\d+ ms\)$", output.All[^1]);
        Assert.True(allPassed);

        // The timing section: every building block once, each with a per-operation time and its run count,
        // between the checks and the summary.
        string[] timed =
        [
            "field multiplication", "field squaring", "sha256 one 64-byte block", "hkdf-sha256 X3DH shape (160-byte IKM, 64 bytes out)",
            "aead seal 200 bytes", "x25519 public key (fixed base)", "x25519 shared secret (ladder)", "xeddsa sign 200 bytes",
            "xeddsa verify 200 bytes",
        ];
        foreach (string name in timed)
        {
            string line = Assert.Single(output.All, l => l.StartsWith("TIME  " + name + ": ", StringComparison.Ordinal));
            Assert.Matches(@": \d+\.\d us \([1-9]\d* runs\)$", line);
        }

        Assert.DoesNotContain(output.All, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void A_timing_repeats_a_fast_operation_until_the_budget_is_spent()
    {
        // A fake clock that advances 0.7 us per reading: the operation reads it once, so each run costs
        // two readings (1.4 us) and the 200 ms budget takes ~142,858 runs; per unit of 10 that is 0.1 us.
        var output = new Lines();
        var clock = new StepClock(7);
        int calls = 0;
        new Timings(output, clock).Measure("op", 10, () => { calls++; _ = clock.Ticks; });
        Assert.Equal((int)((Timings.BudgetTicks + 13) / 14), calls);
        Assert.Equal("TIME  op: 0.1 us (" + calls + " runs)", output.All[^1]);
    }

    private sealed class StepClock(long step) : ISelfTestClock
    {
        private long _now;

        public long Ticks => _now += step;
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
