using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence.Stores;

/// <summary>Definition versions, with the parsed ones cached (a version that was published never changes).</summary>
public sealed class DefinitionStore(IDbContextFactory<ReconnectDbContext> contexts) : IWorkflowDefinitionStore
{
    // Versions are immutable once saved for running (a draft re-saved is evicted below), so parsed definitions are cached by version id.
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _definitionCache = new(StringComparer.Ordinal);
    // Every resume needs its instance's exact version: versions that were published never change, so they are kept
    // by (definition id, version) and served without a query (drafts, which can change, are not kept here).
    private readonly ConcurrentDictionary<(string DefinitionId, int Version), WorkflowDefinition> _runnableVersions = new();

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
}
