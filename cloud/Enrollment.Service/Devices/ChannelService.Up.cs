using System.Security.Cryptography;
using Enrollment.Protocol.Session;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Enrollment.Service.Protocol;

namespace Enrollment.Service.Devices;

/// <summary>Handles one message from a device's up topic (docs/session-protocol.md section 10).</summary>
internal interface IChannelMessageHandler
{
    Task<IngressAnswer> HandleAsync(string topic, byte[] payload, CancellationToken ct);
}

internal sealed partial class ChannelService
{
    private static readonly IngressAnswer Nothing = new(null, null);

    /// <summary>
    /// Dispatch on byte 0 (section 10): frames 0x10, 0x12, 0x14 and rekey 0x20, 0x22; anything else, or a
    /// down type, is malformed. The device is the one the topic names; its keys must open the frame (the
    /// device id is in the AAD). A dropped message changes nothing and is only counted and logged.
    /// </summary>
    public async Task<IngressAnswer> HandleAsync(string topic, byte[] payload, CancellationToken ct)
    {
        var deviceId = DeviceIdOf(topic);
        if (deviceId is null || payload.Length < 2)
        {
            return Drop(deviceId ?? "-", "malformed");
        }

        var device = await GetAsync(deviceId, ct).ConfigureAwait(false);
        if (device is null)
        {
            return Drop(deviceId, "unknown_device");
        }

        await device.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (device.Revoked)
            {
                // Section 9 step 2: tell it again (rate-limited) if it keeps publishing, and cut it off again: a
                // device still able to publish means the broker removal has not happened or failed.
                if (await NotifyRevokedAsync(device, ct).ConfigureAwait(false))
                {
                    ScheduleBrokerRemoval(deviceId);
                }

                return Drop(deviceId, "revoked");
            }

            return (ChannelMessageType)payload[0] switch
            {
                ChannelMessageType.Telemetry or ChannelMessageType.Acknowledgement or ChannelMessageType.RotationRequest
                    => await HandleFrameAsync(device, payload, ct).ConfigureAwait(false),
                ChannelMessageType.RekeyInit => await HandleInitAsync(device, payload, ct).ConfigureAwait(false),
                ChannelMessageType.RekeyConfirm => await HandleConfirmAsync(device, payload, ct).ConfigureAwait(false),
                _ => Drop(deviceId, "malformed"),
            };
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The window may have moved in memory without the write: rebuild from the database, and let the
            // link leave the message unacknowledged so the broker redelivers it.
            Forget(device);
            throw;
        }
        finally
        {
            device.Gate.Release();
        }
    }

    private async Task<IngressAnswer> HandleFrameAsync(DeviceChannel device, byte[] frame, CancellationToken ct)
    {
        // Section 7.5 step 4: an up frame of the pending epoch that authenticates confirms the handshake.
        if (device.Pending is { } pending && ChannelFrame.TryReadHeader(frame, 0, frame.Length, out _, out var epoch, out _) && epoch == pending.Epoch)
        {
            if (pending.ConfirmWithFrame(frame, 0, frame.Length, out var keys) == RekeyStatus.Completed && keys is not null)
            {
                if (!await CommitAsync(device, keys, pending.Reason, ct).ConfigureAwait(false))
                {
                    return await NotActiveAsync(device, ct).ConfigureAwait(false);
                }
            }
        }

        var plaintext = new byte[SessionConstants.MaxPayloadSize];
        var status = device.Receiver.Open(frame, 0, frame.Length, plaintext, 0, out var type, out var length, out var counter);
        if (status != ChannelOpenStatus.Accepted)
        {
            return Drop(device.DeviceId, Reason(status));
        }

        var (effect, answer, problem) = Interpret(device, type, plaintext, length, counter);
        CryptographicOperations.ZeroMemory(plaintext);
        var now = Now;
        if (await _store.RecordFrameAsync(device.DeviceId, device.Epoch, device.ExportWindow(), effect, now, _options.TelemetryKept, ct).ConfigureAwait(false)
            != FrameRecordOutcome.Recorded)
        {
            return await NotActiveAsync(device, ct).ConfigureAwait(false);
        }

        await ForgetRetainedResultAsync(device, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            // Authentic (the counter is spent) but its payload is not what section 6 says: a device bug.
            _metrics.Rejected(problem);
            LogDropped(_log, device.DeviceId, problem);
        }
        else
        {
            _metrics.Accepted(TypeLabel(type));
        }

        switch (effect)
        {
            case FrameEffect.Telemetry t:
                LogTelemetry(_log, device.DeviceId, device.Epoch, counter, t.Payload.Length);
                await _events.PublishAsync(new LifecycleEvent("device.telemetry", device.DeviceId, device.EnrolleeIdText, "device", DateTimeOffset.FromUnixTimeMilliseconds(now)), ct)
                    .ConfigureAwait(false);
                break;
            case FrameEffect.Acknowledgement a:
                LogAcknowledged(_log, device.DeviceId, a.CommandId, a.Status);
                break;
            case FrameEffect.Rotation r:
                device.IdentityKey = r.NewKey;
                LogRotated(_log, device.DeviceId);
                await _events.PublishAsync(new LifecycleEvent("device.identity_rotated", device.DeviceId, device.EnrolleeIdText, "device", DateTimeOffset.FromUnixTimeMilliseconds(now)), ct)
                    .ConfigureAwait(false);
                break;
        }

        if (answer is null)
        {
            return Nothing;
        }

        var result = new byte[ChannelPayloads.RotationResultSize];
        ChannelPayloads.WriteRotationResult(answer.Value.Key, answer.Value.Accepted, result, 0);
        var down = await SealDownAsync(device, ChannelMessageType.RotationResult, result, result.Length, ct).ConfigureAwait(false);
        _metrics.Sent("rotation_result");
        return down is null ? Nothing : new IngressAnswer(DownTopic(device.DeviceId), down);
    }

    /// <summary>What an authentic frame asks for; a format error in the payload is reported as a problem.</summary>
    private (FrameEffect Effect, (byte[] Key, bool Accepted)? Answer, string? Problem) Interpret(
        DeviceChannel device, ChannelMessageType type, byte[] plaintext, int length, ulong counter)
    {
        switch (type)
        {
            case ChannelMessageType.Telemetry:
                return (new FrameEffect.Telemetry(counter, plaintext[..length]), null, null);
            case ChannelMessageType.Acknowledgement:
                return ChannelPayloads.TryReadAcknowledgement(plaintext, 0, length, out var id, out var ackStatus, out var detailOffset, out var detailLength)
                    ? (new FrameEffect.Acknowledgement(id, (byte)ackStatus, plaintext.AsSpan(detailOffset, detailLength).ToArray()), null, null)
                    : (new FrameEffect.None(), null, "bad_payload");
            default:
                return InterpretRotation(device, plaintext, length);
        }
    }

    /// <summary>Section 8, service verification; a repeated request for the IK_B' already recorded is answered "accepted" again.</summary>
    private (FrameEffect, (byte[], bool)?, string?) InterpretRotation(DeviceChannel device, byte[] plaintext, int length)
    {
        if (length != IdentityRotation.RequestSize)
        {
            return (new FrameEffect.None(), null, "bad_payload");
        }

        var proposed = plaintext[..32];
        if (CryptographicOperations.FixedTimeEquals(proposed, device.IdentityKey))
        {
            return (new FrameEffect.None(), (proposed, true), null);
        }

        var status = IdentityRotation.Verify(LibsodiumX3dhPrimitives.Instance, _keys.IdentityPublicKey, device.IdentityKey, device.DeviceId,
            plaintext, 0, length, out var newKey);
        if (status != RotationStatus.Valid || newKey is null)
        {
            return (new FrameEffect.None(), (proposed, false), "rotation_" + status.ToString().ToLowerInvariant());
        }

        return (new FrameEffect.Rotation(device.IdentityKey, newKey, plaintext[..length]), (newKey, true), null);
    }

    /// <summary>Section 7.5 steps 1-2: rate-limited per device, then for all devices together; the offered epoch is persisted before the response goes out.</summary>
    private async Task<IngressAnswer> HandleInitAsync(DeviceChannel device, byte[] init, CancellationToken ct)
    {
        if (init.Length != SessionConstants.RekeyInitSize)
        {
            return Drop(device.DeviceId, "malformed");
        }

        if (!device.TakeInitToken(Now, _options.RekeyInitsPerMinute))
        {
            return Drop(device.DeviceId, "rate_limited");
        }

        if (!_allInits.TryTake(Now, _options.RekeyInitsPerSecond, 1000))
        {
            return Drop(device.DeviceId, "rate_limited_all");
        }

        var epoch = device.OfferedEpoch + 1;
        var ephemeral = RandomNumberGenerator.GetBytes(32);
        RekeyStatus status;
        RekeyResponder? responder;
        try
        {
            status = RekeyResponder.Respond(LibsodiumX3dhPrimitives.Instance, _keys.IdentityPrivateKey, device.IdentityKey, device.DeviceId,
                init, 0, init.Length, ephemeral, epoch, out responder);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }

        if (status != RekeyStatus.Completed || responder is null)
        {
            return Drop(device.DeviceId, status == RekeyStatus.WeakKey ? "weak_key" : "malformed");
        }

        if (!await _store.OfferEpochAsync(device.DeviceId, epoch, ct).ConfigureAwait(false))
        {
            responder.Clear();
            return await NotActiveAsync(device, ct).ConfigureAwait(false);
        }

        device.OfferedEpoch = epoch;
        device.SetPending(responder);
        _metrics.Accepted("rekey_init");
        _metrics.Sent("rekey_response");
        return new IngressAnswer(DownTopic(device.DeviceId), responder.ResponseMessage);
    }

    /// <summary>Section 7.5 step 3: a confirm that verifies commits the pending epoch; a bad one leaves it pending.</summary>
    private async Task<IngressAnswer> HandleConfirmAsync(DeviceChannel device, byte[] confirm, CancellationToken ct)
    {
        if (device.Pending is not { } pending)
        {
            return Drop(device.DeviceId, confirm.Length == SessionConstants.RekeyConfirmSize ? "no_handshake" : "malformed");
        }

        var status = pending.Confirm(confirm, 0, confirm.Length, out var keys);
        if (status != RekeyStatus.Completed || keys is null)
        {
            return Drop(device.DeviceId, status == RekeyStatus.BadConfirmation ? "bad_confirmation" : "malformed");
        }

        _metrics.Accepted("rekey_confirm");
        return await CommitAsync(device, keys, pending.Reason, ct).ConfigureAwait(false) ? Nothing : await NotActiveAsync(device, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Persists the new epoch's keys (sealed), then switches to them; old-epoch frames are stale from now on.
    /// Then resends the unacknowledged commands in the new epoch (ChannelService.Resend.cs).
    /// </summary>
    private async Task<bool> CommitAsync(DeviceChannel device, EpochKeys keys, RekeyReason reason, CancellationToken ct)
    {
        try
        {
            var sealedKeys = SealEpochKeys(device.DeviceId, keys.Epoch, keys.Up, keys.Down);
            if (!await _store.CommitEpochAsync(device.DeviceId, keys.Epoch, sealedKeys, reason.ToString().ToLowerInvariant(), Now, ct).ConfigureAwait(false))
            {
                return false;
            }

            device.Install(keys.Epoch, keys.Up, keys.Down, 0, WindowState.Empty, _options.CounterReservationBlock);
            device.SetPending(null);
            _metrics.Rekeyed();
            await ForgetRetainedResultAsync(device, ct).ConfigureAwait(false);
            LogRekeyed(_log, device.DeviceId, keys.Epoch, reason.ToString());
            await ResendUnacknowledgedAsync(device, ct).ConfigureAwait(false);
            return true;
        }
        finally
        {
            keys.Clear();
        }
    }

    /// <summary>A conditional write found the device no longer active: revoked elsewhere (e.g. the admin command).</summary>
    private async Task<IngressAnswer> NotActiveAsync(DeviceChannel device, CancellationToken ct)
    {
        var row = await _store.LoadChannelAsync(device.DeviceId, ct).ConfigureAwait(false);
        if (row is null || row.State == ChannelState.Revoked)
        {
            await MarkRevokedAsync(device, row?.RevokedAt, ct).ConfigureAwait(false);
            return Drop(device.DeviceId, "revoked");
        }

        Forget(device); // the epoch moved under us (another instance): reload next time
        return Drop(device.DeviceId, "state_changed");
    }

    private IngressAnswer Drop(string deviceId, string reason)
    {
        _metrics.Rejected(reason);
        LogDropped(_log, deviceId, reason);
        return Nothing;
    }

    /// <summary>The device id of "&lt;prefix&gt;&lt;id&gt;/up", or null when the topic is not of that form.</summary>
    private string? DeviceIdOf(string topic)
    {
        var prefix = _mqtt.DeviceTopicPrefix;
        if (!topic.StartsWith(prefix, StringComparison.Ordinal) || !topic.EndsWith("/up", StringComparison.Ordinal))
        {
            return null;
        }

        var id = topic[prefix.Length..^3];
        return id.Length is >= 1 and <= SessionConstants.MaxDeviceIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? id : null;
    }

    private static string Reason(ChannelOpenStatus s) => s switch
    {
        ChannelOpenStatus.StaleEpoch => "stale_epoch",
        ChannelOpenStatus.UnknownEpoch => "unknown_epoch",
        ChannelOpenStatus.TooOld => "too_old",
        ChannelOpenStatus.Replayed => "replayed",
        ChannelOpenStatus.Tampered => "tampered",
        _ => "malformed",
    };

    private static string TypeLabel(ChannelMessageType t) => t switch
    {
        ChannelMessageType.Telemetry => "telemetry",
        ChannelMessageType.Acknowledgement => "acknowledgement",
        _ => "rotation_request",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped a message from device {DeviceId}: {Reason}")]
    private static partial void LogDropped(ILogger logger, string deviceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry from device {DeviceId}: epoch {Epoch}, counter {Counter}, {Length} bytes")]
    private static partial void LogTelemetry(ILogger logger, string deviceId, uint epoch, ulong counter, int length);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} acknowledged command {CommandId} with status {Status}")]
    private static partial void LogAcknowledged(ILogger logger, string deviceId, uint commandId, byte status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} rotated its identity key")]
    private static partial void LogRotated(ILogger logger, string deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} moved to epoch {Epoch} (rekey reason {Reason})")]
    private static partial void LogRekeyed(ILogger logger, string deviceId, uint epoch, string reason);
}
