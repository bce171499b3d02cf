namespace Enrollment.Service.Protocol;

/// <summary>At most <c>limit</c> takes per second of the tick clock (rejection notices, rejection log lines).</summary>
internal sealed class PerSecondBudget(int limit)
{
    private readonly Lock _lock = new();
    private long _second;
    private int _taken;

    public bool TryTake()
    {
        var second = Environment.TickCount64 / 1000;
        if (Volatile.Read(ref _second) != second)
        {
            lock (_lock)
            {
                if (_second != second)
                {
                    _taken = 0;
                    Volatile.Write(ref _second, second);
                }
            }
        }

        return Interlocked.Increment(ref _taken) <= limit;
    }
}
