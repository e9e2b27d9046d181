using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Workflows;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Instances;

/// <summary>
/// Workflow instances: the list and the viewer's detail (readers: <see cref="RoleSets.ReadInstances"/>, enforced by the
/// endpoint's policy and the page's attribute), and cancel and retry (checked here: <see cref="RoleSets.ManageInstances"/>),
/// each change audited. <c>/api/workflow-instances</c> and the instances pages call the same methods.
/// </summary>
public sealed class InstanceService(IDbContextFactory<ReconnectDbContext> contexts, WorkflowRuntime runtime, ControllableTimeProvider clock)
{
    public const int DefaultPageSize = 50;

    /// <summary>Newest first, filtered by status, definition and correlation id.</summary>
    public async Task<InstancePage> ListAsync(WorkflowStatus? status, string? definitionId, string? correlationId, int page, int size, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.WorkflowInstances.AsNoTracking();
        if (status is { } st)
        {
            var text = st.ToString();
            query = query.Where(i => i.Status == text);
        }
        if (!string.IsNullOrEmpty(definitionId)) query = query.Where(i => i.DefinitionId == definitionId);
        if (!string.IsNullOrEmpty(correlationId)) query = query.Where(i => i.CorrelationId == correlationId);
        var rows = await query.OrderByDescending(i => i.Id)
            .Skip((page - 1) * size).Take(size + 1)
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, i.CorrelationId, i.Status, i.CreatedAt, i.UpdatedAt, i.FinishedAt))
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > size;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        // A pathway instance is named by its referral's reference (the list shows it instead of the hex correlation id).
        var ids = rows.Select(r => r.Id).ToList();
        var references = ids.Count == 0 ? [] : await db.Referrals.AsNoTracking().Where(r => ids.Contains(r.WorkflowInstanceId))
            .Select(r => new { r.WorkflowInstanceId, r.Reference }).ToDictionaryAsync(r => r.WorkflowInstanceId, r => r.Reference, StringComparer.Ordinal, cancellationToken);
        return new InstancePage(rows.Select(r => references.TryGetValue(r.Id, out var reference) ? r with { Reference = reference } : r).ToList(), page, size, hasMore);
    }

    /// <summary>
    /// A page of instances by any of several statuses (null: all), definitions, a correlation id and a search term (id,
    /// definition id or correlation id containing it), with the total count and each instance's incident count — what a
    /// client that pages by number needs (the Elsa-compatible API). Ordered by id, which grows with creation time.
    /// </summary>
    public async Task<InstanceQueryPage> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.WorkflowInstances.AsNoTracking();
        if (query.Statuses is { } statuses)
        {
            var texts = statuses.Select(s => s.ToString()).ToList();
            rows = rows.Where(i => texts.Contains(i.Status));
        }
        if (query.DefinitionIds is { Count: > 0 } ids) rows = rows.Where(i => ids.Contains(i.DefinitionId));
        if (!string.IsNullOrEmpty(query.CorrelationId)) rows = rows.Where(i => i.CorrelationId == query.CorrelationId);
        if (query.Version is { } version) rows = rows.Where(i => i.DefinitionVersion == version);
        if (!string.IsNullOrWhiteSpace(query.SearchTerm))
        {
            var term = query.SearchTerm.Trim();
            rows = rows.Where(i => i.Id.Contains(term) || i.DefinitionId.Contains(term) || (i.CorrelationId != null && i.CorrelationId.Contains(term)));
        }
        if (query.HasIncidents is { } has) rows = rows.Where(i => db.Incidents.Any(x => x.InstanceId == i.Id) == has);
        var total = await rows.CountAsync(cancellationToken);
        var ordered = query.Ascending ? rows.OrderBy(i => i.Id) : rows.OrderByDescending(i => i.Id);
        var items = await ordered.Skip(query.Skip).Take(query.Take)
            .Select(i => new InstanceQueryItem(
                new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, i.CorrelationId, i.Status, i.CreatedAt, i.UpdatedAt, i.FinishedAt),
                i.DefinitionVersionId,
                db.Incidents.Count(x => x.InstanceId == i.Id)))
            .ToListAsync(cancellationToken);
        return new InstanceQueryPage(items, total);
    }

    /// <summary>One instance as the viewer needs it: variables from its state, bookmarks, journal and incidents from their tables.</summary>
    public async Task<InstanceDetail?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.WorkflowInstances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (row is null) return null;
        var state = StateSerializer.Deserialize(row.StateJson);
        var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == id).ToListAsync(cancellationToken);
        var journal = await db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == id).OrderBy(j => j.Id).ToListAsync(cancellationToken);
        var incidents = await db.Incidents.AsNoTracking().Where(x => x.InstanceId == id).OrderBy(x => x.Id).ToListAsync(cancellationToken);
        return new InstanceDetail(
            row.Id, row.DefinitionId, row.DefinitionVersion, row.DefinitionVersionId, row.CorrelationId, row.Status,
            state.Variables,
            bookmarks.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id, StringComparer.Ordinal).Select(b =>
            {
                var payload = b.PayloadJson is null ? null : JsonNode.Parse(b.PayloadJson);
                return new BookmarkDto(b.Id, b.ActivityId, b.ActivityType, b.Name, b.DueAt,
                    Text(payload?["eventName"]), Text(payload?["taskId"]), b.CorrelationId);
            }).ToList(),
            journal.Select(j => new JournalLine(j.Id, j.At, j.Kind, j.ActivityId, j.ActivityType, j.DetailJson is null ? null : JsonNode.Parse(j.DetailJson))).ToList(),
            incidents.Select(x => new IncidentDto(x.At, x.ActivityId, x.ActivityType, x.Message, x.ExceptionType)).ToList(),
            row.CreatedAt, row.UpdatedAt, row.FinishedAt);
    }

    /// <summary>The referral an instance runs for (its correlation id names a referral of that instance), or null.</summary>
    public async Task<string?> ReferralOfAsync(InstanceDetail instance, CancellationToken cancellationToken = default)
    {
        if (instance.CorrelationId is not { } correlation) return null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Referrals.AsNoTracking().AnyAsync(r => r.Id == correlation && r.WorkflowInstanceId == instance.Id, cancellationToken) ? correlation : null;
    }

    /// <summary>Cancels an instance (every bookmark removed, open tasks cancelled) and audits it.</summary>
    public Task<InstanceActionResult> CancelAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default) =>
        ApplyAsync(user, id, "cancel", () => runtime.CancelAsync(id, $"cancelled by {user.Identity?.Name ?? "a user"}", cancellationToken));

    /// <summary>Retries a faulted instance and audits it.</summary>
    public Task<InstanceActionResult> RetryAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default) =>
        ApplyAsync(user, id, "retry", () => runtime.RetryAsync(id, cancellationToken));

    private async Task<InstanceActionResult> ApplyAsync(ClaimsPrincipal user, string id, string action, Func<Task<RunResult>> apply)
    {
        if (!RoleSets.Has(user, RoleSets.ManageInstances)) return new InstanceActionResult.Forbidden("Managers and admins cancel and retry instances.");
        var result = await apply();
        switch (result.Status)
        {
            case ResumeStatus.NotFound when result.State is null:
                return new InstanceActionResult.NotFound($"No workflow instance '{id}'.");
            case ResumeStatus.NotFound or ResumeStatus.NotApplicable:
                return new InstanceActionResult.NotApplicable(
                    $"Cannot {action} instance '{id}': {result.Message ?? "not applicable in its status"} (status {result.State?.Status}).");
            case ResumeStatus.Conflict:
                return new InstanceActionResult.Conflict(result.Message ?? "The instance kept changing; try again.");
        }
        await AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.Instance, id, new JsonObject { ["status"] = result.State!.Status.ToString() });
        return new InstanceActionResult.Applied((await GetAsync(id, CancellationToken.None))!);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
