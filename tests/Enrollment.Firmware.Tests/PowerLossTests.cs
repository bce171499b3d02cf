using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The power fails at every mutating file operation of a whole enrollment (torn writes included), once
/// before and once after the operation takes effect; the device reboots and carries on. Whatever the
/// crash point: the stored record is never corrupt, the identity never changes once committed, the device
/// ends enrolled, and no EK_B is ever used for two different messages nor written to flash.
/// </summary>
public class PowerLossTests
{
    private static (Rig Rig, int Boots) RunWithCrash(int crashAt, bool afterEffect)
    {
        var rig = new Rig(seed: (crashAt * 2) + (afterEffect ? 1 : 0));
        rig.Service.Script.Enqueue((EnrollmentResult.Busy, 5));
        rig.Files.CrashAt = crashAt;
        rig.Files.CrashAfterEffect = afterEffect;
        var identities = new HashSet<string>();
        bool bundleSent = false;

        void BootAndCheck()
        {
            rig.Boot();
            Assert.DoesNotContain(rig.Log.Lines, l => l.Contains("not valid") || l.Contains("cannot read"));
            if (rig.Files.Files.TryGetValue(DeviceRecord.FileName, out byte[]? stored))
            {
                var record = new DeviceRecord();
                Assert.True(record.TryDecode(stored, stored.Length), "a committed record always decodes");
                Assert.Equal(record.State, rig.Device.State);
                identities.Add(Convert.ToHexString(record.EikPublic));
            }

            // Only the committed record is left: no half-written or stale copy survives a boot.
            Assert.All(rig.Files.Files.Keys, k => Assert.Equal(DeviceRecord.FileName, k));
            bundleSent = false;
        }

        BootAndCheck();
        long end = rig.Clock.NowMilliseconds + 600_000;
        while (rig.Device.State != EnrolleeState.Enrolled && rig.Clock.NowMilliseconds < end)
        {
            if (rig.Device.State == EnrolleeState.IdentityReady && !bundleSent)
            {
                rig.Enroller.Hello();
                rig.Enroller.Bundle(FakeProtocol.Bundle());
                bundleSent = true;
            }

            try
            {
                rig.Tick();
            }
            catch (PowerLossException)
            {
                BootAndCheck();
            }
        }

        Assert.Equal(EnrolleeState.Enrolled, rig.Device.State);
        Assert.True(identities.Count <= 1, "the committed identity changed");
        return (rig, rig.Boots);
    }

    private static void AssertNoEphemeralReuse(Rig rig)
    {
        Assert.Equal(0, rig.Service.EphemeralReuses);
        var eks = rig.Fake.EphemeralPrivates.Select(Convert.ToHexString).ToList();
        Assert.Equal(eks.Count, eks.Distinct().Count());
        foreach (byte[] ek in rig.Fake.EphemeralPrivates)
        {
            Assert.DoesNotContain(rig.Files.History, written => written.AsSpan().IndexOf(ek) >= 0);
        }
    }

    [Fact]
    public void A_clean_run_enrolls_with_one_busy_answer()
    {
        var (rig, boots) = RunWithCrash(0, false);
        Assert.Equal(1, boots);
        Assert.Equal(2, rig.Service.Messages.Count);
        AssertNoEphemeralReuse(rig);
    }

    [Fact]
    public void A_power_loss_at_any_file_operation_never_corrupts_state_nor_reuses_an_ephemeral_key()
    {
        var (clean, _) = RunWithCrash(0, false);
        int operations = clean.Files.MutatingOperations;
        Assert.True(operations >= 12, "writes in one enrollment: " + operations);
        int redeliveries = 0;
        for (int k = 1; k <= operations; k++)
        {
            foreach (bool after in new[] { false, true })
            {
                var (rig, boots) = RunWithCrash(k, after);
                Assert.Equal(2, boots);
                AssertNoEphemeralReuse(rig);
                redeliveries += rig.Service.Redeliveries;
            }
        }

        // Some crash points fall between persisting an attempt and reading its answer: the device then
        // republishes the identical message and the service answers it again.
        Assert.True(redeliveries > 0);
        Console.WriteLine($"power loss: {operations} crash points x 2, every run enrolled; {redeliveries} redeliveries");
    }

    [Fact]
    public void A_crash_between_persisting_an_attempt_and_its_answer_resumes_that_attempt_unchanged()
    {
        var rig = new Rig();
        rig.Service.Silent = true; // the answer is lost
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolling && rig.Service.Messages.Count == 1, 2000));
        byte[] first = rig.Service.Messages[0];

        rig.Service.Silent = false;
        rig.Boot(); // power cycle while awaiting
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 5000));
        Assert.Equal(2, rig.Service.Messages.Count);
        Assert.Equal(first, rig.Service.Messages[1]); // the same bytes, not a new encryption
        Assert.Single(rig.Fake.EphemeralPrivates);
        Assert.Equal(1, rig.Device.Attempt);
    }

    [Fact]
    public void After_the_resumed_attempt_times_out_the_same_message_is_published_again_and_a_late_answer_is_read()
    {
        var rig = new Rig();
        rig.Service.Silent = true;
        rig.ToBundleReceived();
        Assert.True(rig.RunUntil(() => rig.Service.Messages.Count == 1, 2000));
        rig.Boot();
        Assert.True(rig.RunUntil(() => rig.Service.Messages.Count == 3, 200_000));
        Assert.Equal(rig.Service.Messages[0], rig.Service.Messages[1]);
        Assert.Equal(rig.Service.Messages[0], rig.Service.Messages[2]);
        Assert.Single(rig.Fake.EphemeralPrivates);

        // The service comes back and answers: whichever publication it reads, the device can open the answer.
        rig.Service.Silent = false;
        Assert.True(rig.RunUntil(() => rig.Device.State == EnrolleeState.Enrolled, 400_000));
        AssertNoEphemeralReuse(rig);
    }
}
