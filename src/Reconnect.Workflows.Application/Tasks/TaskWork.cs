using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;

namespace Reconnect.Workflows.Application.Tasks;

public abstract record TaskChange
{
    /// <summary>Done; <paramref name="Changed"/> false for a claim of one's own claimed task (nothing written, nothing audited).</summary>
    public sealed record Done(TaskRow Task, bool Changed = true) : TaskChange;
    public sealed record NotFound : TaskChange;
    public sealed record Forbidden(string Message) : TaskChange;
    public sealed record Conflict(string Message) : TaskChange;
    public sealed record BadOutcome(string Message) : TaskChange;
}

/// <summary>
/// Claiming and completing inbox tasks (docs/tasks.md). Every change is guarded in the database, so two people acting on
/// one task at the same moment get one success and one conflict: a claim and a standalone completion are single
/// <c>UPDATE … WHERE Status IN (Open, Claimed)</c> statements; a workflow task is completed by resuming its bookmark
/// (<see cref="WorkflowRuntime.CompleteTaskAsync"/>), whose commit deletes the bookmark row (the claim) and marks the task
/// row in the same transaction.
/// </summary>
public sealed class TaskWork(IDbContextFactory<ReconnectDbContext> contexts, WorkflowRuntime runtime, ControllableTimeProvider clock)
{
    public const int MaxNotesLength = 4000;

    // ------------------------------------------------------------------ the use cases, for a signed-in user (API and pages)

    /// <summary>A page of tasks the caller may see (<c>GET /api/tasks</c>).</summary>
    public async Task<TaskListResult> ListAsync(ClaimsPrincipal user, TaskListQuery query, CancellationToken cancellationToken = default)
    {
        var viewer = await ViewerAsync(user, cancellationToken);
        if (viewer is null) return new TaskListResult.Forbidden("Only navigators, managers and admins see tasks.");
        if (viewer.Kind == TaskViewerKind.Navigator && query.Site is not null && !string.Equals(query.Site, viewer.Site, StringComparison.OrdinalIgnoreCase))
            return new TaskListResult.Forbidden("A navigator sees the tasks of their own site only.");
        if (query.Attention) return await AttentionAsync(user, viewer, query, cancellationToken);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var result = await TaskInboxQuery.RunAsync(db, new TaskInboxRequest
        {
            Viewer = viewer,
            Assignee = query.Assignee,
            Statuses = query.Statuses,
            Site = viewer.Kind == TaskViewerKind.Navigator ? null : query.Site,
            OverdueOnly = query.OverdueOnly,
            Now = now,
            Page = query.Page,
            PageSize = query.PageSize,
        }, cancellationToken);
        var items = await WithPeopleAsync(db, user, result.Items.Select(t => TaskDto.From(t, result.AssigneeNames, now)).ToList(), null, cancellationToken);
        return new TaskListResult.Page(new TaskPage(items, query.Page, query.PageSize, result.HasMore));
    }

    /// <summary>
    /// The managers' "Needs attention" list (<c>GET /api/tasks?view=attention</c>, the Needs attention page): escalated
    /// tasks still open, of every site or one. Managers only (admins read tasks, but this is a list to act on).
    /// </summary>
    public async Task<TaskListResult> AttentionAsync(ClaimsPrincipal user, TaskListQuery query, CancellationToken cancellationToken = default)
    {
        var viewer = await ViewerAsync(user, cancellationToken);
        if (viewer is null) return new TaskListResult.Forbidden("Only navigators, managers and admins see tasks.");
        return await AttentionAsync(user, viewer, query with { Attention = true }, cancellationToken);
    }

    private async Task<TaskListResult> AttentionAsync(ClaimsPrincipal user, TaskViewer viewer, TaskListQuery query, CancellationToken cancellationToken)
    {
        if (viewer.Kind != TaskViewerKind.Manager) return new TaskListResult.Forbidden("The Needs attention list is the managers'.");
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var result = await TaskInboxQuery.AttentionAsync(db, query.Site, query.Page, query.PageSize, cancellationToken);
        var items = await WithPeopleAsync(db, user, result.Items.Select(t => TaskDto.From(t, result.AssigneeNames, now)).ToList(), null, cancellationToken);
        return new TaskListResult.Page(new TaskPage(items, query.Page, query.PageSize, result.HasMore));
    }

