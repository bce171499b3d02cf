using System.Security.Cryptography;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// Every rejection path of docs/protocol.md section 11, each driven by a crafted message through the broker:
/// the rejection is counted under its reason, answered (when there is an EK_B) with the generic notice,
/// leaves every table byte-for-byte unchanged, and the cheap ones do no public-key work.
/// </summary>
public sealed class RejectionTests : IAsyncLifetime
{
    private TestService _service = null!;
    private EnrollerClient _enroller = null!;
    private MetricsProbe _metrics = null!;

    public async Task InitializeAsync()
    {
        _service = await TestService.StartAsync();
        _enroller = new EnrollerClient(_service.ClientWithToken(await _service.AddPrincipalAsync("line-1")));
        _metrics = new MetricsProbe(_service);
    }

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        Assert.Empty(_service.Errors);
        await _service.DisposeAsync();
    }

    private async Task RejectedAsync(TestEnrollee enrollee, byte[] message, string reason, bool reachesPublicKeyWork, bool expectNotice = true)
    {
        await using var device = await DeviceLink.ConnectAsync(_service, enrollee.IdText);
        var before = await _service.Store.SnapshotAsync(CancellationToken.None);
        var opened = _metrics.Count("enrollment.opened");
        var rejected = _metrics.Count("enrollment.rejected:" + reason);

        await device.PublishAsync(message);
        await _metrics.WaitForAsync("enrollment.rejected:" + reason, rejected + 1);
        if (expectNotice)
        {
            var answer = await device.NextAnswerAsync();
            Assert.True(EnrollmentNotice.TryDecode(answer, 0, answer.Length, out var notice));
            Assert.Equal(EnrollmentStatus.Rejected, notice!.Status); // the same generic answer whatever the reason
            Assert.Equal(message.AsSpan(2, 32).ToArray(), notice.EphemeralKey);
        }

        Assert.Equal(before, await _service.Store.SnapshotAsync(CancellationToken.None));
        Assert.Equal(opened + (reachesPublicKeyWork ? 1 : 0), _metrics.Count("enrollment.opened"));
        Assert.Equal(0, _metrics.Count("enrollment.accepted"));
    }

    private async Task AcceptedAsync(TestEnrollee enrollee, EnrollmentAttempt attempt)
    {
        await using var device = await DeviceLink.ConnectAsync(_service, enrollee.IdText);
        await device.PublishAsync(attempt.Message);
        var answer = await device.NextAnswerAsync();
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
    }

    private static byte[] Reencode(byte[] message, byte[]? ephemeralKey = null, uint? spkId = null, uint? opkId = null)
    {
        Assert.True(EnrollmentMessage.TryDecode(message, 0, message.Length, out var m));
        return new EnrollmentMessage(ephemeralKey ?? m!.EphemeralKey, m!.EnrolleeId, spkId ?? m.SignedPreKeyId, opkId ?? m.OneTimePreKeyId, m.Ciphertext).Encode();
    }

    [Fact]
    public async Task A_malformed_message_is_dropped_without_an_answer()
    {
        await RejectedAsync(new TestEnrollee(), RandomNumberGenerator.GetBytes(EnrollmentMessage.Size - 1), "malformed", false, expectNotice: false);
    }

    [Fact]
    public async Task An_enrollee_no_enroller_approved_is_rejected_before_any_public_key_work()
    {
        var (_, _, bundle) = (await _enroller.FetchBundlesAsync(1))[0]; // a genuine bundle, never registered
        var stranger = new TestEnrollee();
        await RejectedAsync(stranger, stranger.CreateAttempt(bundle).Message, "unknown_enrollee", false);
    }

    [Fact]
    public async Task A_pending_enrollment_past_its_expiry_is_rejected()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        _service.Time.Advance(TimeSpan.FromHours(25)); // default pending lifetime 24 h
        await RejectedAsync(enrollee, attempt.Message, "expired", false);
    }

    [Fact]
    public async Task A_message_naming_another_bundles_one_time_prekey_is_rejected()
    {
        var enrollee = new TestEnrollee();
        await _enroller.ApproveAsync(enrollee);
        var (_, _, otherBundle) = (await _enroller.FetchBundlesAsync(1))[0];
        await RejectedAsync(enrollee, enrollee.CreateAttempt(otherBundle).Message, "opk_mismatch", false);
    }

    [Fact]
    public async Task A_message_naming_an_unknown_signed_prekey_is_rejected()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var message = Reencode(enrollee.CreateAttempt(bundle).Message, spkId: bundle.SignedPreKeyId + 1000);
        await RejectedAsync(enrollee, message, "spk_unknown", false);
    }

    [Fact]
    public async Task A_one_time_prekey_already_consumed_is_rejected()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        // Crafted state: the OPK bound to this pending enrollee is marked used by another writer of the database
        // (as by a second process): the running service's index still holds the enrollee's rows as registered.
        await using (var db = new SqliteConnection("Data Source=" + Path.Combine(_service.DataDirectory, "enrollment.db")))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE one_time_prekeys SET state = 'used', private_key = NULL WHERE opk_id = $o";
            cmd.Parameters.AddWithValue("$o", (long)bundle.OneTimePreKeyId);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        // The enrollment's commit is conditional on the stored OPK state: rejected there, nothing stored. (The
        // service reads no row for an enrollee it registered itself, so a change made behind its back is seen
        // only at the commit, after the public-key work.)
        await RejectedAsync(enrollee, attempt.Message, "state_changed", true);

        // A restarted service loads its index from the database and reads the rows: the used OPK is refused
        // before any public-key work, in OP-0006's order.
        await _service.RestartAsync();
        _metrics.Dispose();
        _metrics = new MetricsProbe(_service);
        await RejectedAsync(enrollee, attempt.Message, "opk_used", false);
    }

    [Fact]
    public async Task A_tampered_message_fails_decryption_and_the_genuine_one_still_enrolls()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        var tampered = (byte[])attempt.Message.Clone();
        tampered[EnrollmentMessage.HeaderSize + 7] ^= 0x40;
        await RejectedAsync(enrollee, tampered, "decryption_failed", true);
        await AcceptedAsync(enrollee, attempt);
    }

    [Fact]
    public async Task A_body_whose_identity_signature_fails_is_rejected()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var forged = enrollee.CreateAttempt(bundle, new CorruptSigningPrimitives());
        await RejectedAsync(enrollee, forged.Message, "bad_signature", true);
        await AcceptedAsync(enrollee, enrollee.CreateAttempt(bundle));
    }

    [Fact]
    public async Task A_low_order_ephemeral_key_is_rejected()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var message = Reencode(enrollee.CreateAttempt(bundle).Message, ephemeralKey: new byte[32]);
        await RejectedAsync(enrollee, message, "invalid_key", true);
    }

    [Fact]
    public async Task A_new_message_under_an_accepted_ephemeral_key_is_a_replay()
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await _enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        await AcceptedAsync(enrollee, attempt);
        var accepted = _metrics.Count("enrollment.accepted");
        var replay = (byte[])attempt.Message.Clone();
        replay[^1] ^= 0x01;

        await using var device = await DeviceLink.ConnectAsync(_service, enrollee.IdText);
        var before = await _service.Store.SnapshotAsync(CancellationToken.None);
        await device.PublishAsync(replay);
        await _metrics.WaitForAsync("enrollment.rejected:replayed", 1);
        Assert.Equal(before, await _service.Store.SnapshotAsync(CancellationToken.None));
        Assert.Equal(accepted, _metrics.Count("enrollment.accepted"));
        Assert.Equal(1, _metrics.Count("enrollment.opened"));
    }

    [Theory]
    [InlineData(false)] // the shared enrollment topic: every junk message reaches the service
    [InlineData(true)] // per-enrollee request topics (default): the first Mqtt:FloodRejectionsPerSecond + 1 at least,
                       // then it listens only on approved enrollees' topics (AdaptiveRequestTopicTests)
    public async Task A_flood_of_messages_for_unknown_enrollees_does_no_public_key_work(bool perEnrollee)
    {
        await using var service = await TestService.StartAsync(new TestServiceSetup
        {
            Settings = new() { ["Enrollment:Mqtt:RequestTopicPerEnrollee"] = perEnrollee ? "true" : "false" },
        });
        using var metrics = new MetricsProbe(service);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var (_, _, bundle) = (await enroller.FetchBundlesAsync(1))[0];
        var stranger = new TestEnrollee();
        var template = stranger.CreateAttempt(bundle).Message;
        await using var device = await DeviceLink.ConnectAsync(service, stranger.IdText);
        var before = await service.Store.SnapshotAsync(CancellationToken.None);
        var link = service.App.Services.GetRequiredService<MqttLink>();
        var toWorkers = link.MessagesToWorkers;
        const int flood = 300;
        for (var i = 0; i < flood; i++)
        {
            await device.PublishAsync(Reencode(template, ephemeralKey: RandomNumberGenerator.GetBytes(32)));
        }

        await metrics.WaitForAsync("enrollment.rejected:unknown_enrollee", perEnrollee ? 201 : flood, TimeSpan.FromSeconds(60));
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (perEnrollee && !link.FiltersRequestTopics)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        Assert.Equal(perEnrollee, link.FiltersRequestTopics);
        Assert.Equal(0, metrics.Count("enrollment.opened"));
        Assert.Equal(before, await service.Store.SnapshotAsync(CancellationToken.None));
        // Settled by the early checks on MQTTnet's dispatcher: none of the junk took a worker.
        Assert.Equal(toWorkers, link.MessagesToWorkers);
    }

    [Fact]
    public void The_service_s_broker_connection_asks_for_wide_socket_buffers()
    {
        // MQTTnet's default (8 KB, which turns off the kernel's autotuning) stalled the service on loopback
        // under a flood (Host/MqttLink.cs, SocketBufferBytes).
        var options = _service.App.Services.GetRequiredService<MqttLink>().ClientOptions;
        Assert.NotNull(options);
        Assert.IsType<BrokerStreamProvider>(((MQTTnet.MqttClientTcpOptions)options.ChannelOptions).StreamProvider);
        Assert.True(MqttLink.SocketBufferBytes >= 1 << 20);
        // One send call per packet (a result's header and payload together).
        Assert.False(options.AllowPacketFragmentation);
    }
}
