using System.Text;
using Enrollment.EndToEnd.Tests.Support;
using Enrollment.Simulator;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// Issues 7 and 8 end to end: once enrolled (by <c>enroll provision</c>), the simulated device sends telemetry
/// over the secure channel (docs/session-protocol.md, frame 0x10 on its up topic) and the service stores it
/// decrypted (operator API); a command the operator sends goes down (frame 0x11), the device carries it out
/// and acknowledges it (0x12). Through Mosquitto over TLS (the device's broker credentials come in its sealed
/// result) and through the embedded broker (which checks those credentials and topics).
/// </summary>
public static class SecureChannel
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    internal static async Task TelemetryUpAndCommandDownAsync(World world, string name, ITestOutputHelper output)
    {
        var device = world.Devices.Add(name);
        long opksUsed = world.OpksUsed();
        var run = await world.ProvisionAsync(device, name);
        var view = await world.AssertEnrolledOnceAsync(device, run, name, opksUsed);
        Assert.Empty(await world.Operator.TelemetryAsync(view.Id));
        Assert.Empty(await world.Operator.CommandsAsync(view.Id));

        // An eavesdropper on Mosquitto (the embedded broker lets no one but the device and the service near a
        // device's topics, docs/broker.md).
        await using var watch = world.Mosquitto == null ? null : await BrokerWatch.ConnectAsync(world.Service, world.Mosquitto, "dev/v1/" + view.Id + "/up");

        // Up: one reading, asked for now; the service decrypts it and keeps it for the operator.
        device.SendTelemetryNow();
        var telemetry = await EventuallyAsync(async () => await world.Operator.TelemetryAsync(view.Id), t => t.Count > 0, "telemetry at the service", world);
        var (epoch, counter, payload) = Assert.Single(telemetry);
        string reading = Encoding.ASCII.GetString(payload);
        Assert.Contains("\"device\":\"" + view.Id + "\"", reading, StringComparison.Ordinal); // the plaintext the device built
        Assert.Contains("\"seq\":1", reading, StringComparison.Ordinal);
        Assert.Equal(1, device.TelemetrySent);
        if (watch != null)
        {
            // The broker carried a channel frame (type 0x10), never the reading itself.
            var frame = await watch.WaitForAsync((_, p) => p.Length > 0 && p[0] == 0x10, Bound, "the telemetry frame", world.Context);
            Assert.True(frame.Length > payload.Length, "the frame should carry the plaintext's length plus header and tag");
            Assert.All(watch.Seen, m => Assert.Equal(-1, m.Payload.AsSpan().IndexOf(payload.AsSpan(0, 16))));
        }

        output.WriteLine("telemetry (epoch " + epoch + ", counter " + counter + "): " + reading);

        // Down: a command; the device acts on it once and acknowledges it.
        uint commandId = await world.Operator.SendCommandAsync(view.Id, "blink-led 3"u8.ToArray());
        var commands = await EventuallyAsync(async () => await world.Operator.CommandsAsync(view.Id), c => c.Count == 1 && c[0].Acknowledged,
            "the device's acknowledgement", world);
        var command = Assert.Single(commands);
        Assert.Equal(commandId, command.CommandId);
        Assert.Equal("blink-led 3", Encoding.ASCII.GetString(command.Body));
        Assert.Equal("done", command.Status);
        Assert.Equal("ok", Encoding.ASCII.GetString(command.Detail!));
        Assert.Equal(["blink-led 3"], device.Commands);
        output.WriteLine("command " + commandId + " acknowledged: " + command.Status);
        world.AssertNoErrorsLogged();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, World world)
    {
        var until = DateTime.UtcNow + Bound;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException("no " + what + " within " + Bound.TotalSeconds + " s\n" + world.Context());
            }

            // The operator API is the only view of the service's store; ask again shortly (bounded above).
            await Task.Delay(50);
        }
    }
}

[Collection(MosquittoCollection.Name)]
public sealed class SecureChannelOnMosquittoTests(MosquittoWorld fixture, ITestOutputHelper output)
{
    [Fact]
    public Task Telemetry_goes_up_decrypted_and_a_command_comes_down_acknowledged_through_mosquitto_over_tls() =>
        SecureChannel.TelemetryUpAndCommandDownAsync(fixture.World, "channel-tls", output);
}

[Collection(EmbeddedCollection.Name)]
public sealed class SecureChannelOnEmbeddedBrokerTests(EmbeddedWorld fixture, ITestOutputHelper output)
{
    [Fact]
    public Task Telemetry_goes_up_decrypted_and_a_command_comes_down_acknowledged_through_the_embedded_broker() =>
        SecureChannel.TelemetryUpAndCommandDownAsync(fixture.World, "channel-embedded", output);
}
