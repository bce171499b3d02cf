using Enrollment.EndToEnd.Tests.Support;
using Enrollment.Enrollee.State;
using Enrollment.Protocol.Messages;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// Issue 7: a pending enrollment past its expiry is rejected end to end (Mosquitto over TLS), and storage is
/// unchanged. The service runs with a 2 s approval lifetime (<c>Enrollment:Lifetimes:PendingEnrollee</c>).
/// </summary>
public sealed class ExpiryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_device_whose_approval_expired_before_it_enrolled_is_rejected_and_storage_is_unchanged()
    {
        var lifetime = TimeSpan.FromSeconds(2);
        await using var world = await World.OnMosquittoAsync(new Dictionary<string, string>
        {
            ["Enrollment__Lifetimes__PendingEnrollee"] = lifetime.ToString(),
        });
        var core = DeviceRig.FastRetries(resultTimeoutMilliseconds: 1500);
        core.MaxAttempts = 1;
        var device = world.Devices.Add("late-1", core: core);
        using var enroller = new HandEnroller(world.Service);
        var info = HandEnroller.Hello(device.PortPath);
        string id = info.EnrolleeId[..20];
        var bundle = await enroller.FetchBundleAsync();
        var pending = await enroller.RegisterAsync(info, "late", bundle.BundleId);
        Assert.Equal("pending", pending.State);
        Assert.Equal(lifetime, pending.ExpiresAt - pending.CreatedAt);

        // The approval's end is a time the service told us: wait for the clock to pass it (bounded by the
        // lifetime), then hand the device its bundle. The device cannot know; only the service's check can stop it.
        var left = pending.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        var stale = await world.Operator.FindByEnrolleeIdAsync(id);
        Assert.Equal("pending", stale!.State); // the timed maintenance round has not marked it; the ingress check must
        Assert.True(stale.ExpiresAt < DateTimeOffset.UtcNow);
        await using var watch = await BrokerWatch.ConnectAsync(world.Service, world.Mosquitto, "enroll/v1/result/" + id);
        string before = world.Storage.Snapshot();

        HandEnroller.HandBundle(device.PortPath, bundle);

        DeviceRigWait.Until(() => device.State == EnrolleeState.IdentityReady && device.Code == StatusCode.NoResult, TimeSpan.FromSeconds(30),
            "the device to give up", world.Context);
        var answer = await watch.WaitForAsync((_, p) => p.Length == EnrollmentNotice.Size, TimeSpan.FromSeconds(30), "rejection notice", world.Context);
        Assert.True(EnrollmentNotice.TryDecode(answer, 0, answer.Length, out var notice));
        Assert.Equal(EnrollmentStatus.Rejected, notice!.Status); // before SK: the generic answer, whatever the reason
        await world.Service.ExpectLogCountAsync("Rejected an enrollment message: expired (enrollee id " + id + ")", 1, world.Context);
        Assert.Equal(before, world.Storage.Snapshot());
        var after = await world.Operator.DetailAsync(stale.Id);
        Assert.Equal("pending", after.Device.State);
        Assert.Null(after.IdentityKey);
        Assert.Equal(["enrollee.pending"], after.Audit);
        world.AssertNoErrorsLogged();
        output.WriteLine(world.Devices.Log.Text);
    }
}
