using System.Diagnostics.Metrics;

namespace Enrollment.Service.Domain;

/// <summary>
/// The service's metrics (issue 4 item 7) on a System.Diagnostics.Metrics meter named "Enrollment.Service",
/// exported through OpenTelemetry: enrollments accepted, rejected by reason, and processing latency.
/// </summary>
internal sealed class ServiceMetrics : IDisposable
{
    public const string MeterName = "Enrollment.Service";
    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _duplicatesDropped;
    private readonly Counter<long> _opened;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _filterOn;
    private readonly Counter<long> _filterOff;

    public ServiceMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        _accepted = _meter.CreateCounter<long>("enrollment.accepted", "{enrollment}", "Enrollments accepted");
        _rejected = _meter.CreateCounter<long>("enrollment.rejected", "{message}", "Enrollment messages rejected, by reason");
        _duplicates = _meter.CreateCounter<long>("enrollment.duplicates", "{message}", "Redelivered enrollment messages answered from the stored result");
        _duplicatesDropped = _meter.CreateCounter<long>("enrollment.duplicates_dropped", "{message}",
            "Copies of accepted enrollment messages dropped unanswered beyond Mqtt:DuplicateAnswersPerSecond (a replay flood)");
        _opened = _meter.CreateCounter<long>("enrollment.opened", "{message}",
            "Messages that passed the cheap checks and reached the public-key work (4 X25519 + XEdDSA verify)");
        _latency = _meter.CreateHistogram<double>("enrollment.duration", "ms", "Time from receipt to result published");
        _filterOn = _meter.CreateCounter<long>("enrollment.flood_filter.started", "{switch}",
            "Rejection floods that made the service listen only on approved enrollees' request topics (Mqtt:FloodRejectionsPerSecond)");
        _filterOff = _meter.CreateCounter<long>("enrollment.flood_filter.ended", "{switch}",
            "Flood holds that ended: the service listens on every enrollee's request topic again (Mqtt:FloodHold)");
    }

    internal Meter Meter => _meter;

    public void Accepted(double milliseconds)
    {
        _accepted.Add(1);
        _latency.Record(milliseconds, new KeyValuePair<string, object?>("outcome", "accepted"));
    }

    public void Rejected(string reason, double milliseconds)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _latency.Record(milliseconds, new KeyValuePair<string, object?>("outcome", "rejected"));
    }

    public void Duplicate() => _duplicates.Add(1);

    public void DuplicateDropped() => _duplicatesDropped.Add(1);

    public void Opened() => _opened.Add(1);

    public void FloodFilterStarted() => _filterOn.Add(1);

    public void FloodFilterEnded() => _filterOff.Add(1);

    public void Dispose() => _meter.Dispose();
}
