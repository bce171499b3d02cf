using System.Text;
using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;
using Enrollment.Protocol.Session;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// Rekey (at boot, after N messages, after T seconds), revocation and identity rotation of the enrolled
/// device (docs/session-protocol.md sections 5, 7, 8 and 9) against the shared-class service peer.
/// </summary>
public class ChannelLifecycleTests
{
    private static DeviceRecord StoredRecord(Rig rig)
    {
        var record = new DeviceRecord();
        byte[] stored = rig.Files.Files[DeviceRecord.FileName];
        Assert.True(record.TryDecode(stored, stored.Length));
        return record;
    }

    private static void AssertNoNonceReuse(ChannelPeer peer)
    {
        // The peer assigns every epoch once, so (epoch, counter) names (key, nonce) uniquely.
        var duplicates = peer.UpFrames.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    [Fact]
    public void A_reboot_rekeys_and_never_reuses_a_counter_of_the_enrollment_session()
    {
        var f = ChannelFixture.Enrolled();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(f.Telemetry("before " + i));
        }

        ulong highestBefore = f.Peer.UpFrames.Max(x => x.Counter);
        Assert.Equal(99ul, highestBefore);
        Assert.True(f.Rig.Files.Files.ContainsKey(ChannelRecord.FileName)); // blocks reserved on flash

        f.Rig.Boot(); // power cycle: RAM gone, epoch 0 resumes at its reservation while the rekey runs
        Assert.True(f.RunUntil(() => f.Device.ChannelReady, 20_000));
        Assert.True(f.Telemetry("resumed"));
        Assert.Equal(128ul, f.Peer.UpFrames[^1].Counter); // the reserved limit (2 blocks of 64), not 100
        Assert.True(f.RunUntil(() => f.Device.Epoch == 1 && f.Peer.Epoch == 1 && !f.Device.Rekeying));
        Assert.Equal(RekeyReason.Boot, f.Peer.Inits.Single());
        Assert.True(f.Telemetry("after"));
        Assert.Equal((1u, 0ul), f.Peer.UpFrames[^1]);
        Assert.Equal("after", Encoding.UTF8.GetString(f.Peer.Telemetry[^1].Payload));
        AssertNoNonceReuse(f.Peer);

        // Forward secrecy: the enrollment's keys are gone from flash once epoch 1 exists.
        DeviceRecord record = StoredRecord(f.Rig);
        Assert.True(record.Session.AsSpan(0, 64).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(record.SessionLength > 64); // the outcome (topics, credentials) stays

        // A second reboot: no flash-held keys any more, so nothing goes up until the next epoch.
        f.Rig.Boot();
        Assert.False(f.Telemetry("no keys yet"));
        Assert.True(f.RunUntil(() => f.Device.Epoch == 2 && f.Peer.Epoch == 2 && !f.Device.Rekeying));
        Assert.True(f.Telemetry("epoch 2"));
        AssertNoNonceReuse(f.Peer);
    }

    [Fact]
    public void After_a_reboot_the_resumed_session_ignores_commands_and_old_frames_are_stale_after_the_rekey()
    {
        var f = ChannelFixture.Enrolled();
        var handler = new RecordingHandler();
        f.Device.SetCommandHandler(handler);
        byte[] old = f.Peer.SendCommand(1, "a"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 1, 1000));
        f.Peer.AnswersRekeys = false;
        f.Rig.Boot();
        Assert.True(f.RunUntil(() => f.Device.ChannelReady && f.Peer.Inits.Count == 1, 20_000));
        f.Peer.Inject(old); // its window was lost with the RAM: the replay must not run the command again
        f.Rig.Tick();
        Assert.Single(handler.Calls);

        f.Peer.AnswersRekeys = true;
        Assert.True(f.RunUntil(() => f.Device.Epoch == 1 && !f.Device.Rekeying, 120_000)); // retried after the timeout
        f.Peer.Inject(old);
        f.Rig.Tick();
        Assert.Equal(1, f.Device.ChannelCounters.StaleEpoch);
        Assert.Single(handler.Calls);
        Assert.True(f.Peer.Inits.Count >= 2);
    }

    [Fact]
    public void A_command_carried_out_before_a_reboot_is_acknowledged_again_not_redone_when_resent_at_the_next_epoch()
    {
        var f = ChannelFixture.Enrolled();
        var handler = new RecordingHandler();
        f.Device.SetCommandHandler(handler);
        f.Peer.SendCommand(7, "open valve"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 1, 1000));

