using Enrollment.Enrollee;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;
using Enrollment.Protocol.Messages;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>A device enrolled with the real protocol, and the service's channel peer built from the shared classes.</summary>
internal sealed class ChannelFixture
{
    private ChannelFixture(Rig rig, RealService service, ChannelPeer peer)
    {
        Rig = rig;
        Service = service;
        Peer = peer;
    }

    public Rig Rig { get; }
    public RealService Service { get; }
    public ChannelPeer Peer { get; }
    public EnrolleeCore Device => Rig.Device;

    public static ChannelFixture Enrolled(int seed = 3, Action<RealService>? configure = null, ServiceAddress? address = null)
    {
        var service = new RealService(address);
        configure?.Invoke(service);
        var rig = new Rig(seed, new ProtocolAdapter(), service);
        rig.Broker.EnrollmentTopic = ServiceAddress.DefaultRequestTopic;
        rig.Broker.Retain = false;
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        rig.Enroller.Hello();
        Assert.True(rig.RunUntil(() => rig.Enroller.LastHelloReply()?.State == EnrolleeState.IdentityReady, 2000));
        service.RegisteredEik = rig.Enroller.LastHelloReply()!.EikPublic.ToArray();
        rig.Enroller.Bundle(service.IssueBundle(), time: 1_800_000_000);
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 60_000));
        var peer = new ChannelPeer(service, rig.Broker);
        Assert.True(rig.RunUntil(() => rig.Device.ChannelReady, 20_000));
        return new ChannelFixture(rig, service, peer);
    }

    public bool RunUntil(Func<bool> condition, long maxMilliseconds = 60_000) => Rig.RunUntil(condition, maxMilliseconds);

    /// <summary>Power cycle, then wait until the boot rekey has completed (a new epoch above the one before).</summary>
    public void RebootAndRekey()
    {
        uint before = Peer.Epoch;
        Rig.Boot();
        Assert.True(RunUntil(() => Device.ChannelReady && Device.Epoch > before && Peer.Epoch == Device.Epoch && !Device.Rekeying));
    }

    public bool Telemetry(string text) => Device.SendTelemetry(System.Text.Encoding.UTF8.GetBytes(text), 0, text.Length);
}

/// <summary>Records each command and answers with a fixed status and detail.</summary>
internal sealed class RecordingHandler : ICommandHandler
{
    public List<(uint Id, byte[] Body)> Calls { get; } = new();
    public byte Status { get; set; } = CommandStatus.Done;
    public byte[] Detail { get; set; } = "ok"u8.ToArray();

    public byte Handle(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] detail, out int detailLength)
    {
        Calls.Add((commandId, body.AsSpan(bodyOffset, bodyLength).ToArray()));
        Detail.CopyTo(detail, 0);
        detailLength = Detail.Length;
        return Status;
    }
}
