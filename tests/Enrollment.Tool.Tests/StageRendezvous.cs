using Enrollment.Tool.Provisioning;

namespace Enrollment.Tool.Tests;

/// <summary>
/// Proof that a batch's devices are provisioned at the same time, without a clock: each device, on reaching
/// <see cref="Stage.Registering"/> (it holds its bundle and has not yet called the service), waits until every
/// device got that far. A provisioner that served devices one by one could never fill the rendezvous; its
/// devices give up waiting and <see cref="GaveUp"/> counts them.
/// </summary>
internal sealed class StageRendezvous(int devices) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly CountdownEvent _all = new(devices);
    private int _gaveUp;

    public int GaveUp => Volatile.Read(ref _gaveUp);

    public int Missing => _all.CurrentCount;

    /// <summary>A progress callback for one device.</summary>
    public Action<Stage, string> ForOneDevice()
    {
        bool arrived = false;
        return (stage, _) =>
        {
            if (stage != Stage.Registering || arrived)
            {
                return;
            }

            arrived = true;
            _all.Signal();
            if (!_all.Wait(Patience))
            {
                Interlocked.Increment(ref _gaveUp);
            }
        };
    }

    public void Dispose() => _all.Dispose();
}
