using System.Data.Common;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore : IChannelStore
{
    private const string ChannelColumns =
        "SELECT d.device_id, d.state, d.epoch, d.sealed_keys, d.send_reserved, d.recv_any, d.recv_top, d.recv_low, d.recv_high, " +
        "d.offered_epoch, d.broker_password_hash, d.broker_password, e.ik_b, d.revoked_at, e.eik_hash FROM device_channels d JOIN enrollees e ON e.id = d.device_id ";

    /// <summary>Part of the enrollment transaction (SqlEnrollmentStore.Ingress.cs): the device's channel at epoch 0.</summary>
    private static Task<int> InsertChannelAsync(DbConnection c, DbTransaction tx, ChannelInit ch, CancellationToken ct) =>
        ExecAsync(c, tx,
            "INSERT INTO device_channels (device_id, state, epoch, sealed_keys, send_reserved, recv_any, recv_top, recv_low, recv_high, " +
            "offered_epoch, broker_password_hash, broker_password, created_at, updated_at) " +
            "VALUES (@d, 'active', 0, @k, 0, 0, 0, 0, 0, 0, @h, @p, @t, @t)", ct,
            ("d", ch.DeviceId), ("k", ch.SealedKeys), ("h", ch.BrokerPasswordHash), ("p", ch.SealedBrokerPassword), ("t", ch.At));

    public Task<DeviceChannelRow?> LoadChannelAsync(string deviceId, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, ChannelColumns + "WHERE d.device_id = @d", r => new DeviceChannelRow(
                r.GetString(0), r.GetString(1), (uint)ToLong(r.GetValue(2)), (byte[])r.GetValue(3), (ulong)ToLong(r.GetValue(4)),
                new WindowState(ToLong(r.GetValue(5)) != 0, (ulong)ToLong(r.GetValue(6)), (ulong)ToLong(r.GetValue(7)), (ulong)ToLong(r.GetValue(8))),
                (uint)ToLong(r.GetValue(9)), (byte[])r.GetValue(10), NullableBytes(r, 11), (byte[])r.GetValue(12), NullableLong(r, 13), (byte[])r.GetValue(14)),
                ct, ("d", deviceId)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    public Task<bool> ReserveSendCountersAsync(string deviceId, uint epoch, ulong reservedLimit, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx,
            // Not conditional on the state: a revoked device still gets its revocation frame under a fresh counter.
            "UPDATE device_channels SET send_reserved = @r WHERE device_id = @d AND epoch = @e", ct,
            ("r", unchecked((long)reservedLimit)), ("d", deviceId), ("e", (long)epoch)).ConfigureAwait(false) == 1, ct);

    public Task<FrameRecordOutcome> RecordFrameAsync(string deviceId, uint epoch, WindowState w, FrameEffect effect, long now, int telemetryKept, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var updated = await ExecAsync(c, tx,
                "UPDATE device_channels SET recv_any = @a, recv_top = @t, recv_low = @l, recv_high = @h, updated_at = @n " +
                "WHERE device_id = @d AND epoch = @e AND state = 'active'", ct,
                ("a", w.Any ? 1 : 0), ("t", unchecked((long)w.Top)), ("l", unchecked((long)w.Low)), ("h", unchecked((long)w.High)),
                ("n", now), ("d", deviceId), ("e", (long)epoch)).ConfigureAwait(false);
            if (updated != 1)
            {
                return FrameRecordOutcome.NotActive;
            }

            switch (effect)
            {
                case FrameEffect.Telemetry t:
                    await ExecAsync(c, tx, "INSERT INTO device_telemetry (device_id, at, epoch, counter, payload) VALUES (@d, @n, @e, @c, @p)", ct,
                        ("d", deviceId), ("n", now), ("e", (long)epoch), ("c", unchecked((long)t.Counter)), ("p", t.Payload)).ConfigureAwait(false);
                    // Keep the newest telemetryKept rows of this device: everything at or below the first one past them goes.
                    await ExecAsync(c, tx,
                        "DELETE FROM device_telemetry WHERE device_id = @d AND id <= " +
                        "(SELECT id FROM device_telemetry WHERE device_id = @d ORDER BY id DESC LIMIT 1 OFFSET @k)", ct,
                        ("d", deviceId), ("k", (long)telemetryKept)).ConfigureAwait(false);
                    break;
                case FrameEffect.Acknowledgement a:
                    // The first acknowledgement counts; a repeated one (section 6.2) changes nothing.
                    await ExecAsync(c, tx,
                        "UPDATE device_commands SET acked_at = @n, ack_status = @s, ack_detail = @x WHERE device_id = @d AND command_id = @i AND acked_at IS NULL", ct,
                        ("n", now), ("s", (int)a.Status), ("x", a.Detail), ("d", deviceId), ("i", (long)a.CommandId)).ConfigureAwait(false);
                    break;
                case FrameEffect.Rotation r:
                    var rotated = await ExecAsync(c, tx, "UPDATE enrollees SET ik_b = @n WHERE id = @d AND ik_b = @o AND state = 'enrolled'", ct,
                        ("n", r.NewKey), ("d", deviceId), ("o", r.OldKey)).ConfigureAwait(false);
                    if (rotated != 1)
                    {
                        throw new InvalidOperationException("identity changed concurrently");
                    }

                    await ExecAsync(c, tx, "INSERT INTO device_identity_history (device_id, at, old_ik, new_ik, request) VALUES (@d, @n, @o, @k, @r)", ct,
                        ("d", deviceId), ("n", now), ("o", r.OldKey), ("k", r.NewKey), ("r", r.Request)).ConfigureAwait(false);
                    await AuditAsync(c, tx, now, "enrollee:" + deviceId, "device.identity_rotated", "device", "IK_B " +
                        Convert.ToHexStringLower(r.OldKey.AsSpan(0, 8)) + ".. -> " + Convert.ToHexStringLower(r.NewKey.AsSpan(0, 8)) + "..", ct).ConfigureAwait(false);
                    break;
            }

            return FrameRecordOutcome.Recorded;
        }, ct);

    public Task<bool> OfferEpochAsync(string deviceId, uint epoch, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx,
            "UPDATE device_channels SET offered_epoch = @e WHERE device_id = @d AND state = 'active' AND offered_epoch < @e", ct,
            ("e", (long)epoch), ("d", deviceId)).ConfigureAwait(false) == 1, ct);

    public Task<bool> CommitEpochAsync(string deviceId, uint epoch, byte[] sealedKeys, string reason, long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var n = await ExecAsync(c, tx,
                "UPDATE device_channels SET epoch = @e, sealed_keys = @k, send_reserved = 0, recv_any = 0, recv_top = 0, recv_low = 0, recv_high = 0, " +
                "updated_at = @n WHERE device_id = @d AND state = 'active' AND epoch < @e", ct,
                ("e", (long)epoch), ("k", sealedKeys), ("n", now), ("d", deviceId)).ConfigureAwait(false);
            if (n == 1)
            {
                await AuditAsync(c, tx, now, "enrollee:" + deviceId, "device.rekeyed", "device", "epoch " + epoch + " (" + reason + ")", ct).ConfigureAwait(false);
            }

            return n == 1;
        }, ct);

    public Task<uint> AddCommandAsync(string deviceId, byte[] body, long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            if (await ScalarAsync(c, tx, "SELECT state FROM device_channels WHERE device_id = @d", ct, ("d", deviceId)).ConfigureAwait(false) as string
                != ChannelState.Active)
            {
                return 0u;
            }

            var id = (uint)(ToLong(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(command_id), 0) FROM device_commands WHERE device_id = @d", ct,
                ("d", deviceId)).ConfigureAwait(false)) + 1);
            await ExecAsync(c, tx, "INSERT INTO device_commands (device_id, command_id, body, created_at) VALUES (@d, @i, @b, @n)", ct,
                ("d", deviceId), ("i", (long)id), ("b", body), ("n", now)).ConfigureAwait(false);
            return id;
        }, ct);

    public Task<IReadOnlyList<CommandRow>> ListCommandsAsync(string deviceId, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<CommandRow>>(async c => await QueryAsync(c, null,
            "SELECT command_id, body, created_at, acked_at, ack_status, ack_detail, expired_at FROM device_commands WHERE device_id = @d ORDER BY command_id",
            r => new CommandRow((uint)ToLong(r.GetValue(0)), (byte[])r.GetValue(1), ToLong(r.GetValue(2)), NullableLong(r, 3),
                r.IsDBNull(4) ? null : (int)ToLong(r.GetValue(4)), NullableBytes(r, 5), NullableLong(r, 6)), ct, ("d", deviceId)).ConfigureAwait(false), ct);

    public Task<CommandResend> TakeCommandsToResendAsync(string deviceId, long createdBefore, int limit, long now, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            // Too old to act on now: marked expired (shown by the API), never sent again.
            var expired = await ExecAsync(c, tx,
                "UPDATE device_commands SET expired_at = @n WHERE device_id = @d AND acked_at IS NULL AND expired_at IS NULL AND created_at < @b", ct,
                ("n", now), ("d", deviceId), ("b", createdBefore)).ConfigureAwait(false);
            var newest = await QueryAsync(c, tx,
                "SELECT command_id, body, created_at FROM device_commands WHERE device_id = @d AND acked_at IS NULL AND expired_at IS NULL " +
                "ORDER BY command_id DESC LIMIT @k",
                r => new CommandRow((uint)ToLong(r.GetValue(0)), (byte[])r.GetValue(1), ToLong(r.GetValue(2)), null, null, null),
                ct, ("d", deviceId), ("k", (long)limit)).ConfigureAwait(false);
            newest.Reverse(); // sent in the order the operator gave them
            return new CommandResend(newest, expired);
        }, ct);

    public Task<IReadOnlyList<TelemetryRow>> ListTelemetryAsync(string deviceId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<TelemetryRow>>(async c => await QueryAsync(c, null,
            "SELECT id, at, epoch, counter, payload FROM device_telemetry WHERE device_id = @d ORDER BY id DESC LIMIT @n",
            r => new TelemetryRow(ToLong(r.GetValue(0)), ToLong(r.GetValue(1)), (uint)ToLong(r.GetValue(2)), (ulong)ToLong(r.GetValue(3)), (byte[])r.GetValue(4)),
            ct, ("d", deviceId), ("n", (long)limit)).ConfigureAwait(false), ct);

    public Task<IReadOnlyList<IdentityHistoryRow>> ListIdentityHistoryAsync(string deviceId, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<IdentityHistoryRow>>(async c => await QueryAsync(c, null,
            "SELECT id, at, old_ik, new_ik, request FROM device_identity_history WHERE device_id = @d ORDER BY id",
            r => new IdentityHistoryRow(ToLong(r.GetValue(0)), ToLong(r.GetValue(1)), (byte[])r.GetValue(2), (byte[])r.GetValue(3), (byte[])r.GetValue(4)),
            ct, ("d", deviceId)).ConfigureAwait(false), ct);

    public Task<IReadOnlyList<string>> ListUnprovisionedBrokerClientsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<string>>(async c => await QueryAsync(c, null,
            "SELECT device_id FROM device_channels WHERE broker_password IS NOT NULL AND state = 'active' ORDER BY device_id",
            r => r.GetString(0), ct).ConfigureAwait(false), ct);

    public Task ForgetBrokerPasswordAsync(string deviceId, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx, "UPDATE device_channels SET broker_password = NULL WHERE device_id = @d", ct,
            ("d", deviceId)).ConfigureAwait(false), ct);

    /// <summary>Part of the revocation transaction (SqlEnrollmentStore.Enrollees.cs): the channel stops with the enrollee.</summary>
    private static Task<int> RevokeChannelAsync(DbConnection c, DbTransaction tx, string deviceId, long now, CancellationToken ct) =>
        ExecAsync(c, tx, "UPDATE device_channels SET state = 'revoked', revoked_at = @t, broker_password = NULL, updated_at = @t WHERE device_id = @d", ct,
            ("t", now), ("d", deviceId));
}
