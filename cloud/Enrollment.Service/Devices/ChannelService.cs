using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.Session;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Protocol;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Devices;

/// <summary>What the enrollment transaction needs for a new device: the accepted outcome and the channel row.</summary>
internal sealed record PreparedChannel(EnrollmentOutcome Outcome, ChannelInit Init, byte[] BrokerPassword);

/// <summary>What the enrollment ingress asks of the channel: epoch 0 and credentials, then broker access after commit.</summary>
internal interface IChannelEnrollment
{
    PreparedChannel Prepare(string deviceId, byte[] sharedSecret, long now);

    Task OnEnrolledAsync(string deviceId, CancellationToken ct);
}

/// <summary>Why a command could not be sent.</summary>
internal enum CommandOutcome
{
    Sent,
    UnknownDevice,
    NotActive,
}

/// <summary>
/// The service's side of the secure channel (docs/session-protocol.md): epoch 0 at enrollment, up messages
/// (ChannelService.Up.cs), commands and revocation down. Per-device state lives in <see cref="DeviceChannel"/>
/// objects loaded from the database on first use; every change is persisted before it has an effect outside.
/// </summary>
internal sealed partial class ChannelService : IChannelMessageHandler, IChannelEnrollment
{
    private readonly IChannelStore _store;
    private readonly KeyVault _vault;
    private readonly ServiceKeys _keys;
    private readonly ChannelMetrics _metrics;
    private readonly IEventSink _events;
    private readonly TimeProvider _time;
    private readonly MqttOptions _mqtt;
    private readonly ChannelOptions _options;
    private readonly Downlink _downlink;
    private readonly IBrokerAccess _broker;
    private readonly ILogger<ChannelService> _log;
    private readonly ConcurrentDictionary<string, DeviceChannel> _devices = new(StringComparer.Ordinal);
    private readonly TokenBucket _allInits = new();

    public ChannelService(IChannelStore store, KeyVault vault, ServiceKeys keys, ChannelMetrics metrics, IEventSink events, TimeProvider time,
        IOptions<ServiceOptions> options, Downlink downlink, IBrokerAccess broker, ILogger<ChannelService> log)
    {
        _store = store;
        _vault = vault;
        _keys = keys;
        _metrics = metrics;
        _events = events;
        _time = time;
        _mqtt = options.Value.Mqtt;
        _options = options.Value.Channel;
        _downlink = downlink;
        _broker = broker;
        _log = log;
    }

    public string DownTopic(string deviceId) => _mqtt.DeviceTopicPrefix + deviceId + "/down";

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Epoch 0 for an enrollment being accepted: K_up and K_down from SK (docs/protocol.md section 13) sealed
    /// with the KEK, fresh broker credentials, and the outcome that carries them to the device.
    /// </summary>
    public PreparedChannel Prepare(string deviceId, byte[] sharedSecret, long now)
    {
        var session = SessionKeys.Derive(sharedSecret, LibsodiumX3dhPrimitives.Instance);
        try
        {
            var sealedKeys = SealEpochKeys(deviceId, 0, session.Up, session.Down);
            var password = BrokerCredentials.NewPassword();
            var sealedPassword = _broker.NeedsGrant ? _vault.Seal(password, PasswordPurpose(deviceId)) : null;
            var outcome = EnrollmentOutcome.Accepted(deviceId, _mqtt.DeviceTopicPrefix + deviceId + "/", Encoding.ASCII.GetBytes(deviceId), password,
                (uint)_options.RekeyAfterMessages, (uint)_options.RekeyAfterSeconds);
            return new PreparedChannel(outcome, new ChannelInit(deviceId, sealedKeys, BrokerCredentials.Hash(password), sealedPassword, now), password);
        }
        finally
        {
            session.Clear();
        }
    }

    /// <summary>An epoch's K_up || K_down sealed with the KEK for the device_channels row (docs/session-protocol.md).</summary>
    private byte[] SealEpochKeys(string deviceId, uint epoch, byte[] up, byte[] down)
    {
        var both = new byte[64];
        try
        {
            up.CopyTo(both, 0);
            down.CopyTo(both, 32);
            return _vault.Seal(both, KeyPurpose(deviceId, epoch));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(both);
        }
    }

