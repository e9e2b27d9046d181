using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Notifications;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;

namespace Reconnect.Workflows.Application.Staff;

public abstract record AllocationResult
{
    /// <summary>Done: the task as it is now (a task change), or the referral's navigator and the tasks that followed.</summary>
    public sealed record Done(TaskRow? Task, NavigatorChangeDto? Referral = null) : AllocationResult;
    public sealed record NotFound : AllocationResult;
    public sealed record Forbidden(string Message) : AllocationResult;
    public sealed record Conflict(string Message) : AllocationResult;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : AllocationResult;
}

/// <summary><c>POST /api/tasks/{id}/assign</c> body.</summary>
public sealed record AssignTaskRequest(string? AssigneeId);

/// <summary>The answer to <c>POST /api/referrals/{id}/navigator</c>.</summary>
public sealed record NavigatorChangeDto(string ReferralId, string NavigatorId, string? PreviousNavigatorId, int TasksMoved);

/// <summary><c>POST /api/referrals/{id}/navigator</c> body: the new navigator, and why (on the referral's history).</summary>
public sealed record ChangeNavigatorRequest(string? NavigatorId, string? Reason);

/// <summary>
/// Who does the work (issue #12, docs/tasks.md): a manager gives a navigator task to a navigator of its site, the
/// assignee hands a task back to its queue, a manager changes a referral's navigator (its open navigator tasks follow,
/// its open "Allocate navigator" tasks are done, a history line says who and why). Every change is one guarded write,
/// audited (<c>assign</c>, <c>release</c> on the task; <c>navigator-change</c> on the referral), and told to open inboxes.
/// </summary>
public sealed class Allocation(IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, TaskWork tasks, TaskNotifications notifications,
    NotificationNews news)
{
    public const int MaxReasonLength = 300;

    public async Task<AllocationResult> AssignAsync(ClaimsPrincipal user, string taskId, AssignTaskRequest request, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.Allocate)) return new AllocationResult.Forbidden("Only managers give tasks to navigators.");
        if (string.IsNullOrWhiteSpace(request.AssigneeId) || request.AssigneeId.Length > 450)
            return new AllocationResult.Invalid(new Dictionary<string, string[]> { ["assigneeId"] = ["is required: the id of a navigator of the task's site"] });
        var viewer = await tasks.ViewerAsync(user, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var task = viewer is null ? null : await TaskInboxQuery.FindAsync(db, viewer, taskId, cancellationToken);
        if (task is null) return new AllocationResult.NotFound();
        if (task.Status is not (TaskStatuses.Open or TaskStatuses.Claimed)) return new AllocationResult.Conflict($"The task is already {task.Status.ToLowerInvariant()}.");
        if (task.AssigneeRole != Roles.Navigator) return new AllocationResult.Conflict("Only navigator tasks are given to navigators; manager tasks wait in the managers' queue.");
        if (!await IsActiveNavigatorAsync(db, request.AssigneeId, task.Site, cancellationToken))
            return new AllocationResult.Invalid(new Dictionary<string, string[]> { ["assigneeId"] = [$"is not an active navigator of the task's site ({task.Site})"] });
        if (task.Assignee == request.AssigneeId) return new AllocationResult.Done(task);
        var assignee = request.AssigneeId;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var changed = await db.Tasks.Where(t => t.Id == taskId && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, assignee).SetProperty(t => t.Status, TaskStatuses.Open)
                    .SetProperty(t => t.ClaimedBy, (string?)null).SetProperty(t => t.ClaimedAt, (DateTimeOffset?)null), cancellationToken);
            if (changed != 1) return new AllocationResult.Conflict("The task was completed or cancelled just now.");
            // The assignee hears of it in the same transaction as the change (docs/security.md, "Notifications").
            NotificationRows.Add(db, assignee, NotificationKinds.TaskAssigned, $"A manager gave you the task '{task.Title}'.", "/inbox", clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(CancellationToken.None);
        }
        notifications.TasksCommitted([new TaskCommitNotice(task.Id, task.Site, assignee, task.AssigneeRole, task.ReferralId)]);
        news.Published([assignee]);
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.Assign, AuditTrail.Task, task.Id,
            new JsonObject { ["referralId"] = task.ReferralId, ["assigneeId"] = assignee, ["previous"] = task.Assignee });
        return new AllocationResult.Done(await AfterAsync(db, task.Id));
    }

    public async Task<AllocationResult> ReleaseAsync(ClaimsPrincipal user, string taskId, CancellationToken cancellationToken = default)
    {
        var viewer = await tasks.ViewerAsync(user, cancellationToken);
        if (viewer is null || viewer.Kind == TaskViewerKind.Admin) return new AllocationResult.Forbidden("Only navigators and managers hand tasks back.");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var task = await TaskInboxQuery.FindAsync(db, viewer, taskId, cancellationToken);
        if (task is null) return new AllocationResult.NotFound();
        if (task.Assignee != viewer.UserId) return new AllocationResult.Forbidden("Only the task's assignee hands it back.");
        if (task.Status is not (TaskStatuses.Open or TaskStatuses.Claimed)) return new AllocationResult.Conflict($"The task is already {task.Status.ToLowerInvariant()}.");
        var me = viewer.UserId;
        var changed = await db.Tasks.Where(t => t.Id == taskId && t.Assignee == me && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, (string?)null).SetProperty(t => t.Status, TaskStatuses.Open)
                .SetProperty(t => t.ClaimedBy, (string?)null).SetProperty(t => t.ClaimedAt, (DateTimeOffset?)null), cancellationToken);
        if (changed != 1) return new AllocationResult.Conflict("The task was reassigned, completed or cancelled just now.");
        notifications.TasksCommitted([new TaskCommitNotice(task.Id, task.Site, null, task.AssigneeRole, task.ReferralId)]);
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.Release, AuditTrail.Task, task.Id, new JsonObject { ["referralId"] = task.ReferralId });
        return new AllocationResult.Done(await AfterAsync(db, task.Id));
    }

    public async Task<AllocationResult> ChangeNavigatorAsync(ClaimsPrincipal user, string referralId, ChangeNavigatorRequest request, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.Allocate)) return new AllocationResult.Forbidden("Only managers change a referral's navigator.");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(request.NavigatorId) || request.NavigatorId.Length > 450) errors["navigatorId"] = ["is required: the id of a navigator of the referral's site"];
        var reason = request.Reason?.Trim();
        if (reason is { Length: > MaxReasonLength }) errors["reason"] = [$"is longer than {MaxReasonLength} characters"];
        else if (reason is not null && reason.Any(char.IsControl)) errors["reason"] = ["has control characters"];
        if (errors.Count > 0) return new AllocationResult.Invalid(errors);
        var navigatorId = request.NavigatorId!;
        var me = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var now = clock.GetUtcNow();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var referral = await db.Referrals.FirstOrDefaultAsync(r => r.Id == referralId, cancellationToken);
        if (referral is null) return new AllocationResult.NotFound();
        if (referral.ClosedAt is not null) return new AllocationResult.Conflict($"The referral is closed ({referral.ClosureReason}).");
        if (!await IsActiveNavigatorAsync(db, navigatorId, referral.Site, cancellationToken))
            return new AllocationResult.Invalid(new Dictionary<string, string[]> { ["navigatorId"] = [$"is not an active navigator of the referral's site ({referral.Site})"] });
        if (referral.NavigatorId == navigatorId) return new AllocationResult.Done(null, new NavigatorChangeDto(referralId, navigatorId, navigatorId, 0));

        var previous = referral.NavigatorId;
        referral.NavigatorId = navigatorId;
        referral.UpdatedAt = now;
        var open = await db.Tasks.Where(t => t.SubjectId == referralId && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed)).ToListAsync(cancellationToken);
        var moved = open.Where(t => t.AssigneeRole == Roles.Navigator).ToList();
        foreach (var task in moved)
        {
            task.Assignee = navigatorId;
            task.Status = TaskStatuses.Open;
            task.ClaimedBy = null;
            task.ClaimedAt = null;
        }
        foreach (var task in open.Where(t => t.ActivityId == StaffWork.AllocateNavigatorActivity))
        {
            task.Status = TaskStatuses.Completed;
            task.Outcome = "Done";
            task.CompletedBy = me;
            task.CompletedAt = now;
        }
        NotificationRows.Add(db, navigatorId, NotificationKinds.CaseAssigned,
            moved.Count == 0 ? "A manager made you the navigator of a case." : $"A manager made you the navigator of a case: {moved.Count} open task(s) are now yours.",
            $"/referrals/{referralId}", now);
        var summary = "Navigator changed by a manager" + (string.IsNullOrEmpty(reason) ? "" : ": " + reason);
        ReferralEffectWriter.History(db, referralId, now, "navigator-changed", summary.Length > 300 ? summary[..300] : summary,
            new JsonObject { ["navigatorId"] = navigatorId, ["previous"] = previous, ["tasksMoved"] = moved.Count }, me);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        notifications.TasksCommitted([.. moved.Select(TaskCommitNotice.From)]);
        news.Published([navigatorId]);
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.NavigatorChange, ReferralReads.AuditEntityType, referralId,
            new JsonObject { ["navigatorId"] = navigatorId, ["previous"] = previous, ["tasksMoved"] = moved.Count });
        return new AllocationResult.Done(null, new NavigatorChangeDto(referralId, navigatorId, previous, moved.Count));
    }

    private static async Task<TaskRow?> AfterAsync(ReconnectDbContext db, string id) =>
        await TaskInboxQuery.FindAsync(db, new TaskViewer("", TaskViewerKind.Admin, null), id, CancellationToken.None);

    private static async Task<bool> IsActiveNavigatorAsync(ReconnectDbContext db, string userId, string? site, CancellationToken cancellationToken) =>
        site is not null && await (
            from u in db.Users
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where u.Id == userId && u.DeactivatedAt == null && u.Site == site && r.Name == Roles.Navigator
            select u.Id).AnyAsync(cancellationToken);
}
