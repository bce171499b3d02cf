using Enrollment.EndToEnd.Tests.Support;
using Enrollment.Enrollee.State;
using Enrollment.Simulator;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// Issue 7, faults end to end: the broker and the service are killed (SIGKILL, as a crash) and started again
/// while a device is enrolling; the device retries and ends enrolled exactly once, with nothing half-done
/// (<see cref="World.AssertEnrolledOnceAsync"/>: one enrolled record, one OPK consumed, one EK_B record, one
/// "enrollee.enrolled" audit row, and the device's flash enrolled). The moment of each fault is chosen by the
/// device's own state changes (raised on the device's thread, so the device cannot move on while the fault
/// is injected) and by freezing a process (SIGSTOP), never by a sleep.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Mosquitto_restarted_while_a_device_is_enrolling_the_device_retries_and_is_enrolled_exactly_once()
    {
        await using var world = await World.OnMosquittoAsync();
        var mosquitto = world.Mosquitto!;
        // The broker crashes the moment the device has stored its bundle, before it reaches the broker.
        // Attempt 1 is lost for certain (below); 10 s before the device retries gives the service time to reconnect,
        // so the retry is answered within the device's wait even on a loaded machine (late answers are
        // LateResultTests' subject).
        var device = world.Devices.Add("broker-crash-1", core: DeviceRig.FastRetries(resultTimeoutMilliseconds: 10_000),
            onChange: Once(d => d.State == EnrolleeState.BundleReceived, mosquitto.Kill));
        long opksUsed = world.OpksUsed();
        var provision = world.ProvisionAsync(device, "broker-crash");

        await DeviceRigWait.UntilAsync(() => device.Code == StatusCode.BrokerFailed, Bound, "the device to find the broker down", world.Context);
        // The broker comes back empty (no persistence: the service's session and subscription are gone) while the
        // service is held, so the device's first enrollment message has no subscriber and is lost for certain.
        world.Service.Freeze();
        await mosquitto.RestartAsync();
        await DeviceRigWait.UntilAsync(() => device.State == EnrolleeState.Enrolling, Bound, "the device to publish attempt 1", world.Context);
        world.Service.Thaw();

        // The service reconnects and subscribes again; the device hears nothing for attempt 1 and retries.
        var run = await provision;
        output.WriteLine(run.Output);
        var view = await world.AssertEnrolledOnceAsync(device, run, "broker-crash", opksUsed);
        Assert.Contains("enrolling: no result for attempt 1", world.Devices.Log.Text, StringComparison.Ordinal);
        Assert.Contains("MQTT connection lost", world.Service.Output, StringComparison.Ordinal);
        await world.Service.ExpectLogCountAsync("(device " + view.DeviceId + ")", 1, world.Context);
    }

    [Fact]
    public async Task The_service_killed_before_the_device_publishes_and_restarted_enrolls_it_exactly_once_from_the_brokers_queue()
    {
        await using var world = await World.OnMosquittoAsync();
        var service = world.Service;
        var device = world.Devices.Add("service-crash-1", core: DeviceRig.FastRetries(resultTimeoutMilliseconds: 120_000),
            onChange: Once(d => d.State == EnrolleeState.BundleReceived, service.Kill));
        long opksUsed = world.OpksUsed();
        var provision = world.ProvisionAsync(device, "service-crash");

        // The device publishes while the service is dead: Mosquitto keeps the message for the service's
        // persistent session (fixed client id, clean session off; docs/service-api.md section 6).
        await DeviceRigWait.UntilAsync(() => device.State == EnrolleeState.Enrolling, Bound, "the device to publish attempt 1", world.Context);
        await service.StartAgainAsync();

        var run = await provision;
        output.WriteLine(run.Output);
        var view = await world.AssertEnrolledOnceAsync(device, run, "service-crash", opksUsed);
        await service.ExpectLogCountAsync("(device " + view.DeviceId + ")", 1, world.Context);
        Assert.Contains("--- service killed", service.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)] // the shared enrollment topic
    [InlineData(true)] // Mqtt:RequestTopicPerEnrollee (default): the redelivery comes on the enrollee's own topic, the result goes retained
    public async Task The_service_killed_holding_an_unacknowledged_enrollment_message_gets_it_again_after_a_restart_and_enrolls_it_exactly_once(bool perEnrollee)
    {
        await using var world = await World.OnMosquittoAsync(
            new Dictionary<string, string> { ["Enrollment__Mqtt__RequestTopicPerEnrollee"] = perEnrollee ? "true" : "false" });
        var service = world.Service;
        // Held at the moment the device stored its bundle: the broker delivers the enrollment message into the
        // service's socket, but the service cannot read, process or acknowledge it.
        var device = world.Devices.Add("service-crash-2", core: DeviceRig.FastRetries(resultTimeoutMilliseconds: 120_000),
            onChange: Once(d => d.State == EnrolleeState.BundleReceived, service.Freeze));
        await using var watch = await BrokerWatch.ConnectAsync(service, world.Mosquitto, service.EnrollmentTopic + (perEnrollee ? "/+" : ""));
        long opksUsed = world.OpksUsed();
        var provision = world.ProvisionAsync(device, "service-crash-2");

        await DeviceRigWait.UntilAsync(() => device.State == EnrolleeState.Enrolling, Bound, "the device to publish attempt 1", world.Context);
        await watch.WaitForAsync((_, _) => true, Bound, "the broker to dispatch the enrollment message", world.Context);
        service.Kill(); // unacknowledged QoS 1: the broker keeps it for the service's session
        await service.StartAgainAsync();

        var run = await provision;
        output.WriteLine(run.Output);
        var view = await world.AssertEnrolledOnceAsync(device, run, "service-crash-2", opksUsed);
        await service.ExpectLogCountAsync("(device " + view.DeviceId + ")", 1, world.Context);
        Assert.DoesNotContain("no result for attempt", world.Devices.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_with_its_embedded_broker_restarted_while_a_device_is_enrolling_enrolls_it_exactly_once()
    {
        await using var world = await World.EmbeddedAsync();
        var service = world.Service;
        // The service dies, and its embedded broker with it, the moment the device stored its bundle.
        var device = world.Devices.Add("embedded-crash-1", core: DeviceRig.FastRetries(resultTimeoutMilliseconds: 10_000),
            onChange: Once(d => d.State == EnrolleeState.BundleReceived, service.Kill));
        long opksUsed = world.OpksUsed();
        var provision = world.ProvisionAsync(device, "embedded-crash");

        await DeviceRigWait.UntilAsync(() => device.Code == StatusCode.BrokerFailed, Bound, "the device to find the broker down", world.Context);
        await service.StartAgainAsync();

        var run = await provision;
        output.WriteLine(run.Output);
        var view = await world.AssertEnrolledOnceAsync(device, run, "embedded-crash", opksUsed);
        await service.ExpectLogCountAsync("(device " + view.DeviceId + ")", 1, world.Context);
    }

    /// <summary>Runs the fault once, on the device's thread, the first time the condition holds.</summary>
    private static Action<SimulatedDevice> Once(Func<SimulatedDevice, bool> when, Action fault)
    {
        int fired = 0;
        return d =>
        {
            if (when(d) && Interlocked.Exchange(ref fired, 1) == 0)
            {
                fault();
            }
        };
    }
}
