using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence.Commit;

/// <summary>What writing one step did: lost its guard (nothing of it may stay), or wrote its rows (not yet durable).</summary>
internal sealed record StepWritten(bool Conflict, List<TaskCommitNotice>? NewTasks)
{
    public static readonly StepWritten Lost = new(true, null);
}

/// <summary>
/// A step's commit with the work that needs no database done beforehand, on the caller's thread (so callers do it in
/// parallel while the single writer writes): the state JSON, and the bookmark and journal rows as values.
/// </summary>
internal sealed class PreparedStep
{
    public PreparedStep(StepCommit commit)
    {
        Commit = commit;
        var state = commit.State;
        StateJson = StateSerializer.Serialize(state);
        Status = state.Status.ToString();
        var added = commit.Result.BookmarksAdded;
        BookmarkRows = new object?[added.Count][];
        for (var i = 0; i < added.Count; i++)
        {
            var b = added[i];
            BookmarkRows[i] = [b.Id, state.Id, b.ActivityId, b.ActivityType, b.Name, b.Hash, b.CorrelationId, b.DueAt, b.CreatedAt, b.Payload?.ToJsonString()];
            if (b.DueAt is { } due && (EarliestTimer is null || due < EarliestTimer)) EarliestTimer = due;
        }
        var trace = commit.Result.Trace;
        JournalRows = new object?[trace.Count][];
        for (var i = 0; i < trace.Count; i++)
        {
            var t = trace[i];
            JournalRows[i] = [state.Id, t.At, t.Kind, t.ActivityId, t.ActivityType, t.Detail?.ToJsonString()];
        }
    }

    public StepCommit Commit { get; }
    public string StateJson { get; }
    public string Status { get; }
    public object?[][] BookmarkRows { get; }
    public object?[][] JournalRows { get; }
    /// <summary>The earliest due instant among the timers the step adds (null: none).</summary>
    public DateTimeOffset? EarliestTimer { get; }
}

/// <summary>
/// Writes one step's rows inside a transaction someone else opened and commits: the instance row (only if its version is
/// still the one the step started from), the resumed bookmark claimed (deleted: exactly one row, or the step loses),
/// removed and re-timed bookmarks, incidents, the completed task and the effects' rows. On
/// <see cref="StepWritten.Conflict"/> the caller must roll back what this step wrote (a savepoint, or the whole
/// transaction). The added bookmarks and journal lines (<see cref="PreparedStep.BookmarkRows"/>,
/// <see cref="PreparedStep.JournalRows"/>) are left to the caller, who inserts those of every kept step of a batch at once.
/// </summary>
internal sealed class StepWriter(IEffectWriter[] writers, bool collectNewTasks)
{
    public async Task<StepWritten> WriteAsync(ReconnectDbContext db, PreparedStep prepared, CancellationToken cancellationToken)
    {
        var commit = prepared.Commit;
        var state = commit.State;
        var result = commit.Result;
        var json = prepared.StateJson;
        var status = prepared.Status;

        // 1. The instance: a new one is inserted (a duplicate id loses), else the guarded update. Plain commands: every step
        // runs these, and the writer is the bottleneck (StepCommands).
        if (state.Version == 1)
        {
            if (!await StepCommands.TryInsertInstanceAsync(db, state, json, status, cancellationToken)) return StepWritten.Lost;
        }
        else if (await StepCommands.UpdateInstanceAsync(db, state, json, status, state.Version - 1, cancellationToken) != 1)
        {
            return StepWritten.Lost;
        }

        // 2. Removed bookmarks; for a resume, the resumed one must still have been there: that row is the claim.
        if (result.BookmarksRemoved.Count > 0)
        {
            var removedIds = result.BookmarksRemoved.Select(b => b.Id).ToList();
            var deleted = await StepCommands.DeleteBookmarksAsync(db, removedIds, cancellationToken);
            if (commit.Stimulus is Stimulus.Resume && deleted != removedIds.Count) return StepWritten.Lost;
        }
        // 3. A task whose due date moved keeps its bookmark (same id); its payload carries the new due date.
        foreach (var reschedule in result.Effects.OfType<RescheduleTaskEffect>())
        {
            if (state.Bookmarks.FirstOrDefault(b => b.TaskId == reschedule.TaskId) is not { } changed) continue;
            await StepCommands.SetBookmarkPayloadAsync(db, changed.Id, changed.Payload?.ToJsonString(), cancellationToken);
        }
        // 4. Incidents (the added bookmarks and journal lines go in with the batch's).
        foreach (var incident in result.Incidents)
        {
            db.Incidents.Add(new IncidentRecord
            {
                InstanceId = state.Id, At = incident.At, ActivityId = incident.ActivityId, ActivityType = incident.ActivityType,
                Message = incident.Message.Length > 2000 ? incident.Message[..2000] : incident.Message, ExceptionType = incident.ExceptionType,
            });
        }
        // 5. The completed task's row.
        if (commit.Stimulus is Stimulus.Resume resume && result.BookmarksRemoved.FirstOrDefault(b => b.Id == resume.BookmarkId)?.TaskId is { } completedTaskId)
        {
            var input = resume.Input as JsonObject;
            var outcome = input is null ? null : Engine.Activities.ValueConverter.ToText(input["outcome"]);
            var notes = input is null ? null : Engine.Activities.ValueConverter.ToText(input["notes"]);
            var completedBy = input is null ? null : Engine.Activities.ValueConverter.ToText(input["completedBy"]);
            await StepCommands.CompleteTaskAsync(db, completedTaskId, outcome, notes, completedBy, state.UpdatedAt, cancellationToken);
        }
        // 6. Effects: every writer observes each one, then its one writer writes it (the order of registration does not matter).
        foreach (var effect in result.Effects)
        {
            IEffectWriter? owner = null;
            foreach (var writer in writers)
            {
                await writer.ObserveAsync(db, state, effect, cancellationToken);
                if (!writer.Handles(effect)) continue;
                if (owner is not null)
                    throw new InvalidOperationException($"Two writers for effect {effect.GetType().Name}: {owner.GetType().Name} and {writer.GetType().Name}.");
                owner = writer;
            }
            await (owner ?? throw new InvalidOperationException($"No writer for effect {effect.GetType().Name}.")).WriteAsync(db, state, effect, cancellationToken);
        }

        // Read before SaveChanges (which resets the entries' states): the tasks this step adds, with their final assignee.
        var newTasks = collectNewTasks ? NewTasks(db) : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (state.Version == 1)
        {
            // A new instance's rows that clash with another start's (a referral's open prison number): the second loses.
            return StepWritten.Lost;
        }
        return new StepWritten(false, newTasks);
    }

    private static List<TaskCommitNotice>? NewTasks(ReconnectDbContext db)
    {
        List<TaskCommitNotice>? list = null;
        foreach (var entry in db.ChangeTracker.Entries<WorkflowTaskRecord>())
            if (entry.State == EntityState.Added) (list ??= []).Add(TaskCommitNotice.From(entry.Entity));
        return list;
    }
}
