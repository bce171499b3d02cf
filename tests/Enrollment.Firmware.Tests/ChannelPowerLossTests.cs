using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;
using Enrollment.Protocol.Session;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The power fails at every mutating file operation of the enrolled state (counter reservations, the
/// epoch written after a rekey, the enrollment keys erased, IK_B' persisted and committed, revocation),
/// once before and once after the operation takes effect (torn writes included); the device reboots and
/// carries on. Whatever the crash point, no (epoch, counter) pair ever goes up twice (no nonce reuse under
/// one key), the stored records always decode, and the device ends revoked, or, when the power failed
/// before the revocation was on flash, without any session (the service drops a revoked device's rekeys).
/// </summary>
public class ChannelPowerLossTests
{
    private sealed class Outcome
    {
        public int Operations;
        public bool Crashed;
        public byte FinalState;
    }

    private static Outcome RunScenario(int crashAt, bool afterEffect)
    {
        var f = ChannelFixture.Enrolled(seed: 11 + crashAt);
        int start = f.Rig.Files.MutatingOperations;
        if (crashAt > 0)
        {
            f.Rig.Files.CrashAt = start + crashAt;
            f.Rig.Files.CrashAfterEffect = afterEffect;
        }

        var outcome = new Outcome();
        int phase = 0;
        int revocationPhaseCrash = 0;
        long end = f.Rig.Clock.NowMilliseconds + (60 * 60 * 1000);
        while (phase < 6 && f.Rig.Clock.NowMilliseconds < end)
        {
            try
            {
                if (f.Device.ChannelReady && phase < 5 && f.Peer.Telemetry.Count < 400)
                {
                    f.Telemetry("t");
                }

                switch (phase)
                {
                    case 0 when f.Peer.Telemetry.Count >= 150:
                        phase = 1;
                        break;
                    case 1:
                        f.Rig.Boot(); // the planned reboot
                        phase = 2;
                        break;
                    case 2 when f.Device.Epoch >= 1 && f.Peer.Epoch == f.Device.Epoch && !f.Device.Rekeying:
                        phase = 3;
                        break;
                    case 3 when f.Device.ChannelReady && f.Device.Epoch == f.Peer.Epoch:
                        if (f.Peer.History.Count > 0 || f.Device.RotationPending || f.Device.RotateIdentity())
                        {
                            phase = 4;
                        }

                        break;
                    case 4 when !f.Device.RotationPending && f.Peer.History.Count >= 1 && !f.Device.Rekeying
                        && f.Device.ChannelReady && f.Device.Epoch == f.Peer.Epoch:
                        f.Peer.Revoke();
                        phase = 5;
                        break;
                    case 4 when !f.Device.RotationPending && f.Peer.History.Count == 0 && f.Device.ChannelReady:
                        phase = 3; // the request was lost with a torn IK_B' write: the application asks again
                        break;
                    case 5 when f.Device.State == EnrolleeState.Revoked:
                        phase = 6;
                        break;
                    case 5 when revocationPhaseCrash > 0 && f.Rig.Clock.NowMilliseconds > revocationPhaseCrash + 300_000:
                        phase = 6; // the revocation never reached flash and the service no longer talks to it
                        break;
                }

                f.Rig.Tick();
            }
            catch (PowerLossException)
            {
                outcome.Crashed = true;
                if (phase == 5)
                {
                    revocationPhaseCrash = (int)Math.Min(int.MaxValue, f.Rig.Clock.NowMilliseconds);
                }

                f.Rig.Boot();
                AssertRecordsDecode(f.Rig);
            }
        }

        Assert.Equal(6, phase);
        outcome.Operations = f.Rig.Files.MutatingOperations - start;
        outcome.FinalState = f.Device.State;
        AssertRecordsDecode(f.Rig);

        // The peer assigns every epoch once, so (epoch, counter) names (key, nonce) uniquely.
        var repeats = f.Peer.UpFrames.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(repeats);
        Assert.True(f.Peer.Telemetry.Count >= 150);
        Assert.True(f.Peer.History.Count == 1, "crash " + crashAt + "/" + afterEffect + ": " + f.Peer.History.Count + " rotations");
        if (outcome.FinalState == EnrolleeState.Revoked)
        {
            Assert.False(f.Rig.Files.Files.ContainsKey(ChannelRecord.FileName));
        }
        else
        {
            Assert.True(revocationPhaseCrash > 0, "only a crash during the revocation leaves the device unrevoked");
            Assert.False(f.Device.ChannelReady);
        }

        return outcome;
    }

    private static void AssertRecordsDecode(Rig rig)
    {
        Assert.DoesNotContain(rig.Log.Lines, l => l.Contains("not valid") || l.Contains("cannot read"));
        var record = new DeviceRecord();
        byte[] stored = rig.Files.Files[DeviceRecord.FileName];
        Assert.True(record.TryDecode(stored, stored.Length), "a committed record always decodes");
        if (rig.Files.Files.TryGetValue(ChannelRecord.FileName, out byte[]? channel))
        {
            Assert.True(new ChannelRecord().TryDecode(channel, channel.Length), "a committed channel record always decodes");
        }

        Assert.All(rig.Files.Files.Keys, k => Assert.True(k == DeviceRecord.FileName || k == ChannelRecord.FileName, k));
    }

    /// <summary>
    /// A command whose flash writes (its id before the handler, its status after) lose power at operation
    /// <paramref name="crashAt"/>: the device reboots, rekeys, the service resends the command until it is
    /// acknowledged. Returns how many file operations the command made and how often the handler ran.
    /// </summary>
    private static (int Operations, int Runs, AcknowledgementStatus Status) RunCommandScenario(int crashAt, bool afterEffect)
    {
        var f = ChannelFixture.Enrolled(seed: 40 + crashAt);
        f.RebootAndRekey();
        var handler = new RecordingHandler();
        f.Device.SetCommandHandler(handler);
        int start = f.Rig.Files.MutatingOperations;
        if (crashAt > 0)
        {
            f.Rig.Files.CrashAt = start + crashAt;
            f.Rig.Files.CrashAfterEffect = afterEffect;
        }

        f.Peer.SendCommand(5, "move"u8.ToArray());
        int operations = 0;
        for (int attempt = 0; attempt < 3 && f.Peer.Acks.Count == 0; attempt++)
        {
            try
            {
                f.RunUntil(() => f.Peer.Acks.Count > 0, 1000);
                operations = f.Rig.Files.MutatingOperations - start;
            }
            catch (PowerLossException)
            {
                f.RebootAndRekey();
                f.Device.SetCommandHandler(handler);
                AssertRecordsDecode(f.Rig);
                f.Peer.SendCommand(5, "move"u8.ToArray()); // resent at the new epoch (section 6.2)
            }
        }

        Assert.Single(f.Peer.Acks);
        return (operations, handler.Calls.Count, f.Peer.Acks[0].Status);
    }

    [Fact]
    public void Power_loss_at_every_storage_operation_of_a_command_never_runs_it_twice()
    {
        var clean = RunCommandScenario(0, false);
        Assert.Equal((1, AcknowledgementStatus.Done), (clean.Runs, clean.Status));
        Assert.True(clean.Operations >= 4, "a command writes its id and its status: " + clean.Operations + " operations");
        int crashes = 0;
        for (int k = 1; k <= clean.Operations; k++)
        {
            foreach (bool afterEffect in new[] { false, true })
            {
                var run = RunCommandScenario(k, afterEffect);
                // At most once. Cut off before its id reached flash: run once after the reboot (done). Cut off
                // after: acknowledged from flash, "failed" unless its status was written too, never run again.
                Assert.True(run.Runs <= 1, $"crash at {k}/{afterEffect}: the handler ran {run.Runs} times");
                Assert.True(run.Runs == 1 || run.Status == AcknowledgementStatus.Failed,
                    $"crash at {k}/{afterEffect}: {run.Runs} runs, acknowledged {run.Status}");
                crashes++;
            }
        }

        Console.WriteLine($"command power loss: {clean.Operations} file operations, {crashes} crash points, each run at most once");
    }

    [Fact]
    public void Power_loss_at_every_storage_operation_of_the_enrolled_state_never_reuses_a_nonce()
    {
        Outcome clean = RunScenario(0, false);
        Assert.False(clean.Crashed);
        Assert.Equal(EnrolleeState.Revoked, clean.FinalState);
        Assert.True(clean.Operations >= 20, "the scenario writes: " + clean.Operations);
        int revoked = 0;
        int runs = 0;
        for (int k = 1; k <= clean.Operations; k++)
        {
            foreach (bool afterEffect in new[] { false, true })
            {
                Outcome o = RunScenario(k, afterEffect);
                Assert.True(o.Crashed, "crash point " + k + " was not reached");
                runs++;
                revoked += o.FinalState == EnrolleeState.Revoked ? 1 : 0;
            }
        }

        Console.WriteLine($"enrolled-state power loss: {clean.Operations} file operations, {runs} crash runs, " +
            $"{revoked} ended revoked, {runs - revoked} lost the revocation before it reached flash; no nonce reused");
    }
}
