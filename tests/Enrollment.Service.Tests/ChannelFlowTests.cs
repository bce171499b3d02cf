using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrollment.Protocol.Session;
using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Enrollment.Service.Tests;

/// <summary>
/// The secure channel through the real service (issue 8; docs/session-protocol.md): telemetry up, commands
/// down and acknowledged, every kind of bad frame dropped without a trace, rekey (explicit and implicit
/// confirmation) and the state that survives a service restart.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ChannelFlowTests(PostgresServer postgres)
{
    private static Task<(TestService Service, EnrollerClient Enroller, HttpClient Operator)> StartAsync(string? postgresConnection = null, RecordingEventSink? events = null) =>
        Parties.StartAsync(new TestServiceSetup
        {
            PostgresConnectionString = postgresConnection,
            Services = events is null ? null : s => s.AddSingleton<IEventSink>(events),
        });

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Telemetry_arrives_decrypted_and_a_command_goes_down_and_is_acknowledged(string database)
    {
        var events = new RecordingEventSink();
        var (service, enroller, op) = await StartAsync(database == "postgresql" ? await postgres.CreateDatabaseAsync() : null, events);
        await using var _ = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);
        Assert.Equal(device.DeviceId, device.Outcome.BrokerUsername);
        Assert.Equal(32, device.Outcome.BrokerPassword!.Length);
        Assert.Equal(service.DeviceTopicPrefix + device.DeviceId + "/", device.Outcome.DeviceTopicPrefix);
        // Keys sealed with the KEK and only the password's hash at rest: no secret appears in any table.
        var stored = await service.Store.SnapshotAsync(CancellationToken.None);
        Assert.Contains(Convert.ToHexString(BrokerHash(device.Outcome.BrokerPassword)), stored, StringComparison.Ordinal);
        foreach (var secret in device.Secrets)
        {
            Assert.DoesNotContain(Convert.ToHexString(secret), stored, StringComparison.Ordinal);
        }

        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, Encoding.UTF8.GetBytes("{\"t\":21.5}")));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);
        var telemetry = await op.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + device.DeviceId + "/telemetry");
        var first = telemetry.GetProperty("telemetry")[0];
        Assert.Equal("{\"t\":21.5}", Encoding.UTF8.GetString(Convert.FromBase64String(first.GetProperty("payload").GetString()!)));
        Assert.Equal(0u, first.GetProperty("epoch").GetUInt32());
        // The telemetry event names the device as the enrollment event did: record id and Hash(EIK_B) text.
        var enrolled = Assert.Single(events.Events, e => e.Type == "enrollee.enrolled");
        var reading = Assert.Single(events.Events, e => e.Type == "device.telemetry");
        Assert.Equal((device.DeviceId, enrolled.DeviceId), (reading.EnrolleeId, reading.DeviceId));
        Assert.NotNull(reading.DeviceId);

        using var sent = await op.PostAsJsonAsync("/v1/admin/devices/" + device.DeviceId + "/commands", new { body = Convert.ToBase64String([0x01, 0x02, 0x03]) });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var commandId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("commandId").GetUInt32();
        var command = await device.ReceiveAsync(ChannelMessageType.Command);
        Assert.True(ChannelPayloads.TryReadCommand(command, 0, command.Length, out var id, out var bodyOffset, out var bodyLength));
        Assert.Equal(commandId, id);
        Assert.Equal(new byte[] { 1, 2, 3 }, command[bodyOffset..(bodyOffset + bodyLength)]);

        var commands = await op.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + device.DeviceId + "/commands");
        Assert.False(commands.GetProperty("commands")[0].GetProperty("acknowledged").GetBoolean());
        var ack = new byte[5];
        ChannelPayloads.WriteAcknowledgement(id, AcknowledgementStatus.Done, [], 0, 0, ack, 0);
        await device.PublishAsync(device.Seal(ChannelMessageType.Acknowledgement, ack));
        await metrics.WaitForAsync("channel.accepted:acknowledgement", 1);
        commands = await op.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + device.DeviceId + "/commands");
        var shown = commands.GetProperty("commands")[0];
        Assert.True(shown.GetProperty("acknowledged").GetBoolean());
        Assert.Equal("done", shown.GetProperty("status").GetString());
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Replayed_reordered_tampered_and_stale_frames_are_dropped_counted_and_change_nothing()
    {
        var (service, enroller, _) = await StartAsync();
        await using var _s = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);

        var f0 = device.Seal(ChannelMessageType.Telemetry, [0]);
        var f1 = device.Seal(ChannelMessageType.Telemetry, [1]);
        var f2 = device.Seal(ChannelMessageType.Telemetry, [2]);
        // Reordered: 2 before 1 (within the window) are both accepted exactly once.
        await device.PublishAsync(f0);
        await device.PublishAsync(f2);
        await device.PublishAsync(f1);
        await metrics.WaitForAsync("channel.accepted:telemetry", 3);
        var snapshot = await service.Store.SnapshotAsync(CancellationToken.None);
        await device.PublishAsync(f1);
        await metrics.WaitForAsync("channel.rejected:replayed", 1);
        Assert.Equal(snapshot, await service.Store.SnapshotAsync(CancellationToken.None));

        var tooOld = device.Seal(ChannelMessageType.Telemetry, [3]);
        for (var i = 0; i < 200; i++)
        {
            device.Seal(ChannelMessageType.Telemetry, [4]); // spent, never sent: moves the counter 200 ahead
        }

        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [5]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 4);
        snapshot = await service.Store.SnapshotAsync(CancellationToken.None);
        await device.PublishAsync(tooOld);
        await metrics.WaitForAsync("channel.rejected:too_old", 1);
        var tampered = device.Seal(ChannelMessageType.Telemetry, [6, 6, 6]);
        tampered[SessionConstants.FrameHeaderSize + 1] ^= 0x40;
        await device.PublishAsync(tampered);
        await metrics.WaitForAsync("channel.rejected:tampered", 1);
        var retyped = device.Seal(ChannelMessageType.Telemetry, [7]);
        retyped[0] = (byte)ChannelMessageType.Acknowledgement; // header is in the AAD
        await device.PublishAsync(retyped);
        await metrics.WaitForAsync("channel.rejected:tampered", 2);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [8])[..20]);
        await metrics.WaitForAsync("channel.rejected:malformed", 1);
        Assert.Equal(snapshot, await service.Store.SnapshotAsync(CancellationToken.None));

        // Stale epoch: after a rekey, a frame sealed under epoch 0 is dropped.
        var oldSender = device.Sender;
        await device.RekeyAsync();
        await metrics.WaitForAsync("channel.rekeyed", 1);
        var stale = new byte[31];
        Assert.Equal(ChannelSealStatus.Sealed, oldSender.Seal(ChannelMessageType.Telemetry, [9], 0, 1, stale, 0, out _));
        snapshot = await service.Store.SnapshotAsync(CancellationToken.None);
        await device.PublishAsync(stale);
        await metrics.WaitForAsync("channel.rejected:stale_epoch", 1);
        Assert.Equal(snapshot, await service.Store.SnapshotAsync(CancellationToken.None));
        Assert.Equal(4, metrics.Count("channel.accepted:telemetry"));
        Assert.Empty(service.Errors);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Rekey_creates_a_new_epoch_and_the_channel_state_survives_a_service_restart(string database)
    {
        var (service, enroller, _) = await StartAsync(database == "postgresql" ? await postgres.CreateDatabaseAsync() : null);
        await using var _s = service;
        var token = await service.AddPrincipalAsync("ops-2", PrincipalRole.Operator);
        var op = service.ClientWithToken(token);
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        var metrics = new MetricsProbe(service);

        await device.RekeyAsync(RekeyReason.Boot);
        Assert.Equal(1u, device.Epoch);
        await metrics.WaitForAsync("channel.rekeyed", 1);
        var beforeRestart = device.Seal(ChannelMessageType.Telemetry, [1]);
        await device.PublishAsync(beforeRestart);
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);
        using (var sent = await op.PostAsJsonAsync("/v1/admin/devices/" + device.DeviceId + "/commands", new { body = "AA==" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        var firstDown = await device.NextDownAsync();
        Assert.True(ChannelFrame.TryReadHeader(firstDown, 0, firstDown.Length, out _, out _, out var firstCounter));

        // Restart: epoch keys, replay window and down reservation come back from the database.
        metrics.Dispose();
        await service.RestartAsync();
        metrics = new MetricsProbe(service);
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, await device.ConnectAsync()); // the embedded broker restarted too
        op = service.ClientWithToken(token); // new HTTP port
        await device.PublishAsync(beforeRestart);
        await metrics.WaitForAsync("channel.rejected:replayed", 1);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [2]));
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);
        using (var sent = await op.PostAsJsonAsync("/v1/admin/devices/" + device.DeviceId + "/commands", new { body = "AQ==" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        var down = await device.NextDownAsync();
        Assert.True(ChannelFrame.TryReadHeader(down, 0, down.Length, out _, out var epoch, out var counter));
        Assert.Equal(1u, epoch);
        Assert.True(counter >= (ulong)SessionConstants.DefaultReservationBlock, "a restarted sender resumes at its reservation, never below");
        Assert.True(counter > firstCounter);
        var plaintext = new byte[64];
        Assert.Equal(ChannelOpenStatus.Accepted, device.Receiver.Open(down, 0, down.Length, plaintext, 0, out _, out _, out _));

        // A rekey after the restart (the device "rebooted" and lost its keys) is offered a higher epoch.
        await device.RekeyAsync(RekeyReason.Boot, sendConfirm: false);
        Assert.Equal(2u, device.Epoch);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [3])); // implicit confirmation (section 7.5 step 4)
        await metrics.WaitForAsync("channel.accepted:telemetry", 2);
        await metrics.WaitForAsync("channel.rekeyed", 1);
        var audit = await service.Store.ListAuditAsync("enrollee:" + device.DeviceId, 100, CancellationToken.None);
        Assert.Equal(2, audit.Count(a => a.Action == "device.rekeyed"));
        metrics.Dispose();
        Assert.Empty(service.Errors);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Identity_rotation_is_recorded_with_its_request_and_the_next_rekey_needs_the_new_key(string database)
    {
        var (service, enroller, op) = await StartAsync(database == "postgresql" ? await postgres.CreateDatabaseAsync() : null);
        await using var _s = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);
        var oldPrivate = device.IdentityPrivate;
        var request = device.CreateRotation(out var newPrivate);

        await device.PublishAsync(device.Seal(ChannelMessageType.RotationRequest, request));
        var result = await device.ReceiveAsync(ChannelMessageType.RotationResult);
        Assert.True(ChannelPayloads.TryReadRotationResult(result, 0, result.Length, out _, out var accepted));
        Assert.True(accepted);
        Assert.Equal(request[..32], result[..32]);

        // A repeated request (the answer was lost) is answered "accepted" again and recorded once.
        await device.PublishAsync(device.Seal(ChannelMessageType.RotationRequest, request));
        result = await device.ReceiveAsync(ChannelMessageType.RotationResult);
        Assert.Equal(0, result[32]);
        var history = await op.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + device.DeviceId + "/identities");
        var change = Assert.Single(history.GetProperty("identities").EnumerateArray());
        Assert.Equal(request, Convert.FromBase64String(change.GetProperty("request").GetString()!));
        Assert.Equal(request[..32], (await service.Store.GetEnrolleeAsync(device.DeviceId, CancellationToken.None))!.IkB);

        // A forged rotation (new key signed by nobody) is rejected, and changes nothing.
        var forged = device.CreateRotation(out _);
        forged[40] ^= 1;
        await device.PublishAsync(device.Seal(ChannelMessageType.RotationRequest, forged));
        result = await device.ReceiveAsync(ChannelMessageType.RotationResult);
        Assert.Equal(1, result[32]);

        device.AdoptIdentity(newPrivate);
        await device.RekeyAsync(RekeyReason.Requested);
        await metrics.WaitForAsync("channel.rekeyed", 1);
        // The old IK_B no longer authenticates: the service's answer fails the device's key confirmation.
        var initiator = RekeyInitiator.Start(Service.Protocol.LibsodiumX3dhPrimitives.Instance, oldPrivate, device.ServiceIdentity, device.DeviceId,
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), RekeyReason.Requested);
        await device.PublishAsync(initiator.InitMessage);
        var response = await device.NextDownAsync();
        Assert.Equal(RekeyStatus.BadConfirmation, initiator.Finish(response, 0, response.Length, device.Epoch, out _, out _));
        Assert.Empty(service.Errors);
    }

    private static byte[] BrokerHash(byte[] password) => System.Security.Cryptography.SHA256.HashData(password);
}
