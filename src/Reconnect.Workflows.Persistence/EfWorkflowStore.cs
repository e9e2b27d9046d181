using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
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
public sealed class EfWorkflowStore(
    IDbContextFactory<ReconnectDbContext> contexts,
    IEnumerable<IEffectWriter> effectWriters,
    IEnumerable<ITaskCommitListener>? taskListeners = null,
    ILogger<EfWorkflowStore>? logger = null)
    : IWorkflowDefinitionStore, IWorkflowInstanceStore, ITaskStore
{
    // Versions are immutable once saved for running (a draft re-saved is evicted below), so parsed definitions are cached by version id.
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _definitionCache = new(StringComparer.Ordinal);
    // Every resume needs its instance's exact version: versions that were published never change, so they are kept
    // by (definition id, version) and served without a query (drafts, which can change, are not kept here).
    private readonly ConcurrentDictionary<(string DefinitionId, int Version), WorkflowDefinition> _runnableVersions = new();
    private readonly IEffectWriter[] _writers = [.. effectWriters];
    private readonly ITaskCommitListener[] _taskListeners = [.. taskListeners ?? []];

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
        _runnableVersions.TryRemove((definition.DefinitionId, definition.Version), out _);
    }

    public Task<WorkflowDefinition?> FindPublishedAsync(string definitionId, CancellationToken cancellationToken = default) =>
        FindOneAsync(q => q.Where(d => d.DefinitionId == definitionId && d.IsPublished).OrderByDescending(d => d.Version), cancellationToken);

    public Task<WorkflowDefinition?> FindLatestAsync(string definitionId, CancellationToken cancellationToken = default) =>
        FindOneAsync(q => q.Where(d => d.DefinitionId == definitionId).OrderByDescending(d => d.Version), cancellationToken);

    public async Task<WorkflowDefinition?> FindVersionAsync(string definitionId, int version, CancellationToken cancellationToken = default)
    {
        if (_runnableVersions.TryGetValue((definitionId, version), out var known)) return known;
        var definition = await FindOneAsync(q => q.Where(d => d.DefinitionId == definitionId && d.Version == version), cancellationToken);
        if (definition is { PublishedAt: not null }) _runnableVersions[(definitionId, version)] = definition;
        return definition;
    }

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
        // Bookmarks and journal lines are the most rows of a commit: one multi-row INSERT each on the same connection and
        // transaction, instead of one tracked entity (and, for the journal, one INSERT … RETURNING) per row.
        await InsertBookmarksAsync(db, state.Id, result.BookmarksAdded, cancellationToken);
        await InsertJournalAsync(db, state.Id, result.Trace, cancellationToken);
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
        foreach (var effect in result.Effects)
        {
            var handled = false;
            foreach (var writer in _writers)
                if (await writer.WriteAsync(db, state, effect, cancellationToken)) { handled = true; break; }
            if (!handled) throw new InvalidOperationException($"No writer for effect {effect.GetType().Name}.");
        }

        // Read before SaveChanges (which resets the entries' states): the tasks this step adds, with their final assignee.
        var newTasks = _taskListeners.Length == 0 ? null : NewTasks(db);
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
        if (newTasks is { Count: > 0 }) NotifyCommitted(newTasks);
        return CommitOutcome.Committed;
    }

    private static List<TaskCommitNotice> NewTasks(ReconnectDbContext db)
    {
        var list = new List<TaskCommitNotice>();
        foreach (var entry in db.ChangeTracker.Entries<WorkflowTaskRecord>())
            if (entry.State == EntityState.Added) list.Add(TaskCommitNotice.From(entry.Entity));
        return list;
    }

    /// <summary>After the commit only. A listener's failure cannot undo a committed step, so it is not the caller's either.</summary>
    private void NotifyCommitted(List<TaskCommitNotice> tasks)
    {
        foreach (var listener in _taskListeners)
        {
            try
            {
                listener.TasksCommitted(tasks);
            }
#pragma warning disable CA1031 // a notification is best-effort; the step it reports has committed
            catch (Exception ex)
            {
                logger?.LogWarning(ex, "Task-commit listener {Listener} failed; the step had committed and stands", listener.GetType().Name);
            }
#pragma warning restore CA1031
        }
    }

    private const int RowsPerInsert = 100;

    // EF1003: only fixed column lists and {n} placeholders are concatenated below; every value goes in as a parameter.
