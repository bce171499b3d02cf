using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The device's heap is about 110 KB and its GC is slow: the main loop must not allocate when nothing
/// happens. Measured with GC.GetAllocatedBytesForCurrentThread around the device's own calls only.
/// </summary>
public class AllocationTests
{
    private static long StepAllocations(Rig rig, int iterations)
    {
        // Warm up (JIT, first-call statics), then measure.
        for (int i = 0; i < 100; i++)
        {
            rig.Device.Step();
            rig.Clock.Advance(20);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++)
        {
            rig.Device.Step();
            rig.Clock.Advance(20);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void The_enrolled_steady_state_loop_allocates_nothing()
    {
        var rig = new Rig();
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 10_000));
        rig.RunUntil(() => rig.Device.Link.IsIdle, 5000);

        long bytes = StepAllocations(rig, 10_000);
        Console.WriteLine($"steady state (enrolled): {bytes} bytes allocated over 10000 loop iterations");
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Waiting_for_an_enroller_allocates_nothing()
    {
        var rig = new Rig();
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        rig.Device.Link.ClearQueue(); // the announcement has nobody to acknowledge it here

        long bytes = StepAllocations(rig, 10_000);
        Console.WriteLine($"steady state (identity-ready): {bytes} bytes allocated over 10000 loop iterations");
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Polling_an_idle_link_with_noise_on_the_wire_allocates_nothing()
    {
        var rig = new Rig();
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        rig.Device.Link.ClearQueue();
        var random = new Random(4);
        byte[] noise = new byte[10_000];
        random.NextBytes(noise);
        rig.Pipe.A.Inject(noise);

        long bytes = StepAllocations(rig, 2_000);
        Console.WriteLine($"link under garbage: {bytes} bytes allocated");
        Assert.Equal(0, bytes);
        Assert.True(rig.Device.Link.Counters.GarbageBytes > 9_000);
    }
}
