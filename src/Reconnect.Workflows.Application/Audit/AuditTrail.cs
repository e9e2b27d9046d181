using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Audit;

/// <summary>
/// Who changed what (SPEC §8): one AuditEntries row per change. A change made by a workflow step (a referral created, an
/// event recorded, a task completed) carries its row as an <see cref="AuditEffect"/>, written in the step's own
/// transaction: the change and its audit row commit together or not at all, with one flush. Reads and changes made
/// outside a step are written by <see cref="WriteAsync"/> once they have happened. The detail holds ids and counts only
/// — never workflow input, event payloads or anything about a person.
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
        db.AuditEntries.Add(Row(clock.GetUtcNow(), user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity?.Name, action, entityType, entityId, detail));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The audit row of a change a step makes, for the step's extra effects (written in its transaction).</summary>
    public static AuditEffect Effect(ClaimsPrincipal user, TimeProvider clock, string action, string entityType, string? entityId,
        JsonObject? detail = null, string? instanceIdField = null) =>
        new(clock.GetUtcNow(), user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity?.Name, action, entityType, entityId, detail, instanceIdField);

    internal static AuditEntryRecord Row(DateTimeOffset at, string? userId, string? userName, string action, string entityType, string? entityId, JsonObject? detail) => new()
    {
        At = at,
        UserId = userId,
        UserName = userName,
        Action = action,
        EntityType = entityType,
        EntityId = entityId is { Length: > 100 } ? entityId[..100] : entityId,
        DetailJson = detail?.ToJsonString(),
    };
}

/// <summary>
/// An audit row that commits with the step it describes. <paramref name="InstanceIdField"/>, when set, names a detail
/// field that receives the step's instance id (a new instance's id is made by the step itself).
/// </summary>
public sealed record AuditEffect(DateTimeOffset At, string? UserId, string? UserName, string Action, string EntityType, string? EntityId,
    JsonObject? Detail, string? InstanceIdField = null) : WorkflowEffect;

/// <summary>Writes <see cref="AuditEffect"/>s inside the step's transaction.</summary>
public sealed class AuditEffectWriter : IEffectWriter
{
    public bool Handles(WorkflowEffect effect) => effect is AuditEffect;

    public Task WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken)
    {
        var audit = (AuditEffect)effect;
        var detail = audit.Detail;
        if (audit.InstanceIdField is { } field)
        {
            detail = detail is null ? [] : (JsonObject)detail.DeepClone();
            detail[field] = state.Id;
        }
        db.AuditEntries.Add(AuditTrail.Row(audit.At, audit.UserId, audit.UserName, audit.Action, audit.EntityType, audit.EntityId, detail));
        return System.Threading.Tasks.Task.CompletedTask;
    }
}
