using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;
using Enrollment.Protocol.Messages;
using Enrollment.Simulator;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The simulator's enrolled device (tools/Enrollment.Simulator) over a real MQTT broker (MQTTnet's server,
/// in-process on loopback): its flash holds an enrollment made in memory with the real protocol, and the
/// service side is the shared-class <see cref="ChannelPeer"/> bridged onto the broker. It sends telemetry on
/// its interval and on request, prints and acknowledges commands, rekeys after a simulated reboot and
/// honours a revocation.
/// </summary>
public sealed class SimulatorChannelTests : IAsyncLifetime
{
    private readonly int _port = FreePort();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sim-channel-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<string> _clientIds = new();
    private readonly BlockingCollection<(string Topic, byte[] Payload)> _down = new();
    private MqttServer? _server;
    private IMqttClient? _service;
    private Thread? _sender;

    public async Task InitializeAsync()
    {
        var options = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(_port)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.ValidatingConnectionAsync += e =>
        {
            _clientIds.Enqueue(e.ClientId + "/" + e.UserName);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
        Directory.CreateDirectory(_root);
    }

    public async Task DisposeAsync()
    {
        _down.CompleteAdding();
        _sender?.Join(TimeSpan.FromSeconds(5));
        if (_service != null)
        {
            await _service.DisconnectAsync();
            _service.Dispose();
        }

        if (_server != null)
        {
            await _server.StopAsync();
            _server.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_simulated_device_sends_telemetry_handles_commands_rekeys_after_a_reboot_and_honours_revocation()
    {
        // An enrollment in memory whose bundle names this broker; its flash becomes the simulator's directory.
        var address = new ServiceAddress("127.0.0.1", _port, false, CaKind.None, null,
            ServiceAddress.DefaultRequestTopic, ServiceAddress.DefaultResultTopicPrefix);
        var f = ChannelFixture.Enrolled(seed: 21, address: address);
        string state = Path.Combine(_root, "sim-1");
        Directory.CreateDirectory(state);
        foreach (var (name, bytes) in f.Rig.Files.Files)
        {
            File.WriteAllBytes(Path.Combine(state, name), bytes);
        }

        // The service side: the peer, bridged onto the broker (its down frames leave from one sender thread).
        var bridge = new FakeBroker(f.Service) { EnrollmentTopic = "unused" };
        var peer = new ChannelPeer(f.Service, bridge);
        Action<string, byte[]> toPeer = bridge.Tap!;
        bridge.Tap = (topic, payload) =>
        {
            if (topic == peer.DownTopic)
            {
                _down.Add((topic, payload));
            }
            else
            {
                lock (peer)
                {
                    toPeer(topic, payload);
                }
            }
        };
        _service = new MqttClientFactory().CreateMqttClient();
        _service.ApplicationMessageReceivedAsync += e =>
        {
            bridge.Publish(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await _service.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("service").Build());
        await _service.SubscribeAsync(peer.UpTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        _sender = new Thread(SendDown) { IsBackground = true };
        _sender.Start();

        using var log = new LockedWriter();
        using var device = new SimulatedDevice(new SimulatorOptions
        {
            Name = "sim-1",
            StateDirectory = state,
            TelemetryIntervalMilliseconds = 300,
            PollMilliseconds = 5,
            Core = new EnrolleeOptions { NetworkRetryMilliseconds = 200, RekeyTimeoutMilliseconds = 5000 },
        }, new ProtocolAdapter(), log);
        device.Start();

        // Boot: connects as its device id with the outcome's user name, rekeys (reason 1), then telemetry flows.
        Assert.True(await Until(() => Count(peer, () => peer.Telemetry.Count(t => t.Epoch >= 1)) >= 2), log.ToString());
        Assert.Contains("device-0042/device-0042", _clientIds);
        Assert.Equal(Protocol.Session.RekeyReason.Boot, Read(peer, () => peer.Inits[0]));

        int before = device.TelemetrySent;
        device.SendTelemetryNow();
        Assert.True(await Until(() => device.TelemetrySent > before));

        lock (peer)
        {
            peer.SendCommand(41, "hello device"u8.ToArray());
        }

        Assert.True(await Until(() => Count(peer, () => peer.Acks.Count(a => a.Id == 41)) == 1), log.ToString());
        Assert.Contains("hello device", device.Commands);
        Assert.Contains("command 41 received: hello device", log.ToString(), StringComparison.Ordinal);

        uint epoch = Read(peer, () => peer.Epoch);
        device.Reboot();
        Assert.True(await Until(() => Read(peer, () => peer.Epoch) > epoch
            && Count(peer, () => peer.Telemetry.Count(t => t.Epoch > epoch)) >= 1), log.ToString());
        Assert.Equal(2, Count(peer, () => peer.Inits.Count(r => r == Protocol.Session.RekeyReason.Boot)));

        lock (peer)
        {
            peer.Revoke();
        }

        Assert.True(await Until(() => device.State == EnrolleeState.Revoked), log.ToString());
        int sent = device.TelemetrySent;
        await Task.Delay(1000);
        Assert.Equal(sent, device.TelemetrySent);
        Assert.Contains("the service revoked this device", log.ToString(), StringComparison.Ordinal);
        Assert.Empty(Read(peer, () => peer.Drops.Keys.ToList()));
        Assert.Empty(Read(peer, () => peer.UpFrames.GroupBy(x => x).Where(g => g.Count() > 1).ToList()));
    }

    private void SendDown()
    {
        foreach (var (topic, payload) in _down.GetConsumingEnumerable())
        {
            _service!.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).GetAwaiter().GetResult();
        }
    }

    private static int Count(ChannelPeer peer, Func<int> count)
    {
        lock (peer)
        {
            return count();
        }
    }

    private static T Read<T>(ChannelPeer peer, Func<T> read)
    {
        lock (peer)
        {
            return read();
        }
    }

    private static async Task<bool> Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The device thread writes, the test reads: one lock around both.</summary>
    private sealed class LockedWriter : StringWriter
    {
        public override void Write(char value)
        {
            lock (this)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (this)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (this)
            {
                base.WriteLine(value);
            }
        }

        public override string ToString()
        {
            lock (this)
            {
                return base.ToString();
            }
        }
    }
}
