using Enrollment.Service.Domain;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Host;

/// <summary>
/// Background upkeep (issue 4 items 2 and 6): SPK rotation and retirement, OPK pool refill, and expiry of
/// pending enrollees and of reserved bundles never used (their OPKs are discarded, never freed: an OPK
/// that left the service is spent); with Mqtt:RequestTopicPerEnrollee, the request topics of expired
/// approvals are unsubscribed. Runs every MaintenanceInterval, or sooner when bundles drain the pool.
/// </summary>
internal sealed partial class MaintenanceService : BackgroundService
{
    private readonly ServiceKeys _keys;
    private readonly IEnrollmentStore _store;
    private readonly KeyMaintenanceSignal _signal;
    private readonly IEventSink _events;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<MaintenanceService> _log;
    private readonly EnrolleeTopics _topics;

    public MaintenanceService(ServiceKeys keys, IEnrollmentStore store, KeyMaintenanceSignal signal, IEventSink events, TimeProvider time,
        IOptions<ServiceOptions> options, ILogger<MaintenanceService> log, EnrolleeTopics topics)
    {
        _topics = topics;
        _keys = keys;
        _store = store;
        _signal = signal;
        _events = events;
        _time = time;
        _interval = options.Value.Keys.MaintenanceInterval;
        _log = log;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                await _signal.WaitAsync(_interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (System.Data.Common.DbException e)
            {
                // The database is away (readiness reports it); try again next round.
                LogFailed(_log, e.Message);
                await Task.Delay(_interval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    internal async Task RunOnceAsync(CancellationToken ct)
    {
        await _keys.MaintainAsync(ct).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var enrollees = await _store.ExpirePendingEnrolleesAsync(now.ToUnixTimeMilliseconds(), ct).ConfigureAwait(false);
        var bundles = await _store.ExpireReservedBundlesAsync(now.ToUnixTimeMilliseconds(), ct).ConfigureAwait(false);
        await _topics.SyncAsync(ct).ConfigureAwait(false);
        if (enrollees + bundles > 0)
        {
            LogExpired(_log, enrollees, bundles);
            if (enrollees > 0)
            {
                await _events.PublishAsync(new LifecycleEvent("enrollees.expired", enrollees + " enrollee(s)", null, "service", now), ct).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Enrollees} pending enrollee(s) and {Bundles} unused bundle(s); their one-time prekeys are discarded")]
    private static partial void LogExpired(ILogger logger, int enrollees, int bundles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance round failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string message);
}
