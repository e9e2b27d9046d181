using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// The database stores. A commit is one transaction: the instance row (only if its version is still the one the step
/// started from), the resumed bookmark claimed (deleted: exactly one row, or the step loses), bookmark changes, journal
/// lines, incidents and the effects' rows. Lose any of these and nothing is written.
/// </summary>
public sealed class EfWorkflowStore(IDbContextFactory<ReconnectDbContext> contexts, IEnumerable<IEffectWriter> effectWriters)
    : IWorkflowDefinitionStore, IWorkflowInstanceStore, ITaskStore
{
    // Versions are immutable once saved for running (a draft re-saved is evicted below), so parsed definitions are cached by version id.
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _definitionCache = new(StringComparer.Ordinal);
    private readonly IEffectWriter[] _writers = [.. effectWriters];

    // ---------------------------------------------------------------- definitions

    public async Task SaveAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await db.WorkflowDefinitions.FirstOrDefaultAsync(d => d.DefinitionId == definition.DefinitionId && d.Version == definition.Version, cancellationToken);
        var json = WorkflowJson.Serialize(definition, indented: false);
        if (record is null)
        {
            record = new WorkflowDefinitionRecord
            {
                Id = string.IsNullOrEmpty(definition.Id) ? $"{definition.DefinitionId}:v{definition.Version}" : definition.Id,
                DefinitionId = definition.DefinitionId,
                Version = definition.Version,
                Name = definition.Name ?? definition.DefinitionId,
                CreatedAt = definition.CreatedAt ?? DateTimeOffset.UtcNow,
                Json = json,
            };
            db.WorkflowDefinitions.Add(record);
        }
        record.Name = definition.Name ?? definition.DefinitionId;
        record.Description = definition.Description;
        record.IsPublished = definition.IsPublished;
        record.Json = json;
        record.CronTrigger = CronTriggerOf(definition);
        record.SourceHash = definition.SourceHash ?? record.SourceHash;
        record.PublishedAt = definition.PublishedAt ?? record.PublishedAt ?? (definition.IsPublished ? definition.CreatedAt ?? record.CreatedAt : null);
        await db.SaveChangesAsync(cancellationToken);

        var maxVersion = await db.WorkflowDefinitions.Where(d => d.DefinitionId == definition.DefinitionId).MaxAsync(d => d.Version, cancellationToken);
        await db.WorkflowDefinitions.Where(d => d.DefinitionId == definition.DefinitionId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.IsLatest, d => d.Version == maxVersion), cancellationToken);
        if (definition.IsPublished)
            await db.WorkflowDefinitions.Where(d => d.DefinitionId == definition.DefinitionId && d.Version != definition.Version && d.IsPublished)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.IsPublished, false), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _definitionCache.Clear();
    }

    public Task<WorkflowDefinition?> FindPublishedAsync(string definitionId, CancellationToken cancellationToken = default) =>
        FindOneAsync(q => q.Where(d => d.DefinitionId == definitionId && d.IsPublished).OrderByDescending(d => d.Version), cancellationToken);

    public Task<WorkflowDefinition?> FindLatestAsync(string definitionId, CancellationToken cancellationToken = default) =>
        FindOneAsync(q => q.Where(d => d.DefinitionId == definitionId).OrderByDescending(d => d.Version), cancellationToken);

    public Task<WorkflowDefinition?> FindVersionAsync(string definitionId, int version, CancellationToken cancellationToken = default) =>
        FindOneAsync(q => q.Where(d => d.DefinitionId == definitionId && d.Version == version), cancellationToken);

    public async Task<IReadOnlyList<WorkflowDefinition>> ListVersionsAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId).OrderBy(d => d.Version).ToListAsync(cancellationToken);
        return records.Select(ToDefinition).ToList();
    }

    public async Task<IReadOnlyList<WorkflowDefinition>> ListLatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.IsLatest).OrderBy(d => d.DefinitionId).ToListAsync(cancellationToken);
        return records.Select(ToDefinition).ToList();
    }

    private async Task<WorkflowDefinition?> FindOneAsync(Func<IQueryable<WorkflowDefinitionRecord>, IQueryable<WorkflowDefinitionRecord>> query, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var head = await query(db.WorkflowDefinitions.AsNoTracking())
            .Select(d => new { d.Id, d.IsPublished, d.IsLatest })
            .FirstOrDefaultAsync(cancellationToken);
        if (head is null) return null;
        if (_definitionCache.TryGetValue(head.Id, out var cached) && cached.IsPublished == head.IsPublished && cached.IsLatest == head.IsLatest)
            return cached;
        var record = await db.WorkflowDefinitions.AsNoTracking().FirstAsync(d => d.Id == head.Id, cancellationToken);
        var definition = ToDefinition(record);
        _definitionCache[record.Id] = definition;
        return definition;
    }

    private static WorkflowDefinition ToDefinition(WorkflowDefinitionRecord record)
    {
        var definition = WorkflowJson.Parse(record.Json);
        definition.Id = record.Id;
        definition.Version = record.Version;
        definition.IsPublished = record.IsPublished;
        definition.IsLatest = record.IsLatest;
        definition.CreatedAt ??= record.CreatedAt;
        definition.PublishedAt = record.PublishedAt;
        definition.SourceHash = record.SourceHash;
        return definition;
    }

    /// <summary>The cron expression of a definition that starts on a schedule (its start activity is an <c>Elsa.Cron</c> with a literal expression).</summary>
    public static string? CronTriggerOf(WorkflowDefinition definition)
    {
        var registry = Engine.Activities.ActivityRegistry.CreateDefault();
        var compiled = new CompiledWorkflow(definition, registry);
        if (compiled.StartNodeId is null) return null;
        var start = definition.FindActivity(compiled.StartNodeId)!;
        if (start.Type != "Elsa.Cron") return null;
        var expression = start.GetInput("cronExpression");
        return expression?.Type == Expression.Literal ? Engine.Activities.ValueConverter.ToText(expression.Value) : null;
    }

    // ---------------------------------------------------------------- instances

    public async Task<WorkflowState?> LoadAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.Id == instanceId)
            .Select(i => new { i.StateJson, i.Version })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return null;
        var state = StateSerializer.Deserialize(row.StateJson);
        state.Version = row.Version;
        return state;
    }

    public async Task<CommitOutcome> CommitAsync(StepCommit commit, CancellationToken cancellationToken = default)
    {
        var state = commit.State;
        var result = commit.Result;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var json = StateSerializer.Serialize(state);
        var status = state.Status.ToString();

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
            if (updated != 1) return CommitOutcome.Conflict;
        }

        if (result.BookmarksRemoved.Count > 0)
        {
            var removedIds = result.BookmarksRemoved.Select(b => b.Id).ToList();
            var deleted = await db.Bookmarks.Where(b => removedIds.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
            // The resumed bookmark must still have been there: that row is the claim.
            if (commit.Stimulus is Stimulus.Resume && deleted != removedIds.Count) return CommitOutcome.Conflict;
        }
        // A task whose due date moved keeps its bookmark (same id); its payload carries the new due date.
        foreach (var reschedule in result.Effects.OfType<RescheduleTaskEffect>())
        {
            if (state.Bookmarks.FirstOrDefault(b => b.TaskId == reschedule.TaskId) is not { } changed) continue;
            var payload = changed.Payload?.ToJsonString();
            await db.Bookmarks.Where(b => b.Id == changed.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.PayloadJson, payload), cancellationToken);
        }
        foreach (var b in result.BookmarksAdded)
        {
            db.Bookmarks.Add(new BookmarkRecord
            {
                Id = b.Id,
                InstanceId = state.Id,
                ActivityId = b.ActivityId,
                ActivityType = b.ActivityType,
                Name = b.Name,
                Hash = b.Hash,
                CorrelationId = b.CorrelationId,
                DueAt = b.DueAt,
                CreatedAt = b.CreatedAt,
                PayloadJson = b.Payload?.ToJsonString(),
            });
        }
        foreach (var t in result.Trace)
        {
            db.JournalEntries.Add(new JournalEntryRecord
            {
                InstanceId = state.Id, At = t.At, Kind = t.Kind, ActivityId = t.ActivityId, ActivityType = t.ActivityType,
                DetailJson = t.Detail?.ToJsonString(),
            });
        }
        foreach (var incident in result.Incidents)
        {
            db.Incidents.Add(new IncidentRecord
            {
                InstanceId = state.Id, At = incident.At, ActivityId = incident.ActivityId, ActivityType = incident.ActivityType,
                Message = incident.Message.Length > 2000 ? incident.Message[..2000] : incident.Message, ExceptionType = incident.ExceptionType,
            });
        }
        if (commit.Stimulus is Stimulus.Resume resume && result.BookmarksRemoved.FirstOrDefault(b => b.Id == resume.BookmarkId)?.TaskId is { } completedTaskId)
        {
            var task = await db.Tasks.FindAsync([completedTaskId], cancellationToken);
            if (task is not null)
            {
                task.Status = TaskStatuses.Completed;
                task.Outcome = resume.Input is JsonObject o ? Engine.Activities.ValueConverter.ToText(o["outcome"]) : null;
                task.Notes = resume.Input is JsonObject n ? Engine.Activities.ValueConverter.ToText(n["notes"]) ?? task.Notes : task.Notes;
                task.CompletedBy = resume.Input is JsonObject u ? Engine.Activities.ValueConverter.ToText(u["completedBy"]) : null;
                task.CompletedAt = state.UpdatedAt;
            }
        }
        foreach (var effect in result.Effects)
        {
            var handled = false;
            foreach (var writer in _writers)
                if (await writer.WriteAsync(db, state, effect, cancellationToken)) { handled = true; break; }
            if (!handled) throw new InvalidOperationException($"No writer for effect {effect.GetType().Name}.");
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException) when (state.Version == 1)
        {
            // Two starts racing on the same id: the second loses.
            return CommitOutcome.Conflict;
        }
        return CommitOutcome.Committed;
    }

    public async Task<IReadOnlyList<BookmarkMatch>> FindBookmarksAsync(string hash, string? correlationId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Bookmarks.AsNoTracking().Where(b => b.Hash == hash);
        if (correlationId is not null) query = query.Where(b => b.CorrelationId == correlationId);
        return await query.Select(b => new BookmarkMatch(b.InstanceId, b.Id, b.DueAt)).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<BookmarkMatch>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Bookmarks.AsNoTracking()
            .Where(b => b.DueAt != null && b.DueAt <= now)
            .OrderBy(b => b.DueAt)
            .Take(max)
            .Select(b => new BookmarkMatch(b.InstanceId, b.Id, b.DueAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PublishEventEffect>> TakeOutboxAsync(int max, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var messages = await db.Outbox.AsNoTracking().OrderBy(m => m.Id).Take(max).ToListAsync(cancellationToken);
        var taken = new List<PublishEventEffect>(messages.Count);
        foreach (var m in messages)
        {
            // Deleting the row is the claim: with several nodes, only the one that deleted it delivers it.
            if (await db.Outbox.Where(x => x.Id == m.Id).ExecuteDeleteAsync(cancellationToken) == 1)
                taken.Add(new PublishEventEffect(m.EventName, m.CorrelationId, m.PayloadJson is null ? null : JsonNode.Parse(m.PayloadJson)));
        }
        return taken;
    }

    // ---------------------------------------------------------------- tasks

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
