using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence.Commit;

/// <summary>What writing one step did: lost its guard (nothing of it may stay), or wrote its rows (not yet durable).</summary>
internal sealed record StepWritten(bool Conflict, List<TaskCommitNotice>? NewTasks, DateTimeOffset? EarliestTimer)
{
    public static readonly StepWritten Lost = new(true, null, null);
}

/// <summary>
/// Writes one step's rows inside a transaction someone else opened and commits: the instance row (only if its version is
/// still the one the step started from), the resumed bookmark claimed (deleted: exactly one row, or the step loses),
/// bookmark changes, journal lines, incidents and the effects' rows. On <see cref="StepWritten.Conflict"/> the caller
/// must roll back what this step wrote (a savepoint, or the whole transaction).
/// </summary>
internal sealed class StepWriter(IEffectWriter[] writers, bool collectNewTasks)
{
    public async Task<StepWritten> WriteAsync(ReconnectDbContext db, StepCommit commit, CancellationToken cancellationToken)
    {
        var state = commit.State;
        var result = commit.Result;
        var json = StateSerializer.Serialize(state);
        var status = state.Status.ToString();

        // 1. The instance: a new one is inserted (a duplicate id fails at SaveChanges), else the guarded update.
        if (state.Version == 1)
        {
            db.WorkflowInstances.Add(new WorkflowInstanceRecord
            {
                Id = state.Id,
                DefinitionId = state.DefinitionId,
                DefinitionVersion = state.DefinitionVersion,
                DefinitionVersionId = state.DefinitionVersionId,
                CorrelationId = state.CorrelationId,
                Status = status,
                StateJson = json,
                Version = state.Version,
                CreatedAt = state.CreatedAt,
                UpdatedAt = state.UpdatedAt,
                FinishedAt = state.FinishedAt,
            });
        }
        else
        {
            var expected = state.Version - 1;
            var updated = await db.WorkflowInstances
                .Where(i => i.Id == state.Id && i.Version == expected)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.StateJson, json)
                    .SetProperty(i => i.Version, state.Version)
                    .SetProperty(i => i.Status, status)
                    .SetProperty(i => i.CorrelationId, state.CorrelationId)
                    .SetProperty(i => i.UpdatedAt, state.UpdatedAt)
                    .SetProperty(i => i.FinishedAt, state.FinishedAt), cancellationToken);
            if (updated != 1) return StepWritten.Lost;
        }

        // 2. Removed bookmarks; for a resume, the resumed one must still have been there: that row is the claim.
        if (result.BookmarksRemoved.Count > 0)
        {
            var removedIds = result.BookmarksRemoved.Select(b => b.Id).ToList();
            var deleted = await db.Bookmarks.Where(b => removedIds.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
            if (commit.Stimulus is Stimulus.Resume && deleted != removedIds.Count) return StepWritten.Lost;
        }
        // 3. A task whose due date moved keeps its bookmark (same id); its payload carries the new due date.
        foreach (var reschedule in result.Effects.OfType<RescheduleTaskEffect>())
        {
            if (state.Bookmarks.FirstOrDefault(b => b.TaskId == reschedule.TaskId) is not { } changed) continue;
            var payload = changed.Payload?.ToJsonString();
            await db.Bookmarks.Where(b => b.Id == changed.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.PayloadJson, payload), cancellationToken);
        }
        // 4. Added bookmarks and journal lines.
        await MultiRowInsert.BookmarksAsync(db, state.Id, result.BookmarksAdded, cancellationToken);
        await MultiRowInsert.JournalAsync(db, state.Id, result.Trace, cancellationToken);
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
            var completedAt = state.UpdatedAt;
            await db.Tasks.Where(t => t.Id == completedTaskId).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, TaskStatuses.Completed)
                .SetProperty(t => t.Outcome, outcome)
                .SetProperty(t => t.Notes, t => notes ?? t.Notes)
                .SetProperty(t => t.CompletedBy, completedBy)
                .SetProperty(t => t.CompletedAt, completedAt), cancellationToken);
        }
        // 6. Effects, each through the first writer that knows it.
        foreach (var effect in result.Effects)
        {
            var handled = false;
            foreach (var writer in writers)
                if (await writer.WriteAsync(db, state, effect, cancellationToken)) { handled = true; break; }
            if (!handled) throw new InvalidOperationException($"No writer for effect {effect.GetType().Name}.");
        }

        // Read before SaveChanges (which resets the entries' states): the tasks this step adds, with their final assignee.
        var newTasks = collectNewTasks ? NewTasks(db) : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (state.Version == 1)
        {
            // Two starts racing on the same id: the second loses.
            return StepWritten.Lost;
        }
        DateTimeOffset? earliest = null;
        foreach (var b in result.BookmarksAdded)
            if (b.DueAt is { } due && (earliest is null || due < earliest)) earliest = due;
        return new StepWritten(false, newTasks, earliest);
    }

    private static List<TaskCommitNotice>? NewTasks(ReconnectDbContext db)
    {
        List<TaskCommitNotice>? list = null;
        foreach (var entry in db.ChangeTracker.Entries<WorkflowTaskRecord>())
            if (entry.State == EntityState.Added) (list ??= []).Add(TaskCommitNotice.From(entry.Entity));
        return list;
    }
}
