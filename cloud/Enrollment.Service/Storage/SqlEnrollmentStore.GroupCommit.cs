using System.Data.Common;
using System.Threading.Channels;

namespace Enrollment.Service.Storage;

/// <summary>
/// Group commit: one writer takes whatever writes are queued (up to <see cref="MaxCommitBatch"/>) and runs
/// them in one database transaction, each in its own savepoint, so one commit (one fsync with SQLite's
/// synchronous=FULL) serves the whole group while each write keeps its own outcome: a write that lost a
/// race, or that failed, is rolled back alone. Callers complete only after the commit is durable.
/// Enrollments (the ingress) and enrollee registrations (the enroller API) share the writer: under load,
/// eight enrollers registering at once cost about one commit rather than eight in a row.
/// </summary>
internal sealed partial class SqlEnrollmentStore
{
    private const int MaxCommitBatch = 64;
    private readonly Channel<GroupWrite> _commits = Channel.CreateUnbounded<GroupWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _committer;
    private readonly TimeSpan _commitLinger;

    /// <summary>
    /// Queues <paramref name="body"/> for the next group transaction; its changes are kept when
    /// <paramref name="keep"/> says so and rolled back to its savepoint otherwise. <paramref name="committed"/>, if
    /// given, runs on the writer for a kept write once the group is durable, before the next group starts and
    /// before the caller resumes.
    /// </summary>
    private Task<T> GroupWriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, Func<T, bool> keep, CancellationToken ct,
        Action<T>? committed = null)
    {
        _ = _committer.Value;
        var write = new GroupWrite<T>(body, keep, committed);
        if (!_commits.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqlEnrollmentStore));
        }

        // A cancelled caller stops waiting; its write still commits or not with its group (as if the answer were lost).
        return write.Done.Task.WaitAsync(ct);
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<GroupWrite>(MaxCommitBatch);
        while (await _commits.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxCommitBatch && _commits.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            // Under load (more than one write already waiting) the group waits a little for more: one commit,
            // one fsync and the B-tree pages the group shares then serve more writes. A lone write never waits.
            if (_commitLinger > TimeSpan.Zero && batch.Count > 1 && batch.Count < MaxCommitBatch)
            {
                await Task.Delay(_commitLinger).ConfigureAwait(false);
                while (batch.Count < MaxCommitBatch && _commits.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }
            }

            _groupEphemeralKeys.Clear();
            try
            {
                await WriteAsync(async (c, tx) =>
                {
                    foreach (var write in batch)
                    {
                        await ExecAsync(c, tx, "SAVEPOINT grouped", CancellationToken.None).ConfigureAwait(false);
                        bool kept;
                        try
                        {
                            kept = await write.RunAsync(c, tx).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is DbException or InvalidOperationException or InvalidCastException)
                        {
                            // This write alone fails (e.g. a constraint); the others of the group go on.
                            write.Failed = e;
                            kept = false;
                        }

                        if (!kept)
                        {
                            await ExecAsync(c, tx, "ROLLBACK TO SAVEPOINT grouped", CancellationToken.None).ConfigureAwait(false);
                        }

                        await ExecAsync(c, tx, "RELEASE SAVEPOINT grouped", CancellationToken.None).ConfigureAwait(false);
                    }

                    return 0;
                }, CancellationToken.None).ConfigureAwait(false);
                foreach (var write in batch)
                {
                    write.Complete();
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
            {
                // Nothing of this group is committed: every caller sees the failure (an enrollment message stays
                // unacknowledged for redelivery; an enroller's request fails and may be retried).
                foreach (var write in batch)
                {
                    write.Fail(e);
                }
            }
        }
    }

    private abstract class GroupWrite
    {
        public Exception? Failed { get; set; }

        /// <summary>Runs the write inside the group's transaction; true to keep its changes.</summary>
        public abstract Task<bool> RunAsync(DbConnection c, DbTransaction tx);

        /// <summary>After the commit: hands the caller its result (or the failure of its own savepoint).</summary>
        public abstract void Complete();

        public abstract void Fail(Exception e);
    }

    private sealed class GroupWrite<T>(Func<DbConnection, DbTransaction, Task<T>> body, Func<T, bool> keep, Action<T>? committed) : GroupWrite
    {
        private T? _result;

        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<bool> RunAsync(DbConnection c, DbTransaction tx)
        {
            _result = await body(c, tx).ConfigureAwait(false);
            return keep(_result);
        }

        public override void Complete()
        {
            if (Failed is { } e)
            {
                Done.TrySetException(e);
            }
            else
            {
                if (keep(_result!))
                {
                    committed?.Invoke(_result!);
                }

                Done.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception e) => Done.TrySetException(e);
    }
}