    /// <summary>One task the caller may see, or null (not there, or not theirs to see: the same answer).</summary>
    public async Task<TaskListResult> GetAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        var viewer = await ViewerAsync(user, cancellationToken);
        if (viewer is null) return new TaskListResult.Forbidden("Only navigators, managers and admins see tasks.");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var task = await TaskInboxQuery.FindAsync(db, viewer, id, cancellationToken);
        if (task is null) return new TaskListResult.NotFound();
        var dto = TaskDto.From(task, await TaskInboxQuery.NamesAsync(db, [task], cancellationToken), clock.GetUtcNow());
        return new TaskListResult.One((await WithPeopleAsync(db, user, [dto], null, cancellationToken))[0]);
    }

    /// <summary>
    /// The inbox page: the caller's own tasks and the queue they may take (a manager's queue is the managers'), as the
    /// API's <c>assignee=me</c> and <c>assignee=unassigned</c> lists would give them.
    /// </summary>
    /// <param name="alreadyShown">Referrals this inbox showed before (its re-reads audit only those newly shown).</param>
    public async Task<InboxView?> InboxAsync(ClaimsPrincipal user, int pageSize, IReadOnlySet<string>? alreadyShown = null, CancellationToken cancellationToken = default)
    {
        var viewer = await ViewerAsync(user, cancellationToken);
        if (viewer is null) return null;
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var mine = await TaskInboxQuery.RunAsync(db, new TaskInboxRequest { Viewer = viewer, Assignee = TaskAssigneeFilter.Me, Now = now, PageSize = pageSize }, cancellationToken);
        var queue = await TaskInboxQuery.RunAsync(db, new TaskInboxRequest { Viewer = viewer, Assignee = TaskAssigneeFilter.Unassigned, Now = now, PageSize = pageSize }, cancellationToken);
        var rows = mine.Items.Concat(queue.Items.Where(t => TaskInboxQuery.CanWork(viewer, t))).DistinctBy(t => t.Id).ToList();
        var names = mine.AssigneeNames.Concat(queue.AssigneeNames).DistinctBy(n => n.Key).ToDictionary(n => n.Key, n => n.Value, StringComparer.Ordinal);
        var tasks = await WithPeopleAsync(db, user, rows.Select(t => TaskDto.From(t, names, now)).ToList(), alreadyShown, cancellationToken);
        return new InboxView(viewer, tasks, rows.Where(r => TaskInboxQuery.CanWork(viewer, r)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal), mine.HasMore || queue.HasMore);
    }

    /// <summary>
    /// The person each task is about, its release date and how late it is. Whoever sees a task may see who it is about
    /// (a navigator's tasks are their site's or their own); the referrals shown to a <paramref name="user"/> are audited as
    /// a <c>list</c> row of the task list naming their ids, which the audit log finds for each of them (an inbox's
    /// re-reads write one only for referrals it had not shown yet).
    /// </summary>
    private async Task<List<TaskDto>> WithPeopleAsync(ReconnectDbContext db, ClaimsPrincipal? user, List<TaskDto> tasks, IReadOnlySet<string>? alreadyShown,
        CancellationToken cancellationToken)
    {
        var ids = tasks.Select(t => t.ReferralId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var people = ids.Count == 0 ? [] : await db.Referrals.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.Reference, r.GivenName, r.FamilyName, r.PrisonNumber, r.ReleaseDate })
            .ToDictionaryAsync(r => r.Id, StringComparer.Ordinal, cancellationToken);
        var today = Engine.Time.LondonTime.Today(clock.GetUtcNow());
        var shown = people.Keys.Where(id => alreadyShown is null || !alreadyShown.Contains(id)).ToList();
        if (user is not null && shown.Count > 0)
            await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.List, AuditTrail.Task, null,
                new JsonObject { ["view"] = "tasks", ["ids"] = new JsonArray([.. shown.Select(i => (JsonNode)i)]) });
        var reviews = await OverdueReviews.DescribeAsync(db, tasks, today, cancellationToken);
        return tasks.Select(t =>
        {
            if (reviews.TryGetValue(t.Id, out var review)) t = t with { Review = review };
            var late = t.Overdue && t.DueDate is { } d ? Math.Max(0, today.DayNumber - DateOnly.ParseExact(d, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).DayNumber) : (int?)null;
            if (t.ReferralId is null || !people.TryGetValue(t.ReferralId, out var p)) return t with { DaysOverdue = late };
            return t with
            {
                Person = new PersonOnTask(p.GivenName, p.FamilyName, p.PrisonNumber),
                Reference = p.Reference,
                ReleaseDate = p.ReleaseDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                DaysOverdue = late,
            };
        }).ToList();
    }

    /// <summary>Claims a task for the caller; a claim that changed something is audited.</summary>
    public async Task<TaskChange> ClaimAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        var viewer = await ViewerAsync(user, cancellationToken);
        if (viewer is null) return new TaskChange.Forbidden("Only navigators and managers claim tasks.");
        var change = await ClaimAsync(viewer, id, cancellationToken);
        await AuditAsync(change, AuditActions.Claim, user, null);
        return change;
    }

    /// <summary>
    /// Completes a task with an outcome (and notes); audited with the outcome, the audit row written in the same
    /// transaction as the completion (the step it resumes, or the standalone task's update).
    /// </summary>
    public async Task<TaskChange> CompleteAsync(ClaimsPrincipal user, string id, string outcome, string? notes, CancellationToken cancellationToken = default)
    {
        var viewer = await ViewerAsync(user, cancellationToken);
        if (viewer is null) return new TaskChange.Forbidden("Only navigators and managers complete tasks.");
        return await CompleteCoreAsync(viewer, id, outcome, notes, user, cancellationToken);
    }

    /// <summary>The audit row of a claim or completion that changed something (ids and the outcome, never notes).</summary>
    private async Task AuditAsync(TaskChange change, string action, ClaimsPrincipal user, string? outcome)
    {
        if (change is not TaskChange.Done { Changed: true } done) return;
        var detail = new JsonObject { ["referralId"] = done.Task.ReferralId, ["status"] = done.Task.Status };
        if (outcome is not null) detail["outcome"] = outcome;
        await AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.Task, done.Task.Id, detail);
    }

    /// <summary>The task as the API answers it after a change.</summary>
    public async Task<TaskDto> DtoAsync(TaskRow task, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var dto = TaskDto.From(task, await TaskInboxQuery.NamesAsync(db, [task], cancellationToken), clock.GetUtcNow());
        // No audit row: the caller has just claimed or completed this task.
        return (await WithPeopleAsync(db, null, [dto], null, cancellationToken))[0];
    }

    // ------------------------------------------------------------------ the same for a viewer already known (no audit row)

    /// <summary>The viewer for a signed-in user with a task role (a navigator's site from their account), or null.</summary>
    public async Task<TaskViewer?> ViewerAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null) return null;
        if (user.IsInRole(Roles.Admin)) return new TaskViewer(id, TaskViewerKind.Admin, null);
        if (user.IsInRole(Roles.Manager)) return new TaskViewer(id, TaskViewerKind.Manager, null);
        if (!user.IsInRole(Roles.Navigator)) return null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var site = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.Site).FirstOrDefaultAsync(cancellationToken);
        return new TaskViewer(id, TaskViewerKind.Navigator, site);
    }

    public async Task<TaskChange> ClaimAsync(TaskViewer viewer, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var task = await TaskInboxQuery.FindAsync(db, viewer, id, cancellationToken);
        if (task is null) return new TaskChange.NotFound();
        if (task.Status is TaskStatuses.Completed or TaskStatuses.Cancelled) return new TaskChange.Conflict($"The task is already {task.Status.ToLowerInvariant()}.");
        // Not theirs to work even were it free (a manager and a navigator task): 403; free for them but taken: 409.
        if (!TaskInboxQuery.CanWork(viewer, task) && !TaskInboxQuery.CanWork(viewer, task with { Assignee = null })) return new TaskChange.Forbidden(Forbidden(viewer));
        if (task.Assignee is { } other && other != viewer.UserId) return new TaskChange.Conflict("The task is claimed by someone else.");
        if (task.Status == TaskStatuses.Claimed) return new TaskChange.Done(task, Changed: false); // already theirs

        var me = viewer.UserId;
        var now = clock.GetUtcNow();
        // The guard repeats what was checked, so whoever comes second (or a completion in between) changes nothing.
        var changed = await db.Tasks
            .Where(t => t.Id == id && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && (t.Assignee == null || t.Assignee == me))
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Assignee, me)
                .SetProperty(t => t.Status, TaskStatuses.Claimed)
                .SetProperty(t => t.ClaimedBy, me)
                .SetProperty(t => t.ClaimedAt, now), cancellationToken);
        var after = await TaskInboxQuery.FindAsync(db, viewer, id, CancellationToken.None);
        if (changed == 1 && after is not null) return new TaskChange.Done(after);
        return new TaskChange.Conflict("The task was claimed, completed or cancelled by someone else just now.");
    }

    public Task<TaskChange> CompleteAsync(TaskViewer viewer, string id, string outcome, string? notes, CancellationToken cancellationToken) =>
        CompleteCoreAsync(viewer, id, outcome, notes, auditAs: null, cancellationToken);

    /// <summary>Completes for a viewer already read, audited as <paramref name="auditAs"/>.</summary>
    internal Task<TaskChange> CompleteAsync(TaskViewer viewer, ClaimsPrincipal auditAs, string id, string outcome, string? notes, CancellationToken cancellationToken) =>
        CompleteCoreAsync(viewer, id, outcome, notes, auditAs, cancellationToken);

    private async Task<TaskChange> CompleteCoreAsync(TaskViewer viewer, string id, string outcome, string? notes, ClaimsPrincipal? auditAs, CancellationToken cancellationToken)
    {
        TaskRow? task;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            task = await TaskInboxQuery.FindAsync(db, viewer, id, cancellationToken);
        return await CompleteReadAsync(viewer, task, id, outcome, notes, auditAs, cancellationToken);
    }

    /// <summary>
    /// Completes a task the caller has just read as <paramref name="viewer"/> sees it (<see cref="TaskInboxQuery.FindAsync"/>;
    /// null: not there or not theirs to see), audited as <paramref name="auditAs"/>. The read only answers the checks
    /// early: the step's claim of the bookmark (or the standalone task's guarded UPDATE) decides, as after a fresh read.
    /// </summary>
    internal async Task<TaskChange> CompleteReadAsync(TaskViewer viewer, TaskRow? task, string id, string outcome, string? notes, ClaimsPrincipal? auditAs,
        CancellationToken cancellationToken)
    {
        if (task is null) return new TaskChange.NotFound();
        if (task.Status is TaskStatuses.Completed or TaskStatuses.Cancelled) return new TaskChange.Conflict($"The task is already {task.Status.ToLowerInvariant()}.");
        // Not theirs to work even were it free (a manager and a navigator task): 403; free for them but taken: 409.
        if (!TaskInboxQuery.CanWork(viewer, task) && !TaskInboxQuery.CanWork(viewer, task with { Assignee = null })) return new TaskChange.Forbidden(Forbidden(viewer));
        if (task.Assignee is { } other && other != viewer.UserId) return new TaskChange.Conflict("The task is claimed by someone else.");
        var outcomes = TaskDto.ParseOutcomes(task.OutcomesJson);
        if (outcomes.Count > 0 && !outcomes.Contains(outcome, StringComparer.Ordinal))
            return new TaskChange.BadOutcome($"'{outcome}' is not an outcome of this task ({string.Join(", ", outcomes)}).");

        var me = viewer.UserId;
        DateTimeOffset completedAt;
        // The audit row of the completion (ids and the outcome, never notes), committed with it.
        var audit = auditAs is null ? null : AuditTrail.Effect(auditAs, clock, AuditActions.Complete, AuditTrail.Task, id,
            new JsonObject { ["referralId"] = task.ReferralId, ["status"] = TaskStatuses.Completed, ["outcome"] = outcome });
        if (task.BookmarkId.Length > 0)
        {
            var data = new JsonObject { ["completedBy"] = me };
            if (notes is not null) data["notes"] = notes;
            var result = await runtime.CompleteTaskAsync(id, outcome, data, audit is null ? null : [audit], cancellationToken);
            switch (result.Status)
            {
                case ResumeStatus.Resumed:
                    completedAt = result.State!.UpdatedAt; // what the step wrote as the task's CompletedAt
                    break;
                case ResumeStatus.NotApplicable:
                    return new TaskChange.BadOutcome(result.Message ?? $"'{outcome}' is not an outcome of this task.");
                default:
                    return new TaskChange.Conflict("The task was completed or cancelled by someone else just now.");
            }
        }
        else
        {
            // A standalone task (raised by the daily check) has no bookmark: the guarded UPDATE is the whole completion.
            var now = completedAt = clock.GetUtcNow();
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var changed = await db.Tasks
                .Where(t => t.Id == id && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && (t.Assignee == null || t.Assignee == me))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.Status, TaskStatuses.Completed)
                    .SetProperty(t => t.Outcome, outcome)
                    .SetProperty(t => t.Notes, t => notes ?? t.Notes)
                    .SetProperty(t => t.CompletedBy, me)
                    .SetProperty(t => t.CompletedAt, now), cancellationToken);
            if (changed != 1) return new TaskChange.Conflict("The task was claimed, completed or cancelled by someone else just now.");
            if (audit is not null)
            {
                db.AuditEntries.Add(AuditTrail.Row(audit.At, audit.UserId, audit.UserName, audit.Action, audit.EntityType, audit.EntityId, audit.Detail));
                await db.SaveChangesAsync(CancellationToken.None);
            }
            // Not the request's token from here: the completion and its audit row commit together.
            await tx.CommitAsync(CancellationToken.None);
        }
        // The row as the completion left it, from the read above and what was written (no read-back: the claim of the
        // bookmark, or the guarded UPDATE, proved the task was this one and open until now).
        return new TaskChange.Done(task with
        {
            Status = TaskStatuses.Completed, Outcome = outcome, Notes = notes ?? task.Notes, CompletedBy = me, CompletedAt = completedAt,
        });
    }

    private static string Forbidden(TaskViewer viewer) => viewer.Kind switch
    {
        TaskViewerKind.Manager => "Managers claim and complete manager tasks only.",
        TaskViewerKind.Admin => "Admins read tasks; navigators and managers work them.",
        _ => "This task is not yours to work.",
    };
}
