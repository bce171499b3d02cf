using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The device's heap is about 110 KB and its GC is slow: the main loop must not allocate when nothing
/// happens. Measured with GC.GetAllocatedBytesForCurrentThread around the device's own calls only.
/// </summary>
public class AllocationTests
{
    /// <summary>Bytes allocated by the device's loop, and how many of its iterations allocated at all.</summary>
    private readonly record struct Allocations(long Bytes, int AllocatingIterations)
    {
        /// <summary>
        /// Nothing recurring: one allocating iteration is the most a steady state may show. A one-off of the
        /// runtime on the test's thread has been seen on loaded CI machines (see the secure-channel test);
        /// anything the device allocates per iteration, or every few thousand, shows in many iterations.
        /// </summary>
        public void AssertNothingRecurring(string what)
        {
            Console.WriteLine($"{what}: {Bytes} bytes allocated, in {AllocatingIterations} iterations");
            Assert.True(AllocatingIterations <= 1, $"{what}: {AllocatingIterations} iterations allocated ({Bytes} B)");
        }
    }

    private static Allocations StepAllocations(Rig rig, int iterations)
    {
        // Warm up (JIT, first-call statics), then measure.
        for (int i = 0; i < 100; i++)
        {
            rig.Device.Step();
            rig.Clock.Advance(20);
        }

        long bytes = 0;
        int allocating = 0;
        for (int i = 0; i < iterations; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            rig.Device.Step();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            rig.Clock.Advance(20);
            bytes += allocated;
            allocating += allocated > 0 ? 1 : 0;
        }

        return new Allocations(bytes, allocating);
    }

    [Fact]
    public void The_enrolled_steady_state_loop_allocates_nothing()
    {
        var rig = new Rig();
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 10_000));
        rig.RunUntil(() => rig.Device.Link.IsIdle, 5000);

        StepAllocations(rig, 10_000).AssertNothingRecurring("steady state (enrolled), 10000 loop iterations");
    }

    /// <summary>Acknowledges every command as done, without allocating.</summary>
    private sealed class QuietHandler : ICommandHandler
    {
        public int Calls;

        public byte Handle(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] detail, out int detailLength)
        {
            Calls++;
            detailLength = 0;
            return CommandStatus.Done;
        }
    }

    [Fact]
    public void The_secure_channel_steady_state_allocates_nothing_per_telemetry_and_command()
    {
        var f = ChannelFixture.Enrolled();
        f.RebootAndRekey(); // the usual steady state: an epoch from a rekey, counters in RAM
        // Each new command is written to the channel record twice (its id before the handler runs, then its
        // status): the device's own part of those writes is measured, the in-memory flash reuses its arrays.
        f.Rig.Files.RecycleBuffers = true;
        var handler = new QuietHandler();
        f.Device.SetCommandHandler(handler);
        IMqttReceiver inbox = f.Device;
        var mqtt = f.Rig.Mqtt;
        mqtt.Capture = true; // the device's publications land in one buffer; the test hands them to the peer
        byte[] reading = new byte[64];
        byte[] body = new byte[16];
        const int warmUp = 100;
        const int iterations = 10_000;
        long bytes = 0;
        int allocatingIterations = 0;

        for (int i = 0; i < warmUp + iterations; i++)
        {
            reading[0] = (byte)i;
            byte[] command = f.Peer.SealCommand((uint)i + 1000, body); // the service's work: not measured

            long jit0 = System.Runtime.JitInfo.GetCompiledMethodCount(true);
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool sent = f.Device.SendTelemetry(reading, 0, reading.Length);
            long after = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(sent);
            f.Rig.Broker.Publish(f.Peer.UpTopic, mqtt.Captured.AsSpan(0, mqtt.CapturedLength).ToArray());

            long before2 = GC.GetAllocatedBytesForCurrentThread();
            inbox.OnMessage(f.Peer.DownTopic, command, 0, command.Length); // the MQTT client's thread in real life
            f.Device.Step();                                              // opens, runs the handler, sends the ack
            long after2 = GC.GetAllocatedBytesForCurrentThread();
            long jit1 = System.Runtime.JitInfo.GetCompiledMethodCount(true);
            f.Rig.Broker.Publish(f.Peer.UpTopic, mqtt.Captured.AsSpan(0, mqtt.CapturedLength).ToArray());
            f.Rig.Clock.Advance(20);
            if (i >= warmUp)
            {
                long allocated = (after - before) + (after2 - before2);
                bytes += allocated;
                allocatingIterations += allocated > 0 ? 1 : 0;
                if (allocated > 0)
                {
                    // Printed so that a one-off can be told apart later: did the JIT run on this thread meanwhile?
                    Console.WriteLine($"iteration {i} allocated: {after - before} B sending, {after2 - before2} B receiving; " +
                        $"{jit1 - jit0} methods compiled on this thread during it");
                }
            }
        }

        Console.WriteLine($"secure channel steady state: {bytes} bytes allocated over {iterations} iterations, " +
            $"{allocatingIterations} of them allocating (one 64-byte telemetry frame up, one command down, its acknowledgement up)");
        Assert.Equal(warmUp + iterations, handler.Calls);
        Assert.Equal(warmUp + iterations, f.Peer.Telemetry.Count(t => t.Epoch == f.Device.Epoch));
        Assert.Equal(warmUp + iterations, f.Peer.Acks.Count);
        Assert.Empty(f.Peer.Drops);
        var stored = new ChannelRecord();
        byte[] file = f.Rig.Files.Files[ChannelRecord.FileName];
        Assert.True(stored.TryDecode(file, file.Length));
        int last = stored.FindCommand((uint)(warmUp + iterations - 1) + 1000);
        Assert.True(last >= 0 && stored.CommandStatus(last) == CommandStatus.Done, "the last command's status is on flash");

        // Nothing per iteration: any allocation the device made per message, or every few thousand messages,
        // would show in many of the 10,000 iterations. Two fresh-clone CI runs each counted a single allocating
        // iteration (40 B once, 2,248 B once), which never recurred in dozens of local runs, alone, with the
        // whole solution's tests in parallel or with a thread forcing thousands of GCs meanwhile: a one-off of
        // the runtime on this thread. One such iteration is allowed whatever its size; a second one is not.
        Assert.True(allocatingIterations <= 1, $"{allocatingIterations} iterations allocated ({bytes} B)");
    }

    [Fact]
    public void Waiting_for_an_enroller_allocates_nothing()
    {
        var rig = new Rig();
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        rig.Device.Link.ClearQueue(); // the announcement has nobody to acknowledge it here

        StepAllocations(rig, 10_000).AssertNothingRecurring("steady state (identity-ready), 10000 loop iterations");
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

        StepAllocations(rig, 2_000).AssertNothingRecurring("link under garbage, 2000 loop iterations");
        Assert.True(rig.Device.Link.Counters.GarbageBytes > 9_000);
    }
}
