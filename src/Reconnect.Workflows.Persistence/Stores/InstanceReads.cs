using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Persistence.Stores;

/// <summary>What the runtime reads outside a commit: an instance's state, bookmarks by key, due timers, and the outbox (taken by deleting).</summary>
public sealed class InstanceReads(IDbContextFactory<ReconnectDbContext> contexts)
{
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

    /// <summary>The earliest timer still waiting (due or not), for a dispatcher deciding when to wake; null when none.</summary>
    public async Task<DateTimeOffset?> NextTimerDueAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Bookmarks.AsNoTracking()
            .Where(b => b.DueAt != null)
            .OrderBy(b => b.DueAt)
            .Select(b => b.DueAt)
            .FirstOrDefaultAsync(cancellationToken);
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
}
