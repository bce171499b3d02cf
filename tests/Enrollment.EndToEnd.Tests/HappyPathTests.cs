using Enrollment.EndToEnd.Tests.Support;
using MQTTnet.Formatter;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// Issue 7, happy path across the real parts: a simulated ESP32 on a pty, <c>enroll provision --json --wait</c>
/// as a child process, the service as a child process, through Mosquitto over TLS (the device trusts the CA
/// its bundle carries) and through the embedded broker; and with the device's MQTT limited to 3.1.1.
/// </summary>
[Collection(MosquittoCollection.Name)]
public sealed class HappyPathOnMosquittoTests(MosquittoWorld fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_device_is_provisioned_by_the_tool_and_enrolls_through_mosquitto_over_tls()
    {
        var world = fixture.World;
        var device = world.Devices.Add("tls-1");
        long opksUsed = world.OpksUsed();
        var devicesBefore = await world.Operator.DevicesAsync();

        var run = await world.ProvisionAsync(device, "kitchen");
        output.WriteLine(run.Output);

        var view = await world.AssertEnrolledOnceAsync(device, run, "kitchen", opksUsed);
        Assert.DoesNotContain(devicesBefore, d => d.Id == view.Id);
        // The device reached the service only through Mosquitto's TLS listener (its only listener), as itself.
        Assert.Contains(" as " + view.DeviceId + " (p5", world.Mosquitto!.Output, StringComparison.Ordinal);
        Assert.Contains("(TLS), MQTT 5", world.Devices.Log.Text, StringComparison.Ordinal);
        world.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task A_device_limited_to_mqtt_3_1_1_enrolls_through_mosquitto_over_tls()
    {
        var world = fixture.World;
        var device = world.Devices.Add("mqtt311-1", MqttProtocolVersion.V311);
        long opksUsed = world.OpksUsed();

        var run = await world.ProvisionAsync(device, "mqtt-3.1.1");
        output.WriteLine(run.Output);

        var view = await world.AssertEnrolledOnceAsync(device, run, "mqtt-3.1.1", opksUsed);
        // Mosquitto logs the protocol level each client connected with: p2 is MQTT 3.1.1 (p5 would be MQTT 5).
        Assert.Contains(" as " + view.DeviceId + " (p2", world.Mosquitto!.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" as " + view.DeviceId + " (p5", world.Mosquitto.Output, StringComparison.Ordinal);
        world.AssertNoErrorsLogged();
    }
}

[Collection(EmbeddedCollection.Name)]
public sealed class HappyPathOnEmbeddedBrokerTests(EmbeddedWorld fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_device_is_provisioned_by_the_tool_and_enrolls_through_the_embedded_broker()
    {
        var world = fixture.World;
        var device = world.Devices.Add("embedded-1");
        long opksUsed = world.OpksUsed();

        var run = await world.ProvisionAsync(device, "hallway");
        output.WriteLine(run.Output);

        await world.AssertEnrolledOnceAsync(device, run, "hallway", opksUsed);
        Assert.Contains("mqtt: connected to 127.0.0.1:" + world.Service.BrokerPort + ", MQTT 5", world.Devices.Log.Text, StringComparison.Ordinal);
        world.AssertNoErrorsLogged();
    }
}
