using System.Security.Cryptography;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Enrollment.Service.Tests;

/// <summary>
/// Migration 4: EK_B is no key of the database, so "EK_B seen before" at the commit is the writer's check against
/// the in-memory index and its own running group; the accepted message's record is keyed by its enrollee.
/// </summary>
public sealed class EphemeralKeyRecordTests
{
    /// <summary>Two pending enrollees, one EK_B for both, and the service's time.</summary>
    private static async Task<(EnrolleeRow First, EnrolleeRow Second, byte[] EphemeralKey, long At)> TwoPendingAsync(TestService service)
    {
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        await enroller.ApproveAsync(new TestEnrollee());
        await enroller.ApproveAsync(new TestEnrollee());
        var pending = await service.Store.ListEnrolleesAsync(null, EnrolleeState.Pending, CancellationToken.None);
        Assert.Equal(2, pending.Count);
        return (pending[0], pending[1], RandomNumberGenerator.GetBytes(32), service.Time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    private static CompletedEnrollment Completed(EnrolleeRow e, byte[] ephemeralKey, long at) =>
        new(e.Id, e.EikHash, e.OpkId, ephemeralKey, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32),
            RandomNumberGenerator.GetBytes(60), at);

    [Fact]
    public async Task An_ephemeral_key_accepted_for_one_enrollee_is_refused_for_another_at_the_commit()
    {
        await using var service = await TestService.StartAsync();
        var (first, second, ek, at) = await TwoPendingAsync(service);

        Assert.Equal(CompleteOutcome.Committed, await service.Store.CompleteEnrollmentAsync(Completed(first, ek, at), CancellationToken.None));
        var before = await service.Store.SnapshotAsync(CancellationToken.None);
        Assert.Equal(CompleteOutcome.AlreadySeen, await service.Store.CompleteEnrollmentAsync(Completed(second, ek, at), CancellationToken.None));
        Assert.Equal(before, await service.Store.SnapshotAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Two_enrollees_under_one_ephemeral_key_in_one_group_enroll_only_the_first()
    {
        await using var service = await TestService.StartAsync();
        var (first, second, ek, at) = await TwoPendingAsync(service);

        // Queued back to back, the writer takes both into one group transaction: the second must see the first's
        // EK_B although neither is committed (nor in the index) yet.
        var outcomes = await Task.WhenAll(
            service.Store.CompleteEnrollmentAsync(Completed(first, ek, at), CancellationToken.None),
            service.Store.CompleteEnrollmentAsync(Completed(second, ek, at), CancellationToken.None));
        Assert.Equal([CompleteOutcome.Committed, CompleteOutcome.AlreadySeen], outcomes);
        var pending = await service.Store.ListEnrolleesAsync(null, EnrolleeState.Pending, CancellationToken.None);
        Assert.Equal([second.Id], pending.Select(p => p.Id));
    }

    [Fact]
    public async Task Accepted_messages_recorded_before_migration_4_still_get_their_answer_and_still_block_replays()
    {
        await using var service = await TestService.StartAsync();
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        byte[] answer;
        await using (var device = await DeviceLink.ConnectAsync(service, enrollee.IdText))
        {
            await device.PublishAsync(attempt.Message);
            answer = await device.NextAnswerAsync();
        }

        // Put the database back in its schema 3 shape (EK_B the key, the partial unique index), as a service
        // upgraded from an earlier release finds it; the next start runs migration 4 on these rows.
        await service.StopAsync();
        await using (var db = new SqliteConnection("Data Source=" + Path.Combine(service.DataDirectory, "enrollment.db") + ";Pooling=False"))
        {
            await db.OpenAsync();
            await using var downgrade = db.CreateCommand();
            downgrade.CommandText = """
                CREATE TABLE seen_v3 (ek_b BLOB PRIMARY KEY, enrollee_id TEXT NOT NULL, message_hash BLOB NOT NULL, result BLOB NOT NULL, created_at BIGINT NOT NULL);
                INSERT INTO seen_v3 SELECT ek_b, enrollee_id, message_hash, result, created_at FROM seen_ephemeral_keys;
                DROP TABLE seen_ephemeral_keys;
                ALTER TABLE seen_v3 RENAME TO seen_ephemeral_keys;
                CREATE UNIQUE INDEX ux_enrollees_pending_eik ON enrollees(eik_hash) WHERE state = 'pending';
                DELETE FROM schema_version WHERE version >= 4;
                """;
            await downgrade.ExecuteNonQueryAsync();
        }

        await service.StartAgainAsync();
        using var metrics = new MetricsProbe(service);
        await using (var db = new SqliteConnection("Data Source=" + Path.Combine(service.DataDirectory, "enrollment.db") + ";Mode=ReadOnly;Pooling=False"))
        {
            await db.OpenAsync();
            await using var schema = db.CreateCommand();
            schema.CommandText = "SELECT group_concat(name, ' ') FROM sqlite_master WHERE name IN ('ux_enrollees_pending_eik', 'seen_ephemeral_keys_v4')";
            Assert.Equal(DBNull.Value, await schema.ExecuteScalarAsync());
            schema.CommandText = "SELECT enrollee_id FROM seen_ephemeral_keys";
            Assert.Equal(recordId, await schema.ExecuteScalarAsync());
        }

        await using (var device = await DeviceLink.ConnectAsync(service, enrollee.IdText))
        {
            // A QoS 1 redelivery of the accepted message: the same stored answer, found through the enrollee.
            await device.PublishAsync(attempt.Message);
            Assert.Equal(answer, await device.NextAnswerAsync());
            // A new message under the accepted EK_B: the index, loaded from the migrated table, knows it.
            var replay = (byte[])attempt.Message.Clone();
            replay[^1] ^= 0x01;
            await device.PublishAsync(replay);
            await metrics.WaitForAsync("enrollment.rejected:replayed", 1);
            // The redelivery takes the slower path (its stored answer is read from the database) and may be counted
            // after the replay, which the index settles at once; the answer above may also be the broker's retained
            // copy of the result (docs/protocol.md section 14), so the count is what proves the redelivery answered.
            await metrics.WaitForAsync("enrollment.duplicates", 1);
        }

        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out _));
        Assert.Equal(1, metrics.Count("enrollment.duplicates"));
        Assert.Empty(service.Errors);
    }
}
