using Enrollment.Service.Protocol;
using Microsoft.Extensions.Logging;

namespace Enrollment.Service.Tests;

/// <summary>Rejections are logged one line each up to a budget a second; beyond it, summed up by reason (Protocol/RejectionLog.cs).</summary>
public sealed class RejectionLogTests
{
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    [Fact]
    public void A_burst_beyond_the_budget_is_counted_by_reason_and_summed_up_in_one_warning()
    {
        var logger = new ListLogger();
        using var log = new RejectionLog(logger);
        // A burst well inside one second of the tick clock (the budget is per second, so a burst that straddles
        // a second boundary may log up to twice the budget individually; both cases are bounded below).
        for (var i = 0; i < 500; i++)
        {
            log.Rejected(i % 5 == 0 ? "replayed" : "unknown_enrollee", "0011");
        }

        log.Flush();
        List<(LogLevel Level, string Text)> lines;
        lock (logger.Lines)
        {
            lines = [.. logger.Lines];
        }

        var individual = lines.Count(l => l.Text.StartsWith("Rejected an enrollment message", StringComparison.Ordinal));
        Assert.InRange(individual, RejectionLog.PerSecond, 2 * RejectionLog.PerSecond);
        var summaries = lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.NotEmpty(summaries);
        var counted = summaries.Sum(s => int.Parse(s.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(500, individual + counted);
        Assert.Contains(summaries, s => s.Contains("unknown_enrollee=", StringComparison.Ordinal) && s.Contains("replayed=", StringComparison.Ordinal));
    }

    [Fact]
    public void Few_rejections_are_each_logged_and_nothing_is_summed_up()
    {
        var logger = new ListLogger();
        using (var log = new RejectionLog(logger))
        {
            log.Rejected("expired", "00aa");
            log.Rejected("bad_signature", "00bb");
            log.Flush();
        }

        Assert.Equal(
            ["Rejected an enrollment message: expired (enrollee id 00aa)", "Rejected an enrollment message: bad_signature (enrollee id 00bb)"],
            logger.Lines.Select(l => l.Text));
    }
}
