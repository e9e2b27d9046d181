using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Persistence.Commit;

/// <summary>How commits are grouped. <see cref="MaxBatchSize"/> 1 gives one transaction (and one flush) per step.</summary>
public sealed record GroupCommitSettings(int MaxBatchSize = 64)
{
    public static readonly GroupCommitSettings Default = new();
}

/// <summary>
/// Group commit: concurrent steps on this node share one transaction and one flush (one fsync on SQLite at
/// synchronous=FULL, one WAL flush on PostgreSQL). Each caller's step waits in a queue; one writer at a time takes
/// everything queued (up to <see cref="GroupCommitSettings.MaxBatchSize"/>) and applies it in one transaction, each
/// step inside its own savepoint: a step whose guard fails (version, claim, duplicate start) or whose writing throws
/// is rolled back to its savepoint alone and answered so (the runtime reloads and retries as before). After COMMIT
/// returns, every caller of the batch is answered — no caller hears "committed" before the flush that made its step
/// durable. A lone step is written without a savepoint, as before, so a single caller pays nothing extra.
/// <para>
/// There is no timer and no waiting for company: the writer takes what is already queued. While it flushes, new steps
/// queue and become the next batch, so batches grow with load and a single caller's latency is unchanged.
/// </para>
/// </summary>
internal sealed class CommitQueue(
    IDbContextFactory<ReconnectDbContext> contexts,
    StepWriter stepWriter,
    GroupCommitSettings settings,
    ITaskCommitListener[] taskListeners,
    ITimerCommitListener[] timerListeners,
    ILogger? logger)
{
    private const string Savepoint = "step";
    private static readonly Meter Meter = new("Reconnect.Workflows");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "reconnect.commit.batch.size", "{step}", "Steps committed by one transaction (group commit)");
    private static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>(
        "reconnect.commit.flush.duration", "s", "Time one batch held the writer: BEGIN, every step's statements, COMMIT (the flush)");

    private readonly object _gate = new();
    private readonly Queue<Pending> _queue = new();
    private bool _writing;

    /// <summary>Tests only: runs after a batch's COMMIT and before its callers are answered (a throw = a crash in between).</summary>
    internal Func<IReadOnlyList<StepCommit>, Task>? AfterFlush { get; set; }

    /// <summary>Tests only: steps waiting for a writer.</summary>
    internal int Queued { get { lock (_gate) return _queue.Count; } }

    public async Task<CommitOutcome> CommitAsync(StepCommit commit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // What needs no database (the state JSON, the rows as values) is done here, in parallel with other callers.
        var pending = new Pending(new PreparedStep(commit), cancellationToken);
        bool lead;
        lock (_gate)
        {
            _queue.Enqueue(pending);
            lead = !_writing;
            _writing = true;
        }
        if (lead)
        {
            // The caller that finds no writer flushes one batch itself (no thread hop for a lone caller), then hands
            // whatever queued meanwhile to a writer on the thread pool and goes back to its own caller.
            if (TakeBatch() is { } batch) await FlushAsync(batch);
            if (HasMore()) _ = Task.Run(WriteLoopAsync, CancellationToken.None);
        }
        return await pending.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        while (TakeBatch() is { } batch) await FlushAsync(batch);
    }

    /// <summary>Everything queued (up to the maximum), or null — and then the writer role is given up.</summary>
    private List<Pending>? TakeBatch()
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                _writing = false;
                return null;
            }
            var batch = new List<Pending>(Math.Min(_queue.Count, settings.MaxBatchSize));
            while (batch.Count < settings.MaxBatchSize && _queue.TryDequeue(out var next)) batch.Add(next);
            return batch;
        }
    }

    /// <summary>True when more steps queued and the caller keeps the writer role for them; false when it gave it up.</summary>
    private bool HasMore()
    {
        lock (_gate)
        {
            if (_queue.Count > 0) return true;
            _writing = false;
            return false;
        }
    }

    /// <summary>Never throws: every pending step of the batch is answered, with its outcome or with the failure.</summary>
    private async Task FlushAsync(List<Pending> batch)
    {
        try
        {
            await FlushCoreAsync(batch);
        }
#pragma warning disable CA1031 // a writer that threw would leave the queue without a writer: answer the batch instead
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var p in batch) p.Completion.TrySetException(ex);
        }
    }

    private async Task FlushCoreAsync(List<Pending> batch)
    {
        var live = new List<Pending>(batch.Count);
        foreach (var p in batch)
            if (p.CancellationToken.IsCancellationRequested) p.Completion.TrySetCanceled(p.CancellationToken);
            else live.Add(p);
        if (live.Count == 0) return;
        var again = await TryFlushAsync(live);
        // null: the batch's shared statements failed (the bookmarks' or journal's multi-row INSERT) and nothing of it
        // committed; else the steps that lost a deadlock to another node's transaction (their savepoint was rolled back,
        // the rest committed). Either way each goes again in a transaction of its own, which holds one step's locks only.
        foreach (var p in again ?? live) await TryFlushAsync([p]);
    }

    /// <summary>
    /// A step that lost a lock-order race with another transaction (PostgreSQL deadlock or serialization failure, SQL
    /// Server deadlock victim): two batches on two nodes can take the same rows (a site's reference counter) in opposite
    /// orders. The step is not wrong, so it is retried alone rather than answered with the error.
    /// </summary>
    internal static bool IsLockRace(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException { SqlState: "40P01" or "40001" }) return true;
            if (e.GetType().Name == "SqlException" && e.Message.Contains("deadlock", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>
    /// One transaction for the steps given. Null (and nothing answered, nothing committed) when a statement shared by
    /// several steps failed; otherwise every step is answered but those of a batch that lost a lock race
    /// (<see cref="IsLockRace"/>), which are returned to be tried again alone.
    /// </summary>
    private async Task<List<Pending>?> TryFlushAsync(List<Pending> live)
    {
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        var written = new StepWritten?[live.Count];
        var failed = new Exception?[live.Count];
        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            db.Database.AutoSavepointsEnabled = false; // the savepoints are ours, one per step
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var grouped = live.Count > 1;
            var anyWritten = false;
            for (var i = 0; i < live.Count; i++)
            {
                if (grouped) await tx.CreateSavepointAsync(Savepoint, CancellationToken.None);
                try
                {
                    written[i] = await stepWriter.WriteAsync(db, live[i].Step, CancellationToken.None);
                }
#pragma warning disable CA1031 // one step's failure is that step's answer; the batch goes on without it
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (!grouped) throw;
                    failed[i] = ex;
                }
                finally
                {
                    db.ChangeTracker.Clear();
                }
                var kept = failed[i] is null && written[i] is { Conflict: false };
                anyWritten |= kept;
                if (grouped)
                {
                    if (!kept) await RollBackStepAsync(tx);
                    else await tx.ReleaseSavepointAsync(Savepoint, CancellationToken.None);
                }
            }
            if (anyWritten)
            {
                // The added bookmarks and journal lines of every kept step: one multi-row INSERT per table for the batch.
                var bookmarks = new List<object?[]>();
                var journal = new List<object?[]>();
                for (var i = 0; i < live.Count; i++)
                {
                    if (failed[i] is not null || written[i] is not { Conflict: false }) continue;
                    bookmarks.AddRange(live[i].Step.BookmarkRows);
                    journal.AddRange(live[i].Step.JournalRows);
                }
                try
                {
                    await MultiRowInsert.BookmarksAsync(db, bookmarks, CancellationToken.None);
                    await MultiRowInsert.JournalAsync(db, journal, CancellationToken.None);
                }
#pragma warning disable CA1031 // retried step by step by the caller
                catch (Exception ex) when (grouped)
#pragma warning restore CA1031
                {
                    logger?.LogWarning(ex, "A batch of {Steps} steps failed on its shared inserts; each step is retried alone", live.Count);
                    return null;
                }
                await tx.CommitAsync(CancellationToken.None);
                BatchSize.Record(live.Count);
            }
            else await tx.RollbackAsync(CancellationToken.None);
            FlushDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalSeconds);
            if (AfterFlush is { } afterFlush) await afterFlush([.. live.Select(p => p.Step.Commit)]);
        }
