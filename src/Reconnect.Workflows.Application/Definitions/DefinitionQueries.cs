using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Workflows;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Definitions;

/// <summary>The definition lists (projections, no JSON documents) that <c>/api/workflow-definitions</c> and the designer show.</summary>
public static class DefinitionQueries
{
    /// <summary>The list behind <c>GET /api/workflow-definitions</c> (the designer's list page shows the same).</summary>
    public static async Task<List<DefinitionSummary>> ListSummariesAsync(IDbContextFactory<ReconnectDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Projections only (no JSON documents): definitions are few, versions a handful each.
        var rows = await db.WorkflowDefinitions.AsNoTracking()
            .Select(d => new { d.DefinitionId, d.Version, d.Name, d.Description, d.IsPublished, d.CreatedAt, d.PublishedAt })
            .ToListAsync(cancellationToken);
        var lastChanges = await db.AuditEntries.AsNoTracking()
            .Where(a => a.EntityType == AuditTrail.Definition && a.EntityId != null)
            .GroupBy(a => a.EntityId!)
            .Select(g => new { Id = g.Key, At = g.Max(a => a.At) })
            .ToDictionaryAsync(x => x.Id, x => x.At, StringComparer.Ordinal, cancellationToken);
        var list = rows.GroupBy(r => r.DefinitionId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var latest = g.MaxBy(r => r.Version)!;
                var published = g.Where(r => r.IsPublished).MaxBy(r => r.Version);
                var updated = g.Max(r => r.PublishedAt is { } p && p > r.CreatedAt ? p : r.CreatedAt);
                if (lastChanges.TryGetValue(g.Key, out var audited) && audited > updated) updated = audited;
                return new DefinitionSummary(g.Key, latest.Name, latest.Description, latest.Version, published?.Version, published is not null,
                    g.Min(r => r.CreatedAt), updated);
            })
            .ToList();
        return list;
    }

    /// <summary>The versions of a definition, a projection without the JSON documents (the designer's version list too).</summary>
    public static async Task<List<DefinitionVersionInfo>> ListVersionsAsync(IDbContextFactory<ReconnectDbContext> contexts, string definitionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => d.DefinitionId == definitionId)
            .OrderBy(d => d.Version)
            .Select(d => new DefinitionVersionInfo(d.DefinitionId, d.Version, d.Name, d.IsPublished, d.IsLatest, d.CreatedAt, d.PublishedAt))
            .ToListAsync(cancellationToken);
    }

}
