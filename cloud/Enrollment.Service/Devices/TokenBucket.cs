namespace Enrollment.Service.Devices;

/// <summary>
/// A token bucket: up to <c>capacity</c> tokens, refilled continuously at <c>capacity</c> per period. Used for
/// the rekey-init limits (docs/session-protocol.md section 11): per device, and for all devices together.
/// Thread-safe; a clock that steps back refills nothing.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private double _tokens = -1;
    private long _refilledAt;

    public bool TryTake(long nowMs, int capacity, long periodMs)
    {
        lock (_gate)
        {
            if (_tokens < 0)
            {
                _tokens = capacity;
                _refilledAt = nowMs;
            }

            _tokens = Math.Min(capacity, _tokens + (Math.Max(0, nowMs - _refilledAt) * (double)capacity / periodMs));
            _refilledAt = Math.Max(_refilledAt, nowMs);
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
