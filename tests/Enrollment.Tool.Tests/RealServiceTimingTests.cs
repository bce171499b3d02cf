using System.Diagnostics;
using Enrollment.Enrollee.State;
using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

/// <summary>Timing tests run alone (after the parallel ones), so that other tests' devices do not share their cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}

/// <summary>Issue 6 targets against the real service: one device under 1 s of tool time; eight in parallel.</summary>
[Collection(TimingCollection.Name)]
public sealed class RealServiceTimingTests(RealServiceTests.Service fixture, ITestOutputHelper output) : IClassFixture<RealServiceTests.Service>
{
    [Fact]
    public async Task Timing_one_device_then_eight_in_parallel_with_a_warm_bundle_cache()
    {
        using var rig = new Rig();
        var service = fixture.Process;
        using var client = rig.Client(service.Url, service.Token);
        await rig.Cache.FetchAsync(client, 30, CancellationToken.None);
        // Devices that take any bundle and never reach a broker: the timing is the enroller's and the service's,
        // without eight devices' enrollment compute competing for this machine's cores.
        var devices = Enumerable.Range(0, 10).Select(_ => rig.AddDevice(new FakeProtocol { AcceptAnyBundle = true })).ToList();
        foreach (var d in devices)
        {
            Rig.Eventually(() => d.State == EnrolleeState.IdentityReady, TimeSpan.FromSeconds(10), "identity");
        }

        // A freshly booted device's unprompted HelloReply is retransmitted until acknowledged (16 x 250 ms); a
        // Hello answered during that time waits up to 250 ms behind it. Measure settled devices.
        await Task.Delay(4500);

        var provisioner = new Provisioning.Provisioner(client, rig.Cache, rig.Queue);
        var batchProvisioner = new Provisioning.Provisioner(client, rig.Cache, rig.Queue, expectedDevices: 8);
        Provisioning.ProvisionRequest Request(string port) => new(port, 115200, null, "net"u8.ToArray(), [], false, TimeSpan.Zero);
        var warm = provisioner.Run(Request(devices[0].PortPath), (_, _) => { }, CancellationToken.None);
        var one = provisioner.Run(Request(devices[1].PortPath), (_, _) => { }, CancellationToken.None);
        using var rendezvous = new StageRendezvous(8);
        var watch = Stopwatch.StartNew();
        var batch = await Task.WhenAll(devices.Skip(2).Select(d => Task.Factory.StartNew(
            () => batchProvisioner.Run(Request(d.PortPath), rendezvous.ForOneDevice(), CancellationToken.None), TaskCreationOptions.LongRunning)));
        batchProvisioner.ReturnUnused();
        long batchMs = watch.ElapsedMilliseconds;

        Assert.Equal(0, warm.ExitCode);
        Assert.Equal(0, one.ExitCode);
        Assert.All(batch, r => Assert.Equal(0, r.ExitCode));
        output.WriteLine("real service, 115200 baud on a pty, warm cache, settled devices: one device " + one.ToolMilliseconds + " ms (of which service "
            + one.ServiceMilliseconds + " ms); eight in parallel " + batchMs + " ms wall, per device "
            + string.Join("/", batch.Select(r => r.ToolMilliseconds)) + " ms");
        foreach (var r in batch.Prepend(one))
        {
            output.WriteLine("  open " + r.OpenMilliseconds + ", hello " + r.HelloMilliseconds + ", service " + r.ServiceMilliseconds + ", transfer " + r.TransferMilliseconds);
        }

        // Both issue 6 targets (one device under 1 s of tool time, eight within 2x one) are speed targets: printed
        // above and measured by hand (docs/enroll-tool.md), never asserted on the wall clock of a shared CI machine
        // (an earlier wall-clock check here failed in one loaded CI run: 788 ms wall for devices of 61-96 ms each).
        Assert.Equal(0, rendezvous.GaveUp);
        Assert.Equal(0, rendezvous.Missing);
    }

}
