using Enrollment.Service.Domain;

namespace Enrollment.Service.Storage;

internal sealed partial class SqlEnrollmentStore
{
    public Task<SeenEphemeralKey?> FindSeenEphemeralKeyAsync(byte[] ephemeralKey, CancellationToken ct) =>
        ReadAsync(async c =>
        {
            var rows = await QueryAsync(c, null, "SELECT message_hash, result FROM seen_ephemeral_keys WHERE ek_b = @k",
                r => new SeenEphemeralKey((byte[])r.GetValue(0), (byte[])r.GetValue(1)), ct, ("k", ephemeralKey)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, ct);

    /// <summary>
    /// The success transaction of issue 4 item 5: consume the OPK (delete its private key), record EK_B with
    /// the result bytes (a QoS 1 duplicate gets the same answer), move the enrollee to enrolled with IK_B and
    /// drop EIK_B, and write the audit row. Each step is conditional on the state the checks saw, so a race
    /// (duplicate, revocation, expiry) rolls the whole transaction back.
    /// </summary>
    public async Task<CompleteOutcome> CompleteEnrollmentAsync(CompletedEnrollment done, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(async (c, tx) =>
            {
                var seen = await ScalarAsync(c, tx, "SELECT 1 FROM seen_ephemeral_keys WHERE ek_b = @k", ct, ("k", done.EphemeralKey)).ConfigureAwait(false);
                if (seen is not null)
                {
                    return CompleteOutcome.AlreadySeen;
                }

                var opk = await ExecAsync(c, tx,
                    "UPDATE one_time_prekeys SET state = 'used', private_key = NULL, changed_at = @t WHERE opk_id = @o AND state = 'reserved'", ct,
                    ("t", done.At), ("o", (long)done.OpkId)).ConfigureAwait(false);
                var enrollee = opk != 1 ? 0 : await ExecAsync(c, tx,
                    "UPDATE enrollees SET state = 'enrolled', ik_b = @ik, eik_public = NULL, enrolled_at = @t " +
                    "WHERE id = @i AND state = 'pending' AND opk_id = @o AND expires_at > @t", ct,
                    ("ik", done.IkB), ("t", done.At), ("i", done.EnrolleeId), ("o", (long)done.OpkId)).ConfigureAwait(false);
                if (enrollee != 1)
                {
                    throw new StateChangedException();
                }

                await ExecAsync(c, tx, "INSERT INTO seen_ephemeral_keys (ek_b, enrollee_id, message_hash, result, created_at) VALUES (@k, @i, @m, @r, @t)", ct,
                    ("k", done.EphemeralKey), ("i", done.EnrolleeId), ("m", done.MessageHash), ("r", done.ResultMessage), ("t", done.At)).ConfigureAwait(false);
                await AuditAsync(c, tx, done.At, "enrollee:" + done.EnrolleeId, "enrollee.enrolled", "mqtt-ingress",
                    "opk " + done.OpkId + " consumed", ct).ConfigureAwait(false);
                return CompleteOutcome.Committed;
            }, ct).ConfigureAwait(false);
        }
        catch (StateChangedException)
        {
            return CompleteOutcome.StateChanged;
        }
        catch (System.Data.Common.DbException)
        {
            // A concurrent duplicate inserted EK_B first (unique violation): same answer as that one.
            if (await FindSeenEphemeralKeyAsync(done.EphemeralKey, ct).ConfigureAwait(false) is not null)
            {
                return CompleteOutcome.AlreadySeen;
            }

            throw;
        }
    }

    /// <summary>Thrown inside the transaction to roll it back; never escapes the store.</summary>
    private sealed class StateChangedException : Exception;
}