    /// <summary>
    /// After the enrollment committed and before its result goes out: creates the device's broker client when
    /// the broker needs one (dynamic security), then forgets the sealed password. A failure is logged and
    /// retried at the next start (<see cref="ProvisionPendingAsync"/>); the enrollment itself stands.
    /// </summary>
    public async Task OnEnrolledAsync(string deviceId, CancellationToken ct)
    {
        if (!_broker.NeedsGrant)
        {
            return;
        }

        var row = await _store.LoadChannelAsync(deviceId, ct).ConfigureAwait(false);
        if (row?.SealedBrokerPassword is not { } sealedPassword || row.State != ChannelState.Active)
        {
            return;
        }

        var password = _vault.Open(sealedPassword, PasswordPurpose(deviceId));
        if (password is null)
        {
            LogBrokerGrantFailed(_log, deviceId, "sealed password does not open");
            return;
        }

        try
        {
            await _broker.GrantAsync(deviceId, password, ct).ConfigureAwait(false);
            await _store.ForgetBrokerPasswordAsync(deviceId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            LogBrokerGrantFailed(_log, deviceId, e.Message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    /// <summary>Grants broker access to devices enrolled while the broker could not be told (called at start).</summary>
    public async Task ProvisionPendingAsync(CancellationToken ct)
    {
        if (!_broker.NeedsGrant)
        {
            return;
        }

        foreach (var id in await _store.ListUnprovisionedBrokerClientsAsync(ct).ConfigureAwait(false))
        {
            await OnEnrolledAsync(id, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Stores a command and sends it in a 0x11 frame (docs/session-protocol.md section 6.2).</summary>
    public async Task<(CommandOutcome Outcome, uint CommandId)> SendCommandAsync(string deviceId, byte[] body, CancellationToken ct)
    {
        var device = await GetAsync(deviceId, ct).ConfigureAwait(false);
        if (device is null)
        {
            return (CommandOutcome.UnknownDevice, 0);
        }

        await device.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (device.Revoked)
            {
                return (CommandOutcome.NotActive, 0);
            }

            var id = await _store.AddCommandAsync(deviceId, body, Now, ct).ConfigureAwait(false);
            if (id == 0)
            {
                var row = await _store.LoadChannelAsync(deviceId, ct).ConfigureAwait(false);
                await MarkRevokedAsync(device, row?.RevokedAt, ct).ConfigureAwait(false);
                return (CommandOutcome.NotActive, 0);
            }

            if (!await SendCommandFrameAsync(device, id, body, "command", ct).ConfigureAwait(false))
            {
                return (CommandOutcome.NotActive, 0);
            }

            LogCommandSent(_log, deviceId, id, body.Length, device.Epoch);
            return (CommandOutcome.Sent, id);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            Forget(device);
            throw;
        }
        finally
        {
            device.Gate.Release();
        }
    }

    /// <summary>
    /// Called once a revocation is committed (operator API): the device's next message is dropped (the flag is
    /// set under the device's gate, so a message being handled finishes first and none starts after), the
    /// revocation frame goes out under K_down (section 9), then the broker access is removed.
    /// </summary>
    public async Task OnRevokedAsync(string deviceId, CancellationToken ct)
    {
        var device = await GetAsync(deviceId, ct).ConfigureAwait(false);
        if (device is null)
        {
            await _broker.RemoveAsync(deviceId, ct).ConfigureAwait(false); // a pending enrollee: nothing to notify
            return;
        }

        await device.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            device.Revoked = true;
            device.RevokedAt ??= Now;
            device.SetPending(null);
            await NotifyRevokedAsync(device, ct).ConfigureAwait(false);
            await ForgetRetainedResultAsync(device, ct).ConfigureAwait(false); // never heard: its result is of no use now
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The revocation is committed and in force here; the notice is repeated on the device's next message.
            LogRevocationStep(_log, deviceId, "notice", e.Message);
        }
        finally
        {
            device.Gate.Release();
        }

        await Task.Delay(_options.RevocationNoticeGrace, _time, ct).ConfigureAwait(false);
        try
        {
            await _broker.RemoveAsync(deviceId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Frames are dropped regardless; the broker removal is retried when the device publishes again.
            LogRevocationStep(_log, deviceId, "broker removal", e.Message);
        }
    }

    /// <summary>The device's channel, loaded on first use; null when no enrolled device has this id.</summary>
    private async Task<DeviceChannel?> GetAsync(string deviceId, CancellationToken ct)
    {
        if (_devices.TryGetValue(deviceId, out var known))
        {
            return known;
        }

        var row = await _store.LoadChannelAsync(deviceId, ct).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var keys = _vault.Open(row.SealedKeys, KeyPurpose(deviceId, row.Epoch));
        if (keys is null || keys.Length != 64)
        {
            throw new InvalidOperationException("The channel keys of device " + deviceId + " do not open with this KEK.");
        }

        var device = new DeviceChannel(deviceId, row.IdentityKey, Math.Max(row.OfferedEpoch, row.Epoch), row.State == ChannelState.Revoked, row.RevokedAt)
        {
            RetainedResultOf = row.Epoch == 0 && !row.Window.Any ? row.EikHash : null,
            EnrolleeIdText = EnrolleeIdentity.Text(row.EikHash),
        };
        try
        {
            device.Install(row.Epoch, keys[..32], keys[32..], row.SendReserved, row.Window, _options.CounterReservationBlock);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys);
        }

        if (_devices.TryAdd(deviceId, device))
        {
            return device;
        }

        device.Clear();
        return _devices[deviceId];
    }

    /// <summary>Drops the in-memory state after a failed write, so the next message reloads what the database holds.</summary>
    private void Forget(DeviceChannel device)
    {
        if (_devices.TryRemove(new KeyValuePair<string, DeviceChannel>(device.DeviceId, device)))
        {
            device.Clear();
        }
    }

    /// <summary>
    /// Seals one down frame. The sender may use a counter only below the reservation the database holds
    /// (section 5): when it reaches it, the next block is written first, so a restart never reuses a nonce.
    /// Null when the device is no longer in this epoch.
    /// </summary>
    private async Task<byte[]?> SealDownAsync(DeviceChannel device, ChannelMessageType type, byte[] payload, int length, CancellationToken ct)
    {
        var sender = device.Sender;
        if (sender.NextCounter >= sender.Reserved)
        {
            var next = sender.NextCounter;
            var block = (ulong)_options.CounterReservationBlock;
            var limit = SessionConstants.CounterLimit - next < block ? SessionConstants.CounterLimit : next + block;
            if (!await _store.ReserveSendCountersAsync(device.DeviceId, device.Epoch, limit, ct).ConfigureAwait(false))
            {
                return null;
            }

            device.DurableReservation = limit;
        }

        var frame = new byte[SessionConstants.MinFrameSize + length];
        return sender.Seal(type, payload, 0, length, frame, 0, out _) == ChannelSealStatus.Sealed ? frame : null;
    }

    /// <summary>Sends the revocation frame (at most once a second per device, however often it publishes).</summary>
    private async Task<bool> NotifyRevokedAsync(DeviceChannel device, CancellationToken ct)
    {
        var now = Now;
        if (device.LastRevocationNoticeAt is { } last && now - last < 1000)
        {
            return false;
        }

        device.LastRevocationNoticeAt = now;
        var payload = new byte[ChannelPayloads.RevocationSize];
        ChannelPayloads.WriteRevocation((device.RevokedAt ?? now) / 1000, RevocationReason.Operator, payload, 0);
        var frame = await SealDownAsync(device, ChannelMessageType.Revocation, payload, payload.Length, ct).ConfigureAwait(false);
        if (frame is not null)
        {
            await _downlink.PublishAsync(DownTopic(device.DeviceId), frame, ct).ConfigureAwait(false);
            _metrics.Sent("revocation");
            LogRevocationSent(_log, device.DeviceId, device.Epoch);
        }

        return true;
    }

    /// <summary>A revocation this process learns from the database (admin command, another instance): act on it now.</summary>
    /// <summary>A command frame (section 6.2) sealed under the device's current K_down and published; false when the device is no longer active.</summary>
    private async Task<bool> SendCommandFrameAsync(DeviceChannel device, uint commandId, byte[] body, string metric, CancellationToken ct)
    {
        var payload = new byte[ChannelPayloads.CommandHeaderSize + body.Length];
        var length = ChannelPayloads.WriteCommand(commandId, body, 0, body.Length, payload, 0);
        var frame = await SealDownAsync(device, ChannelMessageType.Command, payload, length, ct).ConfigureAwait(false);
        if (frame is null)
        {
            return false;
        }

        await _downlink.PublishAsync(DownTopic(device.DeviceId), frame, ct).ConfigureAwait(false);
        _metrics.Sent(metric);
        return true;
    }

    /// <param name="revokedAt">When the store says it was revoked (null: now).</param>
    private async Task MarkRevokedAsync(DeviceChannel device, long? revokedAt, CancellationToken ct)
    {
        if (device.Revoked)
        {
            return;
        }

        device.Revoked = true;
        device.RevokedAt = revokedAt ?? Now;
        device.SetPending(null);
        await NotifyRevokedAsync(device, ct).ConfigureAwait(false);
        ScheduleBrokerRemoval(device.DeviceId);
    }

    /// <summary>
    /// Removes broker access after the notice's grace period without holding up the message worker (a device
    /// that keeps publishing schedules it again, so a failed removal is retried).
    /// </summary>
    private void ScheduleBrokerRemoval(string deviceId) => _ = Task.Run(async () =>
    {
        try
        {
            await Task.Delay(_options.RevocationNoticeGrace, _time).ConfigureAwait(false);
            await _broker.RemoveAsync(deviceId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            LogRevocationStep(_log, deviceId, "broker removal", e.Message);
        }
    });

    private static string KeyPurpose(string deviceId, uint epoch) => "channel-keys/" + deviceId + "/" + epoch;

    private static string PasswordPurpose(string deviceId) => "broker-password/" + deviceId;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation of device {DeviceId}: {Step} failed ({Reason}); the device's messages are dropped regardless")]
    private static partial void LogRevocationStep(ILogger logger, string deviceId, string step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker access for device {DeviceId} not granted yet ({Reason}); retried at the next start")]
    private static partial void LogBrokerGrantFailed(ILogger logger, string deviceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandId} ({Length} bytes) sent to device {DeviceId} in epoch {Epoch}")]
    private static partial void LogCommandSent(ILogger logger, string deviceId, uint commandId, int length, uint epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revocation notice sent to device {DeviceId} in epoch {Epoch}")]
    private static partial void LogRevocationSent(ILogger logger, string deviceId, uint epoch);
}
