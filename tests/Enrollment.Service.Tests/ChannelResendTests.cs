using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrollment.Protocol.Session;
using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>
/// Commands not acknowledged are resent at every new epoch (docs/session-protocol.md section 6.2): a device
/// that rebooted resumes its old epoch without a replay window and acts on no command there (section 5), so
/// a command sent while it rekeys must come again under the new epoch's K_down. Bounded by a count and an age.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ChannelResendTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_command_the_rebooting_device_could_not_act_on_is_resent_in_the_new_epoch_and_an_acknowledged_one_is_not(string database)
    {
        var (service, enroller, op) = await Parties.StartAsync(
            new TestServiceSetup { PostgresConnectionString = database == "postgresql" ? await postgres.CreateDatabaseAsync() : null });
        await using var _s = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);

        // Command A is carried out and acknowledged in epoch 0.
        var a = await SendAsync(op, device, [0xA1]);
        var (idA, _) = Command(await device.ReceiveAsync(ChannelMessageType.Command));
        Assert.Equal(a, idA);
        await AcknowledgeAsync(device, a);
        await metrics.WaitForAsync("channel.accepted:acknowledgement", 1);

        // The device reboots: command B reaches it in the resumed epoch 0, where it acts on no command.
        var b = await SendAsync(op, device, [0xB2, 0xB3]);
        var dropped = await device.NextDownAsync();
        Assert.True(ChannelFrame.TryReadHeader(dropped, 0, dropped.Length, out _, out var droppedEpoch, out _));
        Assert.Equal(0u, droppedEpoch);

        // Its boot rekey completes: B comes again under epoch 1 in a fresh frame (counter 0); A, acknowledged, does not.
        await device.RekeyAsync(RekeyReason.Boot);
        var resent = await device.NextDownAsync();
        Assert.True(ChannelFrame.TryReadHeader(resent, 0, resent.Length, out _, out var epoch, out var counter));
        Assert.Equal(1u, epoch);
        Assert.Equal(0ul, counter);
        var plaintext = new byte[SessionConstants.MaxPayloadSize];
        Assert.Equal(ChannelOpenStatus.Accepted, device.Receiver.Open(resent, 0, resent.Length, plaintext, 0, out var type, out var length, out _));
        Assert.Equal(ChannelMessageType.Command, type);
        var (idB, body) = Command(plaintext[..length]);
        Assert.Equal(b, idB);
        Assert.Equal(new byte[] { 0xB2, 0xB3 }, body);
        await metrics.WaitForAsync("channel.sent:command_resend", 1);
        await AcknowledgeAsync(device, b);
        await metrics.WaitForAsync("channel.accepted:acknowledgement", 2);

        // Nothing else was queued: the next frame down is the next new command, counter 1.
        var c = await SendAsync(op, device, [0xC4]);
        var next = await device.NextDownAsync();
        Assert.True(ChannelFrame.TryReadHeader(next, 0, next.Length, out _, out _, out var nextCounter));
        Assert.Equal(1ul, nextCounter);
        Assert.Equal(ChannelOpenStatus.Accepted, device.Receiver.Open(next, 0, next.Length, plaintext, 0, out _, out length, out _));
        Assert.Equal(c, Command(plaintext[..length]).Id);

        // Another rekey resends C only (A and B are acknowledged); the device's repeated ack of B changes nothing.
        await AcknowledgeAsync(device, b);
        await metrics.WaitForAsync("channel.accepted:acknowledgement", 3);
        await device.RekeyAsync(RekeyReason.Requested);
        Assert.Equal(c, Command(await device.ReceiveAsync(ChannelMessageType.Command)).Id);
        await metrics.WaitForAsync("channel.sent:command_resend", 2);

        var commands = (await op.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + device.DeviceId + "/commands")).GetProperty("commands");
        Assert.Equal(3, commands.GetArrayLength());
        Assert.Equal(new[] { a, b, c }, commands.EnumerateArray().Select(x => x.GetProperty("commandId").GetUInt32()));
        Assert.Equal(new[] { true, true, false }, commands.EnumerateArray().Select(x => x.GetProperty("acknowledged").GetBoolean()));
        Assert.Equal("done", commands[1].GetProperty("status").GetString());
        Assert.All(commands.EnumerateArray(), x => Assert.Equal(JsonValueKind.Null, x.GetProperty("expiredAt").ValueKind));
        var stored = await service.Store.ListCommandsAsync(device.DeviceId, CancellationToken.None);
        Assert.NotNull(stored[1].AckedAt);
        Assert.Equal(2, metrics.Count("channel.sent:command_resend"));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Resends_are_bounded_to_the_newest_commands_and_old_ones_expire_instead()
    {
        var (service, enroller, op) = await Parties.StartAsync();
        await using var _s = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);

        // One command a day old, then ten new ones: all dropped by the rebooting device.
        var old = await SendAsync(op, device, [0]);
        await device.NextDownAsync();
        service.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var recent = new List<uint>();
        for (byte i = 1; i <= 10; i++)
        {
            recent.Add(await SendAsync(op, device, [i]));
            await device.NextDownAsync();
        }

        // Implicit confirmation (section 7.5 step 4): the first frame of the new epoch commits it.
        await device.RekeyAsync(RekeyReason.Boot, sendConfirm: false);
        await device.PublishAsync(device.Seal(ChannelMessageType.Telemetry, [1]));
        var got = new List<uint>();
        for (var i = 0; i < 8; i++)
        {
            got.Add(Command(await device.ReceiveAsync(ChannelMessageType.Command)).Id);
        }

        Assert.Equal(recent.Skip(2), got); // the newest 8 (Channel:CommandResendLimit), oldest first
        await metrics.WaitForAsync("channel.accepted:telemetry", 1);
        await metrics.WaitForAsync("channel.sent:command_resend", 8);
        var last = await SendAsync(op, device, [11]);
        Assert.Equal(last, Command(await device.ReceiveAsync(ChannelMessageType.Command)).Id); // nothing more was queued

        var commands = (await op.GetFromJsonAsync<JsonElement>("/v1/admin/devices/" + device.DeviceId + "/commands")).GetProperty("commands");
        var expired = commands.EnumerateArray().Where(x => x.GetProperty("expiredAt").ValueKind != JsonValueKind.Null).ToList();
        Assert.Equal(old, Assert.Single(expired).GetProperty("commandId").GetUInt32());
        Assert.False(expired[0].GetProperty("acknowledged").GetBoolean());
        Assert.Equal(8, metrics.Count("channel.sent:command_resend"));
        Assert.Empty(service.Errors);
    }

    private static async Task<uint> SendAsync(HttpClient op, ChannelDevice device, byte[] body)
    {
        using var sent = await op.PostAsJsonAsync("/v1/admin/devices/" + device.DeviceId + "/commands", new { body = Convert.ToBase64String(body) });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        return (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("commandId").GetUInt32();
    }

    private static (uint Id, byte[] Body) Command(byte[] payload)
    {
        Assert.True(ChannelPayloads.TryReadCommand(payload, 0, payload.Length, out var id, out var offset, out var length));
        return (id, payload[offset..(offset + length)]);
    }

    private static Task AcknowledgeAsync(ChannelDevice device, uint id)
    {
        var ack = new byte[ChannelPayloads.AcknowledgementHeaderSize];
        ChannelPayloads.WriteAcknowledgement(id, AcknowledgementStatus.Done, [], 0, 0, ack, 0);
        return device.PublishAsync(device.Seal(ChannelMessageType.Acknowledgement, ack));
    }
}
