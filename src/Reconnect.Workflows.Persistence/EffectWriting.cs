using System.Text.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// Turns a step's effects into rows inside the step's transaction. The core effects are handled here; a module with its
/// own effects (the referral domain's stage changes, say) registers another writer.
/// </summary>
public interface IEffectWriter
{
    /// <returns>True when this writer handled the effect.</returns>
    Task<bool> WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken);
}

/// <summary>Tasks and the outbox.</summary>
public sealed class CoreEffectWriter : IEffectWriter
{
    public async Task<bool> WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken)
    {
        switch (effect)
        {
            case CreateTaskEffect create:
                db.Tasks.Add(new WorkflowTaskRecord
                {
                    Id = create.TaskId,
                    InstanceId = state.Id,
                    BookmarkId = create.BookmarkId,
                    ActivityId = create.ActivityId,
                    ActivityType = create.ActivityType,
                    Title = Truncate(create.Title, 300),
                    Description = create.Description,
                    OutcomesJson = JsonSerializer.Serialize(create.Outcomes),
                    DueAt = create.DueAt,
                    Status = TaskStatuses.Open,
                    Site = ValueConverter.ToText(create.Data?["site"]),
                    Assignee = ValueConverter.ToText(create.Data?["assignee"]),
                    SubjectId = ValueConverter.ToText(create.Data?["subjectId"]) ?? state.CorrelationId,
                    CreatedAt = state.UpdatedAt,
                    DataJson = create.Data?.ToJsonString(),
                });
                return true;
            case CancelTaskEffect cancel:
                var task = await db.Tasks.FindAsync([cancel.TaskId], cancellationToken);
                if (task is not null && task.Status is TaskStatuses.Open or TaskStatuses.Claimed)
                {
                    task.Status = TaskStatuses.Cancelled;
                    task.Notes ??= cancel.Reason;
                }
                return true;
            case RescheduleTaskEffect reschedule:
                var moved = await db.Tasks.FindAsync([reschedule.TaskId], cancellationToken);
                if (moved is not null) moved.DueAt = reschedule.DueAt;
                return true;
            case PublishEventEffect publish:
                db.Outbox.Add(new OutboxMessageRecord
                {
                    EventName = publish.EventName,
                    CorrelationId = publish.CorrelationId,
                    PayloadJson = publish.Payload?.ToJsonString(),
                    CreatedAt = state.UpdatedAt,
                });
                return true;
            default:
                return false;
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
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
