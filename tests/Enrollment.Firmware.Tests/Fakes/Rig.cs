using Enrollment.Enrollee;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.State;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>One enrollee with in-memory ports, an enroller on the other end of the wire, a broker and a service.</summary>
internal sealed class Rig
{
    public Rig(int seed = 1, IEnrolleeProtocol? protocol = null, IServiceHandler? service = null)
    {
        Entropy = new FakeEntropy(seed);
        Storage = new AtomicFileStorage(Files);
        Protocol = protocol ?? new FakeProtocol();
        Broker = new FakeBroker(service ?? Service);
        Enroller = new EnrollerHarness(Pipe.B, Clock);
        Mqtt = new FakeMqttLink(Broker);
    }

    public FakeClock Clock { get; } = new();
    public FakeEntropy Entropy { get; set; }
    public FakeWifi Wifi { get; } = new();
    public ListLog Log { get; } = new();
    public MemoryFileSystem Files { get; } = new();
    public AtomicFileStorage Storage { get; }
    public FakeService Service { get; } = new();
    public FakeBroker Broker { get; }
    public IEnrolleeProtocol Protocol { get; }

    /// <summary>The fake protocol's records (only when the rig runs with it).</summary>
    public FakeProtocol Fake => (FakeProtocol)Protocol;
    public SerialPipe Pipe { get; } = new();
    public EnrollerHarness Enroller { get; }
    public FakeMqttLink Mqtt { get; private set; }
    public EnrolleeOptions Options { get; } = new();
    public EnrolleeCore Device { get; private set; } = null!;
    public int Boots { get; private set; }

    /// <summary>Powers the device on (again): new RAM, same flash, same broker and service.</summary>
    public EnrolleeCore Boot()
    {
        Mqtt.Disconnect();
        Mqtt = new FakeMqttLink(Broker);
        Wifi.Disconnect();
        Device = new EnrolleeCore(new EnrolleePorts(Pipe.A, Mqtt, Storage, Clock, Entropy, Wifi, Log), Protocol, Options);
        Boots++;
        Device.Boot();
        return Device;
    }

    public void Tick(int milliseconds = 20)
    {
        Device.Step();
        Enroller.Link.Poll();
        Clock.Advance(milliseconds);
    }

    public bool RunUntil(Func<bool> condition, long maxMilliseconds)
    {
        long end = Clock.NowMilliseconds + maxMilliseconds;
        while (Clock.NowMilliseconds < end)
        {
            if (condition())
            {
                return true;
            }

            Tick();
        }

        return condition();
    }

    /// <summary>Boots, lets the identity be made and delivers a valid bundle over the link.</summary>
    public void ToBundleReceived()
    {
        Boot();
        Assert.True(RunUntil(() => Device.State == EnrolleeState.IdentityReady, 1000));
        Enroller.Hello();
        Enroller.Bundle(FakeProtocol.Bundle());
        Assert.True(RunUntil(() => Device.State != EnrolleeState.IdentityReady, 2000));
    }
}
