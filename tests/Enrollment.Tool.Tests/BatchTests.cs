using System.Diagnostics;
using Enrollment.Enrollee.State;
using Enrollment.Tool.Commands;
using Enrollment.Tool.Provisioning;
using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

/// <summary>Batch mode: devices provisioned in parallel, each on its own pty; timings printed (issue 6 targets).</summary>
[Collection(TimingCollection.Name)]
public sealed class BatchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Eight_devices_are_provisioned_in_parallel()
    {
        using var rig = new Rig();
        using var service = new FakeService();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 20, CancellationToken.None);
        var devices = Enumerable.Range(0, 10).Select(_ => rig.AddDevice()).ToList();
        foreach (var d in devices)
        {
            Rig.Eventually(() => d.State == EnrolleeState.IdentityReady, TimeSpan.FromSeconds(5), "identity");
        }

        var provisioner = new Provisioner(client, rig.Cache, rig.Queue);
        var batchProvisioner = new Provisioner(client, rig.Cache, rig.Queue, expectedDevices: 8);
        ProvisionRequest Request(string port) => new(port, 115200, null, "net"u8.ToArray(), [], false, TimeSpan.Zero);

        var warm = provisioner.Run(Request(devices[0].PortPath), (_, _) => { }, CancellationToken.None);
        Assert.Equal(0, warm.ExitCode);
        var one = provisioner.Run(Request(devices[1].PortPath), (_, _) => { }, CancellationToken.None);
        Assert.Equal(0, one.ExitCode);

        using var rendezvous = new StageRendezvous(8);
        var watch = Stopwatch.StartNew();
        var batch = await Task.WhenAll(devices.Skip(2).Select(d => Task.Factory.StartNew(
            () => batchProvisioner.Run(Request(d.PortPath), rendezvous.ForOneDevice(), CancellationToken.None), TaskCreationOptions.LongRunning)));
        batchProvisioner.ReturnUnused();
        long batchMs = watch.ElapsedMilliseconds;

        Assert.All(batch, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(10, service.Pending.Count);
        Assert.Equal(10, service.Pending.Select(p => (string)p["bundleId"]!).Distinct().Count());
        Assert.Equal(20 - 10, rig.Cache.List().Count);
        Assert.Equal(ExitCode.Ok, ExitCodes.Combine(batch.Select(r => (ExitCode)r.ExitCode)));
        output.WriteLine("one device: tool " + one.ToolMilliseconds + " ms (service " + one.ServiceMilliseconds + " ms)");
        output.WriteLine("eight in parallel: " + batchMs + " ms wall; per device tool ms: " + string.Join(", ", batch.Select(r => r.ToolMilliseconds)));
        // Both issue 6 targets (one device under 1 s of tool time, eight within 2x one) are speed targets: printed
        // above and measured by hand (docs/enroll-tool.md), never asserted on a shared CI machine's wall clock.
        // What must hold under any load: the eight were in flight together.
        Assert.Equal(0, rendezvous.GaveUp);
        Assert.Equal(0, rendezvous.Missing);
    }

    [Fact]
    public async Task Bundles_reserved_for_a_batch_go_back_to_the_cache_when_devices_fail()
    {
        using var rig = new Rig();
        using var service = new FakeService();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 12, CancellationToken.None);
        var device = rig.AddDevice();
        using var silent = Simulator.Pty.PseudoTerminal.Open();
        var provisioner = new Provisioner(client, rig.Cache, rig.Queue, expectedDevices: 4);
        ProvisionRequest Request(string port) => new(port, 115200, null, "net"u8.ToArray(), [], false, TimeSpan.Zero);

        var reports = await Task.WhenAll(new[] { device.PortPath, silent.SlavePath, "/dev/none-enroll-1", "/dev/none-enroll-2" }.Select(p =>
            Task.Factory.StartNew(() => provisioner.Run(Request(p), (_, _) => { }, CancellationToken.None), TaskCreationOptions.LongRunning)));
        provisioner.ReturnUnused();

        Assert.Equal(0, reports[0].ExitCode);
        Assert.Equal((int)ExitCode.NoAnswer, reports[1].ExitCode);
        Assert.Equal(ExitCode.BatchMixed, ExitCodes.Combine(reports.Select(r => (ExitCode)r.ExitCode)));
        Assert.Equal(11, rig.Cache.List().Count);
        Assert.Equal(12, service.BundlesIssued);
    }
}