        // The service resends a command at each new epoch until it holds its acknowledgement
        // (docs/session-protocol.md section 6.2), say because the power went before the acknowledgement left.
        f.RebootAndRekey();
        f.Peer.SendCommand(7, "open valve"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 2, 1000));
        Assert.Single(handler.Calls);
        Assert.Equal((7u, AcknowledgementStatus.Done), (f.Peer.Acks[1].Id, f.Peer.Acks[1].Status));

        // New commands still run (the application sets its handler again at every boot), and eight newer ids
        // leave the oldest (7) forgotten.
        f.Device.SetCommandHandler(handler);
        for (uint id = 8; id <= 15; id++)
        {
            f.Peer.SendCommand(id, "x"u8.ToArray());
            Assert.True(f.RunUntil(() => f.Peer.Acks.Count == (int)id - 5, 1000));
        }

        Assert.Equal(9, handler.Calls.Count);
        Assert.All(f.Peer.Acks, a => Assert.Equal(AcknowledgementStatus.Done, a.Status));
        var stored = new ChannelRecord();
        byte[] file = f.Rig.Files.Files[ChannelRecord.FileName];
        Assert.True(stored.TryDecode(file, file.Length));
        Assert.True(stored.FindCommand(7) < 0);
        Assert.True(stored.FindCommand(8) >= 0 && stored.FindCommand(15) >= 0);
    }

    [Fact]
    public void A_command_cut_off_by_a_power_loss_is_acknowledged_as_failed_after_the_reboot_and_not_run_again()
    {
        var f = ChannelFixture.Enrolled();
        byte[]? atRun = null;
        var handler = new RecordingHandler();
        f.Device.SetCommandHandler(new SnapshotHandler(handler, () => atRun = f.Rig.Files.Files[ChannelRecord.FileName].ToArray()));
        f.Peer.SendCommand(21, "reboot into update"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 1, 1000));

        // What flash held while the handler ran: the id, as failed, before any of its effects.
        var stored = new ChannelRecord();
        Assert.True(stored.TryDecode(atRun!, atRun!.Length));
        int slot = stored.FindCommand(21);
        Assert.True(slot >= 0);
        Assert.Equal(Enrollment.Enrollee.Ports.CommandStatus.Failed, stored.CommandStatus(slot));

        // The power goes during the handler: flash keeps that record, the acknowledgement never left.
        f.Rig.Files.WriteAll(ChannelRecord.FileName, atRun, 0, atRun.Length);
        f.RebootAndRekey();
        f.Peer.SendCommand(21, "reboot into update"u8.ToArray());
        Assert.True(f.RunUntil(() => f.Peer.Acks.Count == 2, 1000));
        Assert.Single(handler.Calls);
        Assert.Equal((21u, AcknowledgementStatus.Failed), (f.Peer.Acks[1].Id, f.Peer.Acks[1].Status));
    }

    [Fact]
    public void A_channel_record_written_before_the_command_log_still_loads()
    {
        var f = ChannelFixture.Enrolled();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(f.Telemetry("t" + i)); // reserves counter blocks on flash
        }

        byte[] current = f.Rig.Files.Files[ChannelRecord.FileName];
        var record = new ChannelRecord();
        Assert.True(record.TryDecode(current, current.Length));

        // Format 1 (54 bytes): format, last epoch, reserved epoch, reservation, rotation flag, IK_B', CRC-32.
        byte[] old = new byte[54];
        Array.Copy(current, old, 50);
        old[0] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(old.AsSpan(50), Enrollment.Enrollee.Link.Crc32.Compute(old, 0, 50));
        var fromOld = new ChannelRecord();
        Assert.True(fromOld.TryDecode(old, old.Length));
        Assert.Equal((record.LastEpoch, record.ReservedEpoch, record.Reserved), (fromOld.LastEpoch, fromOld.ReservedEpoch, fromOld.Reserved));
        Assert.True(fromOld.FindCommand(0) < 0);

        // The device boots on it and goes on without reusing a counter.
        f.Rig.Files.WriteAll(ChannelRecord.FileName, old, 0, old.Length);
        f.RebootAndRekey();
        Assert.True(f.Telemetry("after the upgrade"));
        byte[] rewritten = f.Rig.Files.Files[ChannelRecord.FileName];
        Assert.Equal(ChannelRecord.Size, rewritten.Length);
        Assert.Equal(ChannelRecord.Format, rewritten[0]);
        AssertNoNonceReuse(f.Peer);
    }

    /// <summary>Takes a snapshot of flash when the command starts, then lets the inner handler run it.</summary>
    private sealed class SnapshotHandler(RecordingHandler inner, Action snapshot) : Enrollment.Enrollee.Ports.ICommandHandler
    {
        public byte Handle(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] detail, out int detailLength)
        {
            snapshot();
            return inner.Handle(commandId, body, bodyOffset, bodyLength, detail, out detailLength);
        }
    }

    [Fact]
    public void The_device_rekeys_after_N_messages_and_after_T_seconds()
    {
        var f = ChannelFixture.Enrolled(configure: s =>
        {
            s.RekeyAfterMessages = 50;
            s.RekeyAfterSeconds = 600;
        });
        for (int i = 0; i < 50; i++)
        {
            Assert.True(f.Telemetry("m" + i));
        }

        Assert.True(f.RunUntil(() => f.Device.Epoch == 1 && !f.Device.Rekeying, 10_000));
        Assert.Equal(RekeyReason.Messages, f.Peer.Inits[^1]);
        f.Rig.Clock.Advance(599_000);
        f.Rig.Tick();
        Assert.Single(f.Peer.Inits);
        Assert.True(f.RunUntil(() => f.Device.Epoch == 2 && !f.Device.Rekeying, 10_000));
        Assert.Equal(RekeyReason.Time, f.Peer.Inits[^1]);
        Assert.True(f.Telemetry("x"));
        Assert.Equal(2u, f.Peer.Telemetry[^1].Epoch);
    }

    [Fact]
    public void Forged_and_replayed_rekey_responses_are_ignored_and_the_handshake_still_completes()
    {
        var f = ChannelFixture.Enrolled();
        f.RebootAndRekey();
        byte[] oldResponse = f.Peer.Responses[^1];
        f.Peer.AnswersRekeys = false;
        f.Device.RequestRekey();
        Assert.True(f.RunUntil(() => f.Device.Rekeying, 1000));
        byte[] forged = oldResponse.ToArray();
        forged[40] ^= 1;
        f.Peer.Inject(oldResponse); // stale epoch (1 is not above 1)
        f.Peer.Inject(forged);
        byte[] junk = new byte[54];
        junk[0] = 0x21;
        junk[1] = 1;
        junk[37] = 9; // epoch 9 with a bad confirmation tag
        f.Peer.Inject(junk);
        f.Rig.Tick();
        Assert.Equal(3, f.Device.ChannelCounters.RekeyResponsesRejected);
        Assert.True(f.Device.Rekeying);
        Assert.Equal(1u, f.Device.Epoch);

        f.Peer.AnswersRekeys = true;
        Assert.True(f.RunUntil(() => f.Device.Epoch == 2 && f.Peer.Epoch == 2 && !f.Device.Rekeying, 120_000));
        Assert.True(f.Telemetry("ok"));
        Assert.Equal(2u, f.Peer.Telemetry[^1].Epoch);
    }

    [Fact]
    public void Revocation_erases_the_keys_stops_the_device_and_holds_across_a_reboot()
    {
        var f = ChannelFixture.Enrolled();
        f.RebootAndRekey();
        int connects = f.Rig.Broker.ClientIds.Count;
        f.Peer.Revoke(RevocationReason.Compromised);
        Assert.True(f.RunUntil(() => f.Device.State == EnrolleeState.Revoked, 1000));
        Assert.False(f.Telemetry("after revocation"));
        DeviceRecord record = StoredRecord(f.Rig);
        Assert.Equal(EnrolleeState.Revoked, record.State);
        Assert.Equal(0, record.SessionLength);
        Assert.True(record.IkPrivate.AsSpan().IndexOfAnyExcept((byte)0) < 0);
        Assert.False(f.Rig.Files.Files.ContainsKey(ChannelRecord.FileName));
        Assert.False(f.Rig.Mqtt.IsConnected);

        f.Rig.Boot();
        for (int i = 0; i < 500; i++)
        {
            f.Rig.Tick();
        }

        Assert.Equal(EnrolleeState.Revoked, f.Device.State);
        Assert.Equal(connects, f.Rig.Broker.ClientIds.Count); // it never reconnected
        Assert.False(f.Telemetry("still revoked"));
        Assert.Contains(f.Rig.Log.Lines, l => l.Contains("revoked this device (reason 2"));

        // Only a factory reset (through an enroller) leaves the state, with a new enrollment identity.
        byte[] oldEik = record.EikPublic.ToArray();
        f.Device.FactoryReset();
        Assert.True(f.RunUntil(() => f.Device.State == EnrolleeState.IdentityReady, 2000));
        Assert.False(StoredRecord(f.Rig).EikPublic.AsSpan().SequenceEqual(oldEik));
    }

    [Fact]
    public void A_revocation_reaches_a_device_that_rebooted_into_its_resumed_enrollment_session()
    {
        var f = ChannelFixture.Enrolled();
        f.Peer.AnswersRekeys = false;
        f.Rig.Boot();
        Assert.True(f.RunUntil(() => f.Device.ChannelReady && f.Peer.Inits.Count == 1, 20_000));
        f.Peer.Revoke();
        Assert.True(f.RunUntil(() => f.Device.State == EnrolleeState.Revoked, 1000));
    }

    [Fact]
    public void Identity_rotation_replaces_IK_B_after_the_service_accepts_and_the_next_epoch_uses_it()
    {
        var f = ChannelFixture.Enrolled();
        f.RebootAndRekey();
        byte[] oldKey = StoredRecord(f.Rig).IkPublic.ToArray();
        Assert.True(f.Device.RotateIdentity());
        Assert.True(f.Device.RotationPending);
        Assert.True(StoredRecord(f.Rig).IkPublic.AsSpan().SequenceEqual(oldKey)); // not used before the answer
        Assert.True(f.RunUntil(() => !f.Device.RotationPending && f.Device.Epoch == 2 && !f.Device.Rekeying, 10_000));

        var (old, next, request) = f.Peer.History.Single();
        Assert.Equal(oldKey, old);
        Assert.Equal(160, request.Length);
        DeviceRecord record = StoredRecord(f.Rig);
        Assert.Equal(next, record.IkPublic);
        Assert.Equal(RekeyReason.Requested, f.Peer.Inits[^1]);
        Assert.Equal(next, f.Peer.IdentityKey); // epoch 2 was authenticated by the new key
        Assert.True(f.Telemetry("rotated"));
        Assert.Equal(2u, f.Peer.Telemetry[^1].Epoch);
        Assert.False(f.Rig.Files.Files.TryGetValue(ChannelRecord.FileName, out byte[]? c) && c[17] != 0);
    }

    [Fact]
    public void A_rotation_interrupted_by_a_reboot_is_finished_after_the_next_handshake()
    {
        var f = ChannelFixture.Enrolled();
        f.RebootAndRekey();
        f.Rig.Broker.Deferred = true; // the request goes nowhere before the power fails
        Assert.True(f.Device.RotateIdentity());
        f.Rig.Boot();
        f.Rig.Broker.Deferred = false;
        Assert.True(f.RunUntil(() => !f.Device.RotationPending && f.Peer.History.Count == 1 && !f.Device.Rekeying, 60_000));
        Assert.Equal(f.Peer.IdentityKey, StoredRecord(f.Rig).IkPublic);
        Assert.True(f.RunUntil(() => f.Device.ChannelReady && f.Peer.Epoch == f.Device.Epoch, 10_000));
        Assert.True(f.Telemetry("after"));
        Assert.Equal(f.Device.Epoch, f.Peer.Telemetry[^1].Epoch);
    }

    [Fact]
    public void When_the_service_already_holds_the_new_key_the_device_rekeys_with_it_and_commits()
    {
        var f = ChannelFixture.Enrolled();
        f.RebootAndRekey();
        Assert.True(f.Device.RotateIdentity());
        Assert.Single(f.Peer.History); // the service recorded IK_B' and answered...
        f.Rig.Boot();                  // ...but the power failed before the device read the answer
        Assert.True(f.RunUntil(() => !f.Device.RotationPending && !f.Device.Rekeying && f.Device.Epoch == f.Peer.Epoch, 300_000));
        Assert.Equal(f.Peer.IdentityKey, StoredRecord(f.Rig).IkPublic);
        Assert.Single(f.Peer.History);
        Assert.Contains(f.Rig.Log.Lines, l => l.Contains("rekey started (reason 1, with the new identity key)"));
        Assert.True(f.Device.ChannelCounters.RekeyResponsesRejected >= 1); // the answer to the IK_B attempt
    }
}
