using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Audit;

/// <summary>
/// Who changed what (SPEC §8): one AuditEntries row per change, written once the change has committed. The detail holds
/// ids and counts only — never workflow input, event payloads or anything about a person.
/// </summary>
public static class AuditTrail
{
    public const string Definition = "WorkflowDefinition";
    public const string Instance = "WorkflowInstance";
    public const string Event = "Event";
    public const string Task = "Task";
    /// <summary>An account (staff): the row's subject id is the account's id.</summary>
    public const string User = "User";

    public static async Task WriteAsync(IDbContextFactory<ReconnectDbContext> contexts, ClaimsPrincipal user, TimeProvider clock,
        string action, string entityType, string? entityId, JsonObject? detail = null)
    {
        // Not the request's token: the change has happened, its audit row must not be dropped because the client left.
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        db.AuditEntries.Add(new AuditEntryRecord
        {
            At = clock.GetUtcNow(),
            UserId = user.FindFirstValue(ClaimTypes.NameIdentifier),
            UserName = user.Identity?.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId is { Length: > 100 } ? entityId[..100] : entityId,
            DetailJson = detail?.ToJsonString(),
        });
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