#pragma warning disable CA1031 // handed to every caller still waiting
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The transaction did not commit (or, in a test, the "process" died before answering): no caller is told
            // its step committed.
            for (var i = 0; i < live.Count; i++) live[i].Completion.TrySetException(failed[i] ?? ex);
            return [];
        }

        DateTimeOffset? earliestTimer = null;
        List<TaskCommitNotice>? newTasks = null;
        var retry = new List<Pending>();
        for (var i = 0; i < live.Count; i++)
        {
            if (failed[i] is { } stepFailure)
            {
                if (live.Count > 1 && IsLockRace(stepFailure))
                {
                    logger?.LogInformation("A step lost a lock race with another transaction; it is retried alone");
                    retry.Add(live[i]);
                }
                else live[i].Completion.TrySetException(stepFailure);
                continue;
            }
            var w = written[i]!;
            if (!w.Conflict)
            {
                if (w.NewTasks is { Count: > 0 }) (newTasks ??= []).AddRange(w.NewTasks);
                if (live[i].Step.EarliestTimer is { } due && (earliestTimer is null || due < earliestTimer)) earliestTimer = due;
            }
        }
        // Listeners first (after the commit only), then the callers, as a lone commit always did.
        if (newTasks is not null) Notify(taskListeners, l => l.TasksCommitted(newTasks));
        if (earliestTimer is { } earliest) Notify(timerListeners, l => l.TimersCommitted(earliest));
        for (var i = 0; i < live.Count; i++)
            if (failed[i] is null) live[i].Completion.TrySetResult(written[i]!.Conflict ? CommitOutcome.Conflict : CommitOutcome.Committed);
        return retry;
    }

    /// <summary>Undo one step: back to its savepoint, and drop the savepoint (a rolled-back savepoint stays on the stack).</summary>
    private static async Task RollBackStepAsync(IDbContextTransaction tx)
    {
        await tx.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
        await tx.ReleaseSavepointAsync(Savepoint, CancellationToken.None);
    }

    /// <summary>After the commit only. A listener's failure cannot undo a committed step, so it is not the caller's either.</summary>
    private void Notify<TListener>(TListener[] listeners, Action<TListener> tell)
    {
        foreach (var listener in listeners)
        {
            try
            {
                tell(listener);
            }
#pragma warning disable CA1031 // a notification is best-effort; the step it reports has committed
            catch (Exception ex)
            {
                logger?.LogWarning(ex, "Commit listener {Listener} failed; the step had committed and stands", listener!.GetType().Name);
            }
#pragma warning restore CA1031
        }
    }

    private sealed class Pending(PreparedStep step, CancellationToken cancellationToken)
    {
        public PreparedStep Step { get; } = step;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<CommitOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
