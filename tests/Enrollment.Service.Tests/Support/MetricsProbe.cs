using System.Diagnostics.Metrics;
using Enrollment.Service.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// Listens to one service instance's "Enrollment.Service" meter and lets a test wait for a counter to reach
/// a value (an event, not polling): how tests know a message was handled even when no answer is sent.
/// </summary>
internal sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counts = [];
    private readonly List<(string Key, long Target, TaskCompletionSource Done)> _waiters = [];

    public MetricsProbe(TestService service)
    {
        var meter = service.App.Services.GetRequiredService<ServiceMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var t in tags)
            {
                if (t.Key is "reason" or "type")
                {
                    key += ":" + t.Value;
                }
            }

            lock (_counts)
            {
                _counts[key] = _counts.GetValueOrDefault(key) + value;
                foreach (var w in _waiters.Where(w => w.Key == key && _counts[key] >= w.Target).ToList())
                {
                    w.Done.TrySetResult();
                    _waiters.Remove(w);
                }
            }
        });
        _listener.Start();
    }

    public long Count(string key)
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault(key);
        }
    }

    /// <summary>The sum of every counter whose key starts with <paramref name="prefix"/> (all reasons of "enrollment.rejected").</summary>
    public long CountAll(string prefix)
    {
        lock (_counts)
        {
            return _counts.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);
        }
    }

    /// <summary>Waits until counter <paramref name="key"/> (e.g. "enrollment.rejected:expired") reaches <paramref name="target"/>.</summary>
    public Task WaitForAsync(string key, long target, TimeSpan? timeout = null)
    {
        TaskCompletionSource done;
        lock (_counts)
        {
            if (_counts.GetValueOrDefault(key) >= target)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((key, target, done));
        }

        return WaitAsync(done.Task, key, target, timeout ?? TimeSpan.FromSeconds(20));
    }

    private async Task WaitAsync(Task done, string key, long target, TimeSpan timeout)
    {
        try
        {
            await done.WaitAsync(timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException("counter " + key + " did not reach " + target + " (seen: " + this + ")", e);
        }
    }

    /// <summary>Every counter seen so far, for failure messages.</summary>
    public override string ToString()
    {
        lock (_counts)
        {
            return string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + c.Value));
        }
    }

    public void Dispose() => _listener.Dispose();
}
