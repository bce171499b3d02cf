using System.Text;
using Enrollment.Enrollee.State;
using Enrollment.Simulator.Pty;
using Enrollment.Tool.Provisioning;
using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

/// <summary>Every fault of issue 6, against simulated devices on real pseudo-terminals and an in-test service.</summary>
public sealed class ProvisionFaultTests(ITestOutputHelper output)
{
    [Fact]
    public void A_device_gets_its_bundle_and_the_service_holds_its_registration()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath, petName: "kitchen");

        Assert.Equal(0, report.ExitCode);
        Rig.Eventually(() => device.State >= EnrolleeState.BundleReceived, TimeSpan.FromSeconds(5), "bundle stored");
        var pending = Assert.Single(service.Pending);
        Assert.Equal(report.BundleId, (string)pending["bundleId"]!);
        Assert.Equal("kitchen", (string)pending["petName"]!);
        Assert.Equal(report.EnrolleeId, (string)pending["deviceId"]!);
        Assert.Equal(BundleCacheRefill(), service.BundlesIssued);
        Assert.Equal(BundleCacheRefill() - 1, rig.Cache.List().Count);
        Assert.Contains("wifi: joined \"factory-net\"", rig.Log.Text);
        Assert.DoesNotContain("correct horse", rig.Log.Text);
    }

    [Fact]
    public void Nothing_on_the_port_is_no_answer()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        using var bare = PseudoTerminal.Open();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, bare.SlavePath);

        Assert.Equal((int)ExitCode.NoAnswer, report.ExitCode);
        Assert.Empty(service.Pending);
        Assert.Equal(0, service.BundlesIssued);
    }

    [Fact]
    public void A_wrong_baud_rate_is_reported_as_a_garbled_line()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice(baud: 115200);
        Rig.Eventually(() => device.State == EnrolleeState.IdentityReady, TimeSpan.FromSeconds(5), "identity");
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath, baud: 9600);

        Assert.Equal((int)ExitCode.LineGarbled, report.ExitCode);
        Assert.Contains("baud", report.Message, StringComparison.Ordinal);
        Assert.Empty(service.Pending);
        Assert.Equal(EnrolleeState.IdentityReady, device.State);
    }

    [Fact]
    public async Task A_device_that_talks_text_is_not_an_enrollee()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        using var gps = PseudoTerminal.Open();
        using var stop = new CancellationTokenSource();
        var talker = Task.Run(async () =>
        {
            var line = Encoding.ASCII.GetBytes("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n");
            while (!stop.IsCancellationRequested)
            {
                gps.Write(line, 0, line.Length);
                await Task.Delay(100);
            }
        });
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, gps.SlavePath);
        stop.Cancel();
        await talker;

        Assert.Equal((int)ExitCode.NotAnEnrollee, report.ExitCode);
        Assert.Contains("$GPGGA", report.Message, StringComparison.Ordinal);
        Assert.Empty(service.Pending);
    }

    [Fact]
    public void A_cable_pulled_mid_transfer_leaves_no_pending_enrollee()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath, onStage: (stage, _) =>
        {
            if (stage == Stage.Transferring)
            {
                device.Unplug();
            }
        });

        Assert.Equal((int)ExitCode.LinkLost, report.ExitCode);
        Assert.Contains("deleted from the service", report.Message, StringComparison.Ordinal);
        Assert.Empty(service.Pending);
        Assert.Equal(1, service.Deletes);
        Assert.Equal(EnrolleeState.IdentityReady, device.State);
    }

    [Fact]
    public void A_device_that_stops_acknowledging_mid_transfer_leaves_no_pending_enrollee()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath, onStage: (stage, _) =>
        {
            if (stage == Stage.Transferring)
            {
                device.Pause();
            }
        });

        Assert.Equal((int)ExitCode.LinkLost, report.ExitCode);
        Assert.Contains("stopped acknowledging", report.Message, StringComparison.Ordinal);
        Assert.Empty(service.Pending);
    }

    [Fact]
    public async Task When_the_service_fails_during_the_cleanup_the_deletion_is_queued_and_flushed_later()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath, onStage: (stage, _) =>
        {
            if (stage == Stage.Transferring)
            {
                service.Stop();
                device.Unplug();
            }
        });

        Assert.Equal((int)ExitCode.LinkLost, report.ExitCode);
        Assert.Contains("deletion is queued", report.Message, StringComparison.Ordinal);
        var queued = Assert.Single(rig.Queue.List());
        Assert.Equal("delete", queued.Kind);
        Assert.Single(service.Pending);

        service.Start();
        var flushed = await rig.Queue.FlushAsync(client, CancellationToken.None);
        Assert.Equal(1, flushed.Done);
        Assert.Empty(rig.Queue.List());
        Assert.Empty(service.Pending);
    }

    [Fact]
    public void A_revoked_token_is_refused_before_the_device_gets_anything()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url, token: "enr_revoked");

        var report = rig.Provision(client, device.PortPath);

        Assert.Equal((int)ExitCode.AuthRejected, report.ExitCode);
        Assert.DoesNotContain("enr_revoked", report.Message, StringComparison.Ordinal);
        Assert.Equal(EnrolleeState.IdentityReady, device.State);
        Assert.Empty(service.Pending);
    }

    [Fact]
    public async Task A_token_revoked_after_the_bundles_were_cached_returns_the_bundle_to_the_cache()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 5, CancellationToken.None);
        service.RejectToken = true;

        var report = rig.Provision(client, device.PortPath);

        Assert.Equal((int)ExitCode.AuthRejected, report.ExitCode);
        Assert.Equal(5, rig.Cache.List().Count);
        Assert.Equal(EnrolleeState.IdentityReady, device.State);
    }

    [Fact]
    public void With_the_service_down_and_no_bundle_cached_nothing_can_be_done()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        service.Stop();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath);

        Assert.Equal((int)ExitCode.ServiceUnreachable, report.ExitCode);
        Assert.Equal(EnrolleeState.IdentityReady, device.State);
        Assert.Empty(rig.Queue.List());
    }

    [Fact]
    public async Task With_the_service_down_the_registration_is_queued_durably_and_flushed_when_it_is_back()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 5, CancellationToken.None);
        service.Stop();

        var report = rig.Provision(client, device.PortPath, petName: "porch");

        Assert.Equal((int)ExitCode.RegistrationQueued, report.ExitCode);
        Assert.True(report.RegistrationQueued);
        Rig.Eventually(() => device.State >= EnrolleeState.BundleReceived, TimeSpan.FromSeconds(5), "bundle stored");
        var queued = Assert.Single(new Cache.WorkQueue(rig.ToolHome).List());
        Assert.Equal("register", queued.Kind);
        Assert.Equal(report.BundleId, queued.BundleId);

        service.Start();
        var flushed = await rig.Queue.FlushAsync(client, CancellationToken.None);
        Assert.Equal(1, flushed.Done);
        var pending = Assert.Single(service.Pending);
        Assert.Equal("porch", (string)pending["petName"]!);
        Assert.Empty(rig.Queue.List());
    }

    [Fact]
    public void A_bundle_the_device_rejects_is_unregistered_again()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice(protocol: new RejectingProtocol());
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, device.PortPath);

        Assert.Equal((int)ExitCode.DeviceRefused, report.ExitCode);
        Assert.Contains("bundle rejected", report.Message, StringComparison.Ordinal);
        Assert.Empty(service.Pending);
        Assert.Equal(1, service.Deletes);
    }

    [Fact]
    public void Waiting_for_a_device_that_cannot_reach_its_broker_times_out_with_its_last_status()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        var device = rig.AddDevice();
        using var client = rig.Client(service.Url);
        var seen = new List<string>();

        var report = rig.Provision(client, device.PortPath, wait: true, waitTimeout: TimeSpan.FromSeconds(2),
            onStage: (stage, text) => { if (stage == Stage.Enrolling) { seen.Add(text); } });

        Assert.Equal((int)ExitCode.WaitTimedOut, report.ExitCode);
        Assert.Contains("keeps trying on its own", report.Message, StringComparison.Ordinal);
        Assert.Contains(seen, s => s.Contains("broker", StringComparison.Ordinal));
        Assert.Single(service.Pending);
    }

    [Fact]
    public void A_missing_port_cannot_be_opened()
    {
        using var rig = new Rig(output);
        using var service = new FakeService();
        using var client = rig.Client(service.Url);

        var report = rig.Provision(client, "/dev/does-not-exist-enroll");

        Assert.Equal((int)ExitCode.PortUnavailable, report.ExitCode);
    }

    private static int BundleCacheRefill() => Cache.BundleCache.RefillCount;

    private sealed class RejectingProtocol : Enrollee.Enrolling.IEnrolleeProtocol
    {
        private readonly FakeProtocol _inner = new();

        public int MaxMessageSize => _inner.MaxMessageSize;

        public void MakePublicKey(byte[] privateKey, byte[] publicKey) => _inner.MakePublicKey(privateKey, publicKey);

        public int MakeEnrolleeId(byte[] eikPublic, byte[] id) => _inner.MakeEnrolleeId(eikPublic, id);

        public bool ReadBundle(byte[] bundle, int count, long nowUnixSeconds, byte[] enrolleeId, int enrolleeIdLength, Enrollee.Enrolling.BundleInfo info) => false;

        public int BuildMessage(byte[] bundle, int bundleCount, long nowUnixSeconds, byte[] eikPrivate, byte[] ekPrivate, byte[] ikPrivate,
            byte[] ikPublic, byte[] signatureRandom, byte[] message, byte[] attemptState, out int attemptStateLength) =>
            _inner.BuildMessage(bundle, bundleCount, nowUnixSeconds, eikPrivate, ekPrivate, ikPrivate, ikPublic, signatureRandom, message, attemptState, out attemptStateLength);

        public bool ReadResult(byte[] attemptState, int attemptStateLength, byte[] result, int offset, int count, Enrollee.Enrolling.EnrollmentResult into) => false;
    }
}
