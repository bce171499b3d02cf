using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

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
