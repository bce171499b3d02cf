using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>Every transition of the enrollee's state machine, with in-memory ports and the fake protocol.</summary>
public class StateMachineTests
{
    [Fact]
    public void Fresh_waits_for_true_randomness_before_making_its_identity()
    {
        var rig = new Rig();
        rig.Entropy.IsTrulyRandom = false;
        rig.Boot();
        rig.RunUntil(() => false, 5000);
        Assert.Equal(EnrolleeState.Fresh, rig.Device.State);
        Assert.Equal(StatusCode.WaitingForEntropy, rig.Device.Code);
        Assert.Empty(rig.Files.Files);

        rig.Entropy.IsTrulyRandom = true;
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 2000));
        Assert.True(rig.Files.Exists(DeviceRecord.FileName));
        Assert.Contains(rig.Log.Lines, l => l.Contains("state identity-ready"));
    }

    [Fact]
    public void Hello_is_answered_with_the_identity_and_the_negotiated_version()
    {
        var rig = new Rig();
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Hello(1, 2, 7);
        rig.RunUntil(() => rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply) >= 2, 1000);
        HelloReplyMessage reply = rig.Enroller.LastHelloReply()!;
        Assert.Equal(1, reply.SelectedVersion);
        Assert.Equal(EnrolleeState.IdentityReady, reply.State);
        Assert.Equal(32, reply.EnrolleeIdLength);
        byte[] eik = reply.EikPublic.ToArray();
        Assert.Equal(FakeProtocol.IdOf(eik), reply.EnrolleeId.AsSpan(0, 32).ToArray());
        Assert.Equal("0.1.0", System.Text.Encoding.ASCII.GetString(reply.FirmwareVersion, 0, reply.FirmwareVersionLength));
    }

    [Fact]
    public void A_hello_with_no_common_version_gets_version_zero()
    {
        var rig = new Rig();
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Hello(9);
        rig.RunUntil(() => rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply) >= 2, 1000);
        Assert.Equal(0, rig.Enroller.LastHelloReply()!.SelectedVersion);
    }

    [Fact]
    public void A_valid_bundle_moves_to_bundle_received_and_keeps_the_pet_name()
    {
        var rig = new Rig();
        rig.Wifi.Up = false; // hold the device in bundle-received
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Hello();
        rig.Enroller.Bundle(FakeProtocol.Bundle(), pet: "kitchen sensor ✓");
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.BundleReceived, 2000));
        rig.RunUntil(() => false, 500);
        Assert.Equal(StatusCode.BundleStored, rig.Enroller.Received
            .Where(m => m.Type == MessageType.Status).Select(m => m.Payload[1]).First());
        Assert.Equal(StatusCode.WifiFailed, rig.Device.Code);

        rig.Boot(); // the bundle and the pet name survive a reboot
        Assert.Equal(EnrolleeState.BundleReceived, rig.Device.State);
        rig.Enroller.Hello();
        rig.RunUntil(() => rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply) >= 3, 1000);
        var reply = rig.Enroller.LastHelloReply()!;
        Assert.Equal("kitchen sensor ✓", System.Text.Encoding.UTF8.GetString(reply.PetName, 0, reply.PetNameLength));
    }

    [Fact]
    public void The_longest_pet_name_travels_back_in_hello_reply()
    {
        var rig = new Rig();
        rig.Wifi.Up = false;
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        string pet = new string('é', 32); // 64 bytes of UTF-8, the protocol's maximum
        rig.Enroller.Bundle(FakeProtocol.Bundle(), pet: pet);
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.BundleReceived, 2000));
        int replies = rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply);
        rig.Enroller.Hello();
        Assert.True(rig.RunUntil(() => rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply) > replies, 2000));
        var reply = rig.Enroller.LastHelloReply()!;
        Assert.Equal(64, reply.PetNameLength);
        Assert.Equal(pet, System.Text.Encoding.UTF8.GetString(reply.PetName, 0, 64));
    }

    [Fact]
    public void A_bundle_that_does_not_verify_is_refused_and_nothing_changes()
    {
        var rig = new Rig();
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Hello();
        rig.Enroller.Bundle(FakeProtocol.Bundle(version: 9));
        rig.RunUntil(() => rig.Enroller.LastError() != null, 2000);
        Assert.Equal(ErrorCode.BundleRejected, rig.Enroller.LastError()!.Code);
        Assert.Equal(EnrolleeState.IdentityReady, rig.Device.State);
    }

    [Fact]
    public void A_malformed_bundle_message_is_answered_with_an_error()
    {
        var rig = new Rig();
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Raw(MessageType.Bundle, new byte[] { 40, 1, 2 });
        rig.RunUntil(() => rig.Enroller.LastError() != null, 2000);
        Assert.Equal(ErrorCode.Malformed, rig.Enroller.LastError()!.Code);
        Assert.Equal(MessageType.Bundle, rig.Enroller.LastError()!.About);
    }

    [Fact]
    public void An_expired_bundle_is_refused_with_the_enrollers_time()
    {
        var rig = new Rig();
        rig.Fake.ExpiresAt = 1_700_000_000;
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Bundle(FakeProtocol.Bundle(), time: 1_700_000_001);
        rig.RunUntil(() => rig.Enroller.LastError() != null, 2000);
        Assert.Equal(ErrorCode.BundleRejected, rig.Enroller.LastError()!.Code);
        Assert.Contains(1_700_000_001L, rig.Fake.TimesSeen);
    }

    [Fact]
    public void Full_path_to_enrolled_with_a_busy_answer_that_is_honoured()
    {
        var rig = new Rig();
        rig.Service.Script.Enqueue((EnrollmentResult.Busy, 120));
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.Code == StatusCode.RetryScheduled, 1000));
        long busyAt = rig.Clock.NowMilliseconds;
        Assert.Equal(EnrolleeState.Enrolling, rig.Device.State);
        Assert.Single(rig.Service.Messages);

        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 200_000));
        Assert.True(rig.Clock.NowMilliseconds - busyAt >= 120_000, "the retry came before the retry-after");
        Assert.Equal(2, rig.Service.Messages.Count);
        Assert.Equal(2, rig.Device.Attempt);
        Assert.Equal(rig.Service.Messages[0], rig.Service.Messages[1]); // published again unchanged
        Assert.Single(rig.Fake.EphemeralPrivates);
        Assert.Equal("CA-DER", rig.Mqtt.LastCa);
        Assert.Contains(rig.Log.Lines, l => l.Contains("state enrolled") && l.Contains("device=0102"));

        rig.Boot(); // enrolled survives a reboot, and stays quiet
        Assert.Equal(EnrolleeState.Enrolled, rig.Device.State);
        rig.RunUntil(() => false, 60_000);
        Assert.Equal(2, rig.Service.Messages.Count);
    }

    [Fact]
    public void The_enroller_sees_computing_with_the_worst_case_wait_then_the_result()
    {
        var rig = new Rig();
        rig.ToBundleReceived();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 5000);
        rig.RunUntil(() => rig.Enroller.LastStatus()?.Code == StatusCode.Enrolled, 5000);
        var statuses = rig.Enroller.Received.Where(m => m.Type == MessageType.Status).Select(m =>
        {
            var s = new StatusMessage();
            Assert.True(s.TryDecode(m.Payload, 0, m.Payload.Length));
            return s;
        }).ToList();
        var computing = statuses.First(s => s.Code == StatusCode.Computing);
        Assert.Equal(DeviceTimings.ComputeWorstSeconds, computing.WaitSeconds);
        var last = statuses[^1];
        Assert.Equal(EnrolleeState.Enrolled, last.State);
        Assert.Equal(rig.Service.DeviceId, last.DeviceId.AsSpan(0, last.DeviceIdLength).ToArray());
    }

    [Fact]
    public void No_result_backs_off_exponentially_publishing_the_same_message_then_gives_up()
    {
        var rig = new Rig();
        rig.Service.Silent = true;
        rig.Options.MaxAttempts = 4;
        rig.ToBundleReceived();
        var publishTimes = new List<long>();
        int seen = 0;
        rig.RunUntil(() =>
        {
            if (rig.Service.Messages.Count > seen)
            {
                seen = rig.Service.Messages.Count;
                publishTimes.Add(rig.Clock.NowMilliseconds);
            }

            return rig.Device.State == EnrolleeState.IdentityReady;
        }, 2_000_000);

        Assert.Equal(EnrolleeState.IdentityReady, rig.Device.State);
        Assert.Equal(StatusCode.NoResult, rig.Device.Code);
        Assert.Equal(4, rig.Service.Messages.Count);
        // One bundle, one message: a late acceptance of any publication answers what the device holds.
        Assert.Single(rig.Service.Messages.Select(Convert.ToHexString).Distinct());
        Assert.Single(rig.Fake.EphemeralPrivates);
        var gaps = publishTimes.Zip(publishTimes.Skip(1), (a, b) => b - a).ToList();
        long timeout = DeviceTimings.ResultTimeoutMilliseconds;
        long b0 = DeviceTimings.BackoffBaseMilliseconds;
        for (int i = 0; i < gaps.Count; i++)
        {
            long backoff = b0 << i; // equal jitter: between half and all of it
            Assert.InRange(gaps[i], timeout + (backoff / 2), timeout + backoff + 100);
        }

        var record = new DeviceRecord();
        byte[] stored = rig.Files.Files[DeviceRecord.FileName];
        Assert.True(record.TryDecode(stored, stored.Length));
        Assert.Equal(EnrolleeState.IdentityReady, record.State);
        Assert.Equal(0, record.BundleLength + record.AttemptStateLength + record.PasswordLength);
        Assert.False(rig.Wifi.IsConnected);
    }

    [Theory]
    [InlineData(EnrollmentResult.Expired, StatusCode.RejectedExpired)]
    [InlineData(EnrollmentResult.Unknown, StatusCode.RejectedUnknown)]
    [InlineData(EnrollmentResult.Replayed, StatusCode.RejectedReplayed)]
    [InlineData(EnrollmentResult.Malformed, StatusCode.RejectedMalformed)]
    public void A_final_rejection_drops_the_bundle_and_reports_the_reason(int outcome, byte code)
    {
        var rig = new Rig();
        rig.Service.Script.Enqueue((outcome, 0));
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 5000));
        Assert.Equal(code, rig.Device.Code);
        rig.RunUntil(() => rig.Enroller.LastStatus()?.Code == code, 2000);
        Assert.Equal(code, rig.Enroller.LastStatus()!.Code);

        // A new bundle starts over.
        rig.Enroller.Bundle(FakeProtocol.Bundle());
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 5000));
    }

    [Fact]
    public void A_result_for_another_attempt_is_ignored()
    {
        var rig = new Rig();
        rig.Service.Silent = true;
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolling, 1000));
        byte[] forged = FakeProtocol.Result(new byte[32], EnrollmentResult.Accepted, 0, new byte[] { 1 }, new byte[] { 2 });
        rig.Broker.Publish(FakeProtocol.ResultTopicPrefix + rig.Broker.ClientIds[^1], forged);
        rig.RunUntil(() => false, 1000);
        Assert.Equal(EnrolleeState.Enrolling, rig.Device.State);
        Assert.Contains(rig.Log.Lines, l => l.Contains("was ignored"));
    }

    [Fact]
    public void A_bundle_while_enrolling_or_enrolled_is_refused()
    {
        var rig = new Rig();
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 5000));
        rig.Enroller.Bundle(FakeProtocol.Bundle());
        rig.RunUntil(() => rig.Enroller.LastError() != null, 2000);
        Assert.Equal(ErrorCode.WrongState, rig.Enroller.LastError()!.Code);
        Assert.Equal(EnrolleeState.Enrolled, rig.Device.State);
    }

    [Fact]
    public void Factory_reset_needs_the_right_id_and_then_makes_a_new_identity()
    {
        var rig = new Rig();
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 5000));
        rig.Enroller.Hello();
        rig.RunUntil(() => rig.Enroller.LastHelloReply()?.State == EnrolleeState.Enrolled, 1000);
        byte[] id = rig.Enroller.LastHelloReply()!.EnrolleeId.AsSpan(0, 32).ToArray();

        byte[] wrong = (byte[])id.Clone();
        wrong[0] ^= 1;
        rig.Enroller.FactoryReset(wrong);
        rig.RunUntil(() => rig.Enroller.LastError() != null, 1000);
        Assert.Equal(ErrorCode.ConfirmationMismatch, rig.Enroller.LastError()!.Code);
        Assert.Equal(EnrolleeState.Enrolled, rig.Device.State);

        int replies = rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply);
        rig.Enroller.FactoryReset(id);
        Assert.True(rig.RunUntil(() => rig.Enroller.Received.Any(m => m.Type == MessageType.FactoryResetAck), 1000));
        Assert.True(rig.RunUntil(() => rig.Enroller.Received.Count(m => m.Type == MessageType.HelloReply) > replies, 2000));
        Assert.Equal(EnrolleeState.IdentityReady, rig.Device.State);
        var announce = rig.Enroller.LastHelloReply()!;
        Assert.NotEqual(id, announce.EnrolleeId.AsSpan(0, 32).ToArray());
        Assert.Equal(0, announce.SelectedVersion); // unprompted
    }

    [Fact]
    public void Revocation_keeps_the_device_revoked_across_reboots_until_a_factory_reset()
    {
        var rig = new Rig();
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 5000));
        rig.Device.Revoke();
        Assert.Equal(EnrolleeState.Revoked, rig.Device.State);
        rig.Boot();
        Assert.Equal(EnrolleeState.Revoked, rig.Device.State);
        rig.Device.FactoryReset();
        Assert.Equal(EnrolleeState.Fresh, rig.Device.State);
        Assert.Empty(rig.Files.Files);
    }

    [Fact]
    public void A_status_request_gets_the_current_state()
    {
        var rig = new Rig();
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.StatusRequest();
        rig.RunUntil(() => rig.Enroller.LastStatus() != null, 1000);
        Assert.Equal(EnrolleeState.IdentityReady, rig.Enroller.LastStatus()!.State);
        Assert.Equal(StatusCode.WaitingForBundle, rig.Enroller.LastStatus()!.Code);
    }

    [Fact]
    public void An_unexpected_message_type_is_answered_with_an_error()
    {
        var rig = new Rig();
        rig.Boot();
        rig.RunUntil(() => rig.Device.State == EnrolleeState.IdentityReady, 1000);
        rig.Enroller.Raw(0x33, new byte[] { 1 });
        rig.RunUntil(() => rig.Enroller.LastError() != null, 1000);
        Assert.Equal(ErrorCode.UnexpectedMessage, rig.Enroller.LastError()!.Code);
    }

    [Fact]
    public void No_log_line_ever_holds_a_secret()
    {
        var rig = new Rig();
        rig.Service.Script.Enqueue((EnrollmentResult.Busy, 5));
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 100_000));
        var record = new DeviceRecord();
        byte[] stored = rig.Files.Files[DeviceRecord.FileName];
        Assert.True(record.TryDecode(stored, stored.Length));
        string log = rig.Log.All.ToLowerInvariant();
        Assert.DoesNotContain("correct horse", log);
        foreach (byte[] secret in new[] { record.EikPrivate, record.IkPrivate, record.Session[..32] }
                     .Concat(rig.Fake.EphemeralPrivates))
        {
            Assert.DoesNotContain(Convert.ToHexStringLower(secret)[..16], log);
        }

        Assert.Contains("state enrolling", log);
        Assert.Contains("state enrolled", log);
    }
}
