using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence.Stores;

/// <summary>The engine-level view of inbox tasks (<see cref="ITaskStore"/>).</summary>
public sealed class TaskReads(IDbContextFactory<ReconnectDbContext> contexts) : ITaskStore
{
    public async Task<TaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var t = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == taskId, cancellationToken);
        return t is null ? null : ToTaskRecord(t);
    }

    public async Task<IReadOnlyList<TaskRecord>> ListOpenTasksAsync(string? instanceId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Tasks.AsNoTracking().Where(t => t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed);
        if (instanceId is not null) query = query.Where(t => t.InstanceId == instanceId);
        var rows = await query.OrderBy(t => t.CreatedAt).ToListAsync(cancellationToken);
        return rows.Select(ToTaskRecord).ToList();
    }

    private static TaskRecord ToTaskRecord(WorkflowTaskRecord t) => new()
    {
        TaskId = t.Id,
        InstanceId = t.InstanceId,
        BookmarkId = t.BookmarkId,
        ActivityId = t.ActivityId,
        Title = t.Title,
        Outcomes = JsonSerializer.Deserialize<List<string>>(t.OutcomesJson) ?? [],
        DueAt = t.DueAt,
        CreatedAt = t.CreatedAt,
        Status = t.Status switch
        {
            TaskStatuses.Completed => TaskRecordStatus.Completed,
            TaskStatuses.Cancelled => TaskRecordStatus.Cancelled,
            _ => TaskRecordStatus.Open,
        },
        Outcome = t.Outcome,
        Data = t.DataJson is null ? null : JsonNode.Parse(t.DataJson) as JsonObject,
    };
}
