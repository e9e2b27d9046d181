using System.Text.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// Turns a step's effects into rows inside the step's transaction. The core effects are handled here; a module with its
/// own effects (the referral domain's stage changes, say) registers another writer. Each effect has exactly one writer
/// (<see cref="Handles"/>; none or two is an error at the commit), so the order of registration does not matter.
/// </summary>
public interface IEffectWriter
{
    /// <summary>True when this writer is the one that writes the effect.</summary>
    bool Handles(WorkflowEffect effect);

    Task WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken);

    /// <summary>
    /// Every writer sees every effect before its writer writes it, in the same transaction: for rows of its own that an
    /// effect it does not write should leave (a referral's history line when a task is cancelled).
    /// </summary>
    Task ObserveAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The one place a task row is built from a <see cref="CreateTaskEffect"/>: who gets it is the writer's choice.</summary>
public static class TaskRows
{
    public static WorkflowTaskRecord New(CreateTaskEffect create, WorkflowState state, string? site, string? assignee, string? assigneeRole, string? subjectId) => new()
    {
        Id = create.TaskId,
        InstanceId = state.Id,
        BookmarkId = create.BookmarkId,
        ActivityId = create.ActivityId,
        ActivityType = create.ActivityType,
        Title = create.Title.Length <= 300 ? create.Title : create.Title[..300],
        Description = create.Description,
        OutcomesJson = JsonSerializer.Serialize(create.Outcomes),
        DueAt = create.DueAt,
        EscalateAt = EscalateAt(create.DueAt, create.Data?["escalateAfter"]),
        Status = TaskStatuses.Open,
        Site = site,
        Assignee = assignee,
        AssigneeRole = assigneeRole,
        SubjectId = subjectId,
        CreatedAt = state.UpdatedAt,
        DataJson = create.Data?.ToJsonString(),
    };

    /// <summary>Escalation after the due time when a task does not say (ISO 8601 <c>P2D</c>).</summary>
    public static readonly TimeSpan DefaultEscalateAfter = TimeSpan.FromDays(2);

    /// <summary>
    /// When an open task is escalated: its due time plus its <c>escalateAfter</c> (the task data's, else two days);
    /// none without a due time.
    /// </summary>
    public static DateTimeOffset? EscalateAt(DateTimeOffset? due, JsonNode? escalateAfter)
    {
        if (due is null) return null;
        var after = ValueConverter.TryParseDuration(ValueConverter.ToText(escalateAfter), out var span) && span >= TimeSpan.Zero ? span : DefaultEscalateAfter;
        return due.Value + after;
    }

    /// <summary>The same from a task row's stored data (a due time that moved keeps its task's <c>escalateAfter</c>).</summary>
    public static DateTimeOffset? EscalateAt(DateTimeOffset? due, string? dataJson)
    {
        JsonNode? after = null;
        if (dataJson is not null)
        {
            try
            {
                after = (JsonNode.Parse(dataJson) as JsonObject)?["escalateAfter"];
            }
            catch (System.Text.Json.JsonException)
            {
                after = null;
            }
        }
        return EscalateAt(due, after);
    }
}

/// <summary>Tasks and the outbox.</summary>
public sealed class CoreEffectWriter : IEffectWriter
{
    /// <summary>Tasks without an assignment rule (a module's writer takes those), cancels, reschedules and the outbox.</summary>
    public bool Handles(WorkflowEffect effect) =>
        effect is CreateTaskEffect { Assignment: null } or CancelTaskEffect or RescheduleTaskEffect or PublishEventEffect
            or Engine.Migration.MigrateTaskEffect;

    public async Task WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken)
    {
        switch (effect)
        {
            case CreateTaskEffect create:
                db.Tasks.Add(TaskRows.New(create, state, ValueConverter.ToText(create.Data?["site"]), ValueConverter.ToText(create.Data?["assignee"]),
                    assigneeRole: null, ValueConverter.ToText(create.Data?["subjectId"]) ?? state.CorrelationId));
                return;
            case CancelTaskEffect cancel:
                var task = await db.Tasks.FindAsync([cancel.TaskId], cancellationToken);
                if (task is not null && task.Status is TaskStatuses.Open or TaskStatuses.Claimed)
                {
                    task.Status = TaskStatuses.Cancelled;
                    task.Notes ??= cancel.Reason;
                }
                return;
            case RescheduleTaskEffect reschedule:
                var moved = await db.Tasks.FindAsync([reschedule.TaskId], cancellationToken);
                if (moved is not null)
                {
                    moved.DueAt = reschedule.DueAt;
                    moved.EscalateAt = TaskRows.EscalateAt(reschedule.DueAt, moved.DataJson);
                }
                return;
            case Engine.Migration.MigrateTaskEffect migrate:
                // The same row (id, assignee, claim kept); the new version's activity, title, outcomes and due date.
                var open = await db.Tasks.FindAsync([migrate.TaskId], cancellationToken);
                if (open is not null && open.Status is TaskStatuses.Open or TaskStatuses.Claimed)
                {
                    open.ActivityId = migrate.ActivityId;
                    open.ActivityType = migrate.ActivityType;
                    open.Title = migrate.Title.Length <= 300 ? migrate.Title : migrate.Title[..300];
                    open.OutcomesJson = JsonSerializer.Serialize(migrate.Outcomes);
                    open.DueAt = migrate.DueAt;
                }
                return;
            case PublishEventEffect publish:
                db.Outbox.Add(new OutboxMessageRecord
                {
                    EventName = publish.EventName,
                    CorrelationId = publish.CorrelationId,
                    PayloadJson = publish.Payload?.ToJsonString(),
                    CreatedAt = state.UpdatedAt,
                });
                return;
            default:
                throw new InvalidOperationException($"The core writer does not write {effect.GetType().Name}.");
        }
    }
}

public static class TaskStatuses
{
    public const string Open = "Open";
    public const string Claimed = "Claimed";
    public const string Completed = "Completed";
    public const string Cancelled = "Cancelled";
}

/// <summary>Instance state as stored: the journal is left out (it has its own table, appended to per step).</summary>
public static class StateSerializer
{
    public static string Serialize(WorkflowState state)
    {
        var journal = state.Journal;
        state.Journal = [];
        try
        {
            return JsonSerializer.Serialize(state, WorkflowJson.Compact);
        }
        finally
        {
            state.Journal = journal;
        }
    }

    public static WorkflowState Deserialize(string json) =>
        JsonSerializer.Deserialize<WorkflowState>(json, WorkflowJson.Compact) ?? throw new JsonException("Instance state is empty.");

    public static string? ToJson(JsonNode? node) => node?.ToJsonString();
}
