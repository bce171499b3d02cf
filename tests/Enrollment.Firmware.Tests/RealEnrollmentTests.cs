using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// Whole enrollments with the real protocol on both sides: the device's core with ProtocolAdapter (the
/// enrollee functions and this project's X25519/XEdDSA) against a service built on the service functions.
/// </summary>
public class RealEnrollmentTests
{
    private static (Rig Rig, RealService Service) NewRig()
    {
        var service = new RealService();
        var rig = new Rig(seed: 3, protocol: new ProtocolAdapter(), service: service);
        rig.Broker.EnrollmentTopic = Enrollment.Protocol.Messages.ServiceAddress.DefaultRequestTopic;
        rig.Broker.Retain = false;
        return (rig, service);
    }

    private static void Provision(Rig rig, RealService service)
    {
        rig.Enroller.Hello();
        Assert.True(rig.RunUntil(() => rig.Enroller.LastHelloReply()?.State == EnrolleeState.IdentityReady, 2000));
        service.RegisteredEik = rig.Enroller.LastHelloReply()!.EikPublic.ToArray();
        rig.Enroller.Bundle(service.IssueBundle(), time: 1_800_000_000);
    }

    [Fact]
    public void A_device_enrolls_with_the_real_protocol_and_stores_the_session()
    {
        var (rig, service) = NewRig();
        service.BusyScript.Enqueue(30);
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        Provision(rig, service);
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 300_000));
        Assert.Equal(1, service.Accepted);
        Assert.Equal(0, service.Rejected);
        Assert.Equal(2, rig.Device.Attempt);

        var record = new DeviceRecord();
        byte[] stored = rig.Files.Files[DeviceRecord.FileName];
        Assert.True(record.TryDecode(stored, stored.Length));
        Assert.Equal("device-0042", System.Text.Encoding.ASCII.GetString(record.DeviceId, 0, record.DeviceIdLength));
        Assert.Equal(0, record.AttemptStateLength); // SK erased once the session keys exist
        Assert.True(record.SessionLength > 64);
        rig.RunUntil(() => rig.Enroller.LastStatus()?.State == EnrolleeState.Enrolled, 5000);
        Assert.Equal(EnrolleeState.Enrolled, rig.Enroller.LastStatus()!.State);
    }

    [Fact]
    public void With_a_per_enrollee_request_topic_the_device_publishes_on_its_own_topic()
    {
        // docs/protocol.md section 7, flags bit 1: the broker then drops messages for enrollees nobody approved.
        var service = new RealService(new Enrollment.Protocol.Messages.ServiceAddress("broker.test", 8883, true,
            Enrollment.Protocol.Messages.CaKind.None, null, "enroll/v1/request", "enroll/v1/result/", requestTopicPerEnrollee: true));
        var rig = new Rig(seed: 3, protocol: new ProtocolAdapter(), service: service);
        rig.Broker.Retain = false;
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        Provision(rig, service);
        string idText = Enrollment.Protocol.Messages.EnrolleeId.ToText(Enrollment.Protocol.Messages.EnrolleeId.Compute(service.RegisteredEik!));
        rig.Broker.EnrollmentTopic = "enroll/v1/request/" + idText; // the only topic the fake service reads
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 60_000));
        Assert.Equal(1, service.Accepted);
    }

    [Fact]
    public void A_result_lost_on_the_way_is_read_from_the_brokers_retained_copy_when_nobody_answers_the_republication()
    {
        // The cloud service with per-enrollee request topics publishes the result retained and stops listening on
        // the enrollee's request topic (docs/protocol.md section 14): the device's republication reaches nobody,
        // and only subscribing again before it (which makes the broker resend the retained result) ends the attempt.
        var service = new RealService(new Enrollment.Protocol.Messages.ServiceAddress("broker.test", 8883, true,
            Enrollment.Protocol.Messages.CaKind.None, null, "enroll/v1/request", "enroll/v1/result/", requestTopicPerEnrollee: true))
        {
            RetainResultAndStopListening = true,
        };
        var rig = new Rig(seed: 3, protocol: new ProtocolAdapter(), service: service);
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        Provision(rig, service);
        string idText = Enrollment.Protocol.Messages.EnrolleeId.ToText(Enrollment.Protocol.Messages.EnrolleeId.Compute(service.RegisteredEik!));
        rig.Broker.EnrollmentTopic = "enroll/v1/request/" + idText;
        rig.Broker.LoseNextDeliveryOn = "enroll/v1/result/" + idText;
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 600_000));
        Assert.Equal(1, service.Accepted);
        Assert.Equal(0, service.Rejected);
        Assert.Equal(2, rig.Device.Attempt); // the first result was lost; the second publication found the retained one
        Assert.Null(rig.Broker.LoseNextDeliveryOn);
    }

    [Fact]
    public void One_enrollment_allocates_at_most_32_KB_on_the_enrollee_side()
    {
        var (rig, service) = NewRig();
        rig.Broker.Deferred = true; // the service runs outside the measured calls
        long before = GC.GetAllocatedBytesForCurrentThread();
        rig.Boot();
        long construction = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        Provision(rig, service);

        long device = 0;
        long end = rig.Clock.NowMilliseconds + 120_000;
        while (rig.Device.State != EnrolleeState.Enrolled && rig.Clock.NowMilliseconds < end)
        {
            long b = GC.GetAllocatedBytesForCurrentThread();
            rig.Device.Step();
            device += GC.GetAllocatedBytesForCurrentThread() - b;
            rig.Broker.Pump();
            rig.Enroller.Link.Poll();
            rig.Clock.Advance(20);
        }

        Assert.Equal(EnrolleeState.Enrolled, rig.Device.State);
        Console.WriteLine($"enrollee allocations: {construction} bytes to construct and boot (buffers, once), " +
            $"{device} bytes for the enrollment itself (identity, bundle, attempt, result)");
        Assert.True(device <= 32 * 1024, $"one enrollment allocated {device} bytes on the enrollee side");
    }

    [Fact]
    public void A_reboot_before_the_result_is_read_resumes_the_persisted_attempt_with_the_real_protocol()
    {
        var (rig, service) = NewRig();
        rig.Broker.Deferred = true;
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        Provision(rig, service);
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolling, 10_000));

        rig.Boot();          // power cycle: the old session is gone before the service answers
        rig.Broker.Pump();   // the service accepts the message; its answer reaches nobody
        Assert.Equal(1, service.Accepted);
        Assert.True(rig.RunUntil(() => { rig.Broker.Pump(); return rig.Device.State == EnrolleeState.Enrolled; }, 60_000));
        Assert.Equal(1, rig.Device.Attempt);      // the same attempt, republished unchanged
        Assert.Equal(1, service.Accepted);
        Assert.Equal(0, service.Rejected);        // no second message under the same EK_B
        Assert.Contains(rig.Log.Lines, l => l.Contains("republished unchanged"));
    }

    /// <summary>Publishes junk on the result topic right before and right after the real answer.</summary>
    private sealed class JunkAroundService : IServiceHandler
    {
        private readonly RealService _inner;

        public JunkAroundService(RealService inner) => _inner = inner;

        public string Topic { get; set; } = "";

        public void Handle(FakeBroker broker, byte[] message)
        {
            byte[] junk = new byte[100];
            junk[0] = 0x03; // looks like a sealed result, opens under nothing
            junk[1] = 0x01;
            broker.Publish(Topic, junk);
            _inner.Handle(broker, message);
            broker.Publish(Topic, junk);
            broker.Publish(Topic, new byte[] { 0x04, 0x01 });
        }
    }

    [Fact]
    public void Junk_published_around_the_real_result_is_ignored_and_cannot_push_it_out()
    {
        var inner = new RealService();
        var service = new JunkAroundService(inner);
        var rig = new Rig(seed: 5, protocol: new ProtocolAdapter(), service: service);
        rig.Broker.EnrollmentTopic = Enrollment.Protocol.Messages.ServiceAddress.DefaultRequestTopic;
        rig.Broker.Retain = false;
        rig.Broker.Deferred = true; // everything lands in the device's inbox between two loop iterations
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000));
        Provision(rig, inner);
        service.Topic = Enrollment.Protocol.Messages.ServiceAddress.DefaultResultTopicPrefix
            + Enrollment.Protocol.Messages.EnrolleeId.ToText(Enrollment.Protocol.Messages.EnrolleeId.Compute(inner.RegisteredEik!));
        Assert.True(rig.RunUntil(() => { rig.Broker.Pump(); return rig.Device.State == EnrolleeState.Enrolled; }, 60_000));
        Assert.Equal(1, rig.Device.Attempt);
        Assert.True(rig.Log.Lines.Count(l => l.Contains("was ignored")) >= 1);
    }
}