#pragma warning disable EF1003

    private static async Task InsertBookmarksAsync(ReconnectDbContext db, string instanceId, IReadOnlyList<Bookmark> bookmarks, CancellationToken cancellationToken)
    {
        for (var from = 0; from < bookmarks.Count; from += RowsPerInsert)
        {
            var chunk = bookmarks.Skip(from).Take(RowsPerInsert).ToList();
            var values = new List<object>(chunk.Count * 10);
            foreach (var b in chunk)
                values.AddRange([b.Id, instanceId, b.ActivityId, b.ActivityType, b.Name, b.Hash, Value(b.CorrelationId), Instant(db, b.DueAt), Instant(db, b.CreatedAt), Value(b.Payload?.ToJsonString())]);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"Bookmarks\" (\"Id\", \"InstanceId\", \"ActivityId\", \"ActivityType\", \"Name\", \"Hash\", \"CorrelationId\", \"DueAt\", \"CreatedAt\", \"PayloadJson\") VALUES "
                + Placeholders(chunk.Count, 10), Parameters(db, values), cancellationToken);
        }
    }

    private static async Task InsertJournalAsync(ReconnectDbContext db, string instanceId, IReadOnlyList<TraceEvent> trace, CancellationToken cancellationToken)
    {
        for (var from = 0; from < trace.Count; from += RowsPerInsert)
        {
            var chunk = trace.Skip(from).Take(RowsPerInsert).ToList();
            var values = new List<object>(chunk.Count * 6);
            foreach (var t in chunk)
                values.AddRange([instanceId, Instant(db, t.At), t.Kind, Value(t.ActivityId), Value(t.ActivityType), Value(t.Detail?.ToJsonString())]);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"JournalEntries\" (\"InstanceId\", \"At\", \"Kind\", \"ActivityId\", \"ActivityType\", \"DetailJson\") VALUES "
                + Placeholders(chunk.Count, 6), Parameters(db, values), cancellationToken);
        }
    }

#pragma warning restore EF1003

    /// <summary><c>({0}, {1}), ({2}, {3})</c>: EF turns each into a parameter.</summary>
    private static string Placeholders(int rows, int columns)
    {
        var sql = new System.Text.StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            for (var c = 0; c < columns; c++) sql.Append(c == 0 ? "" : ", ").Append('{').Append(r * columns + c).Append('}');
            sql.Append(')');
        }
        return sql.ToString();
    }

    private static object Value(string? value) => value ?? (object)DBNull.Value;

    /// <summary>Provider parameters (a bare null or DBNull has no EF type mapping), named p0, p1, … for the {n} placeholders.</summary>
    private static List<System.Data.Common.DbParameter> Parameters(ReconnectDbContext db, List<object> values)
    {
        using var factory = db.Database.GetDbConnection().CreateCommand();
        var parameters = new List<System.Data.Common.DbParameter>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var p = factory.CreateParameter();
            p.ParameterName = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            p.Value = values[i];
            parameters.Add(p);
        }
        return parameters;
    }

    /// <summary>An instant as each provider's mapping stores it (raw SQL bypasses the model's converters): SQLite UTC ticks, PostgreSQL UTC.</summary>
    private static object Instant(ReconnectDbContext db, DateTimeOffset? value) => value switch
    {
        null => DBNull.Value,
        { } v => db switch
        {
            SqliteReconnectDbContext => v.UtcTicks,
            PostgresReconnectDbContext => v.ToUniversalTime(),
            _ => v,
        },
    };

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
