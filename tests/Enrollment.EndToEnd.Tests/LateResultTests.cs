using Enrollment.EndToEnd.Tests.Support;
using Enrollment.Enrollee.State;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// The service down for longer than the device's result timeout: the device, hearing nothing, retries while
/// its earlier publications wait at the broker for the service's persistent session. When the service comes
/// back it accepts the first copy (consuming the OPK) and must still end with the device enrolled. Before the
/// enrollee core republished the same message on every retry (docs/protocol.md section 10 step 9), a retry
/// made a new EK_B, the device ignored the late acceptance of its first message and every later attempt was
/// rejected: the service held it enrolled while the device gave up (half-done). This is the end-to-end
/// regression test of that fix: every copy after the first is answered from the stored result (section 11).
/// </summary>
public sealed class LateResultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_service_down_longer_than_the_devices_result_timeout_still_ends_with_the_device_enrolled_exactly_once()
    {
        await using var world = await World.OnMosquittoAsync();
        var service = world.Service;
        var core = DeviceRig.FastRetries(resultTimeoutMilliseconds: 1500);
        core.MaxAttempts = 40; // enough retries to outlast the service's restart on a loaded machine
        int fired = 0;
        var device = world.Devices.Add("late-result-1", core: core, onChange: d =>
        {
            if (d.State == EnrolleeState.BundleReceived && Interlocked.Exchange(ref fired, 1) == 0)
            {
                service.Kill();
            }
        });
        long opksUsed = world.OpksUsed();
        var provision = world.ProvisionAsync(device, "late-result");

        // Attempt 1 waits at the broker for the dead service; the device times out on it and retries.
        await DeviceRigWait.UntilAsync(() => world.Devices.Log.Text.Contains("no result for attempt 1", StringComparison.Ordinal)
            && device.State == EnrolleeState.Enrolling && device.Code == StatusCode.AwaitingResult, TimeSpan.FromSeconds(60), "the device's retry", world.Context);
        await service.StartAgainAsync();

        var run = await provision;
        output.WriteLine(run.Output);
        var view = await world.AssertEnrolledOnceAsync(device, run, "late-result", opksUsed);
        await service.WaitForLogAsync(l => l.Contains("Redelivered enrollment message for " + view.DeviceId, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "a later copy answered from the stored result", world.Context);
    }
}
