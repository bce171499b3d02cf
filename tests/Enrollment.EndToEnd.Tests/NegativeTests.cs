using Enrollment.EndToEnd.Tests.Support;
using Enrollment.Enrollee.State;
using Enrollment.Protocol.Messages;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// Issue 7, negative paths end to end through Mosquitto over TLS: each rejection is seen on the broker and in
/// the service's log, the device does not end enrolled, and the service's database is byte-for-byte what it was.
/// </summary>
[Collection(MosquittoCollection.Name)]
public sealed class NegativeTests(MosquittoWorld fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_enrollee_no_enroller_approved_cannot_enroll_and_storage_is_unchanged()
    {
        var world = fixture.World;
        var core = DeviceRig.FastRetries(resultTimeoutMilliseconds: 1500);
        core.MaxAttempts = 2;
        var device = world.Devices.Add("unapproved-1", core: core);
        using var enroller = new HandEnroller(world.Service);
        var info = HandEnroller.Hello(device.PortPath);
        string id = info.EnrolleeId[..EnrolleeIdTextLength];
        await using var watch = await BrokerWatch.ConnectAsync(world.Service, world.Mosquitto, "enroll/v1/result/" + id);
        var bundle = await enroller.FetchBundleAsync(); // genuine, but never registered: no enroller approved this device
        string before = world.Storage.Snapshot();

        HandEnroller.HandBundle(device.PortPath, bundle);

        // Each attempt (a new EK_B each time) is rejected before any public-key work; after its last attempt the
        // device gives up and drops the bundle.
        DeviceRigWait.Until(() => device.State == EnrolleeState.IdentityReady && device.Code == StatusCode.NoResult, Bound,
            "the device to give up", world.Context);
        var answer = await watch.WaitForAsync((_, p) => p.Length == EnrollmentNotice.Size, Bound, "rejection notice", world.Context);
        Assert.True(EnrollmentNotice.TryDecode(answer, 0, answer.Length, out var notice));
        Assert.Equal(EnrollmentStatus.Rejected, notice!.Status);
        await world.Service.ExpectLogCountAsync("Rejected an enrollment message: unknown_enrollee (enrollee id " + id + ")", core.MaxAttempts, world.Context);
        Assert.Equal(0, world.Service.CountLog("(device " + id + ")"));
        Assert.Equal(before, world.Storage.Snapshot());
        Assert.Null(await world.Operator.FindByEnrolleeIdAsync(id));
        Assert.Contains(": rejected-notice", world.Devices.Log.Text, StringComparison.Ordinal);
        world.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task An_enrollment_message_captured_on_the_broker_and_replayed_is_not_accepted_again_and_storage_is_unchanged()
    {
        var world = fixture.World;
        var device = world.Devices.Add("replayed-1");
        // An eavesdropper on the broker: every enrollment message and every answer.
        // Each enrollee publishes on its own request topic under the enrollment topic (Mqtt:RequestTopicPerEnrollee, the default).
        await using var watch = await BrokerWatch.ConnectAsync(world.Service, world.Mosquitto, world.Service.EnrollmentTopic + "/+", "enroll/v1/result/#");
        long opksUsed = world.OpksUsed();
        var run = await world.ProvisionAsync(device, "replay-victim");
        var view = await world.AssertEnrolledOnceAsync(device, run, "replay-victim", opksUsed);
        string id = view.DeviceId;
        var requestTopic = world.Service.EnrollmentTopic + "/" + id;
        var captured = await watch.WaitForAsync((t, p) => t == requestTopic && IsFor(p, id), Bound, "the device's enrollment message", world.Context);
        var accepted = await watch.WaitForAsync((t, p) => t == "enroll/v1/result/" + id && p[0] == 0x03, Bound, "its sealed result", world.Context);
        string before = world.Storage.Snapshot();
        int seenBefore = watch.Seen.Count;

        // 1. The same bytes again: indistinguishable from a QoS 1 redelivery, so the service answers with the
        //    stored sealed result (docs/protocol.md section 11), which only the holder of SK can read; nothing
        //    is opened or committed again.
        await watch.PublishAsync(requestTopic, captured);
        await world.Service.WaitForLogAsync(l => l.Contains("Redelivered enrollment message for " + id, StringComparison.Ordinal), Bound,
            "the replay to be answered from the stored result", world.Context);
        var again = await watch.WaitForAsync((t, p) => t == "enroll/v1/result/" + id && p[0] == 0x03, Bound, "the stored answer", world.Context,
            from: seenBefore);
        Assert.Equal(accepted, again);

        // 2. The capture with its ciphertext altered under the same EK_B: a replay attempt, rejected before any
        //    public-key work with the generic notice.
        byte[] altered = (byte[])captured.Clone();
        altered[^1] ^= 0x01;
        await watch.PublishAsync(requestTopic, altered);
        var notice = await watch.WaitForAsync((t, p) => t == "enroll/v1/result/" + id && p.Length == EnrollmentNotice.Size, Bound,
            "the rejection notice", world.Context, from: seenBefore);
        Assert.True(EnrollmentNotice.TryDecode(notice, 0, notice.Length, out var decoded));
        Assert.Equal(EnrollmentStatus.Rejected, decoded!.Status);
        await world.Service.ExpectLogCountAsync("Rejected an enrollment message: replayed (enrollee id " + id + ")", 1, world.Context);

        Assert.Equal(before, world.Storage.Snapshot());
        Assert.Equal(new EnrollmentCounts(1, 1, 1, 1, opksUsed + 1), world.Storage.Counts(view.Id));
        await world.Service.ExpectLogCountAsync("(device " + id + ")", 1, world.Context);
        Assert.Equal(EnrolleeState.Enrolled, device.State);
        world.AssertNoErrorsLogged();
        output.WriteLine("captured " + captured.Length + " bytes; replay answered with the stored " + accepted.Length + "-byte result; altered copy rejected");
    }

    /// <summary>The enrollee id text (docs/protocol.md section 4): the first 10 bytes of SHA-256(EIK_B), 20 hex digits.</summary>
    private const int EnrolleeIdTextLength = 20;

    private static bool IsFor(byte[] payload, string id) =>
        EnrollmentMessage.TryDecode(payload, 0, payload.Length, out var m) && EnrolleeId.ToText(m!.EnrolleeId) == id;
}
