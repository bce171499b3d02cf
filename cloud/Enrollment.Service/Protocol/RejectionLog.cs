namespace Enrollment.Service.Protocol;

/// <summary>
/// The log of rejected enrollment messages, with a budget: up to <see cref="PerSecond"/> a second are logged one
/// line each (reason and enrollee id); beyond that, under a flood, they are counted by reason and summed up in one
/// warning a second. Every rejection is still counted in the metrics (enrollment.rejected). One line per junk
/// message would let a flood fill the log, and the console logger blocks its callers once its queue is full,
/// which would slow the ingress to the speed of the console.
/// </summary>
internal sealed partial class RejectionLog : IDisposable
{
    internal const int PerSecond = 20;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _suppressed = new(StringComparer.Ordinal);
    private readonly PerSecondBudget _lines = new(PerSecond);
    private readonly Timer _flush;

    public RejectionLog(ILogger log)
    {
        _log = log;
        _flush = new Timer(_ => Flush(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Rejected(string reason, string enrolleeId)
    {
        if (!_log.IsEnabled(LogLevel.Information))
        {
            return;
        }

        if (_lines.TryTake())
        {
            LogRejected(_log, reason, enrolleeId);
            return;
        }

        lock (_lock)
        {
            _suppressed[reason] = _suppressed.GetValueOrDefault(reason) + 1;
        }
    }

    /// <summary>Logs the rejections counted but not logged since the last flush (once a second, and at disposal).</summary>
    internal void Flush()
    {
        string summary;
        int total;
        lock (_lock)
        {
            if (_suppressed.Count == 0)
            {
                return;
            }

            total = _suppressed.Values.Sum();
            summary = string.Join(", ", _suppressed.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
            _suppressed.Clear();
        }

        LogSuppressed(_log, total, PerSecond, summary);
    }

    public void Dispose()
    {
        _flush.Dispose();
        Flush();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected an enrollment message: {Reason} (enrollee id {DeviceId})")]
    private static partial void LogRejected(ILogger logger, string reason, string deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more enrollment messages rejected beyond the log's {PerSecond} a second (by reason: {Reasons})")]
    private static partial void LogSuppressed(ILogger logger, int count, int perSecond, string reasons);
}
