using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;
using Reconnect.Workflows.Referrals.Activities;

namespace Reconnect.Workflows.Application.Tasks;

/// <summary>What a "Review: overdue task" is about, read live: the overdue task, its navigator and how late it is now.</summary>
public sealed record OverdueReviewDto(string TaskId, string TaskTitle, string TaskStatus, string? NavigatorId, string? NavigatorName, string? DueDate, int DaysOverdue);

/// <summary>A navigator a task can be given to.</summary>
public sealed record NavigatorOption(string Id, string Name);

/// <summary>
/// The manager's review of an overdue task (raised by the daily check, <see cref="ReferralChecks.EscalateOverdueTasks"/>):
/// <see cref="Reassign"/> gives the overdue task to another navigator of its site (<see cref="Allocation.AssignAsync"/>),
/// <see cref="Chase"/> leaves it with its navigator, writes a line on the case's history and tells their open inbox,
/// <see cref="Done"/> only closes the review. Each then completes the review task (audited as a completion). Any other
/// task is completed as it always was (<see cref="TaskWork.CompleteAsync(ClaimsPrincipal, string, string, string?, CancellationToken)"/>).
/// </summary>
public sealed class OverdueReviews(
    IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, TaskWork tasks, Allocation allocation, TaskNotifications notifications)
{
    public const string Reassign = "Reassign";
    public const string Chase = "Chase";
    public const string Done = "Done";

    /// <summary>The outcomes of a review task, in the order they are offered.</summary>
    public static readonly IReadOnlyList<string> Outcomes = [Reassign, Chase, Done];

    /// <summary>Completes a task; a review's Reassign needs <paramref name="assigneeId"/>, a navigator of the overdue task's site.</summary>
    public async Task<TaskChange> CompleteAsync(ClaimsPrincipal user, string id, string outcome, string? notes, string? assigneeId, CancellationToken cancellationToken = default)
    {
        var viewer = await tasks.ViewerAsync(user, cancellationToken);
        if (viewer is null) return new TaskChange.Forbidden("Only navigators and managers complete tasks.");
        return await CompleteAsync(viewer, user, id, outcome, notes, assigneeId, cancellationToken);
    }

    /// <summary>
    /// The same for a viewer the caller has read already (the API reads it first, to answer 403 before the body): the
    /// viewer and the task are read once for the whole completion.
    /// </summary>
    public async Task<TaskChange> CompleteAsync(TaskViewer viewer, ClaimsPrincipal user, string id, string outcome, string? notes, string? assigneeId,
        CancellationToken cancellationToken = default)
    {
        var (task, review) = await FindReviewAsync(viewer, id, cancellationToken);
        if (review is null || outcome == Done) return await tasks.CompleteReadAsync(viewer, task, id, outcome, notes, user, cancellationToken);
        var (row, overdue) = review.Value;
        if (row.Status is TaskStatuses.Completed or TaskStatuses.Cancelled) return new TaskChange.Conflict($"The task is already {row.Status.ToLowerInvariant()}.");
        if (!TaskDto.ParseOutcomes(row.OutcomesJson).Contains(outcome, StringComparer.Ordinal))
            return await tasks.CompleteReadAsync(viewer, task, id, outcome, notes, user, cancellationToken); // says which outcomes there are
        if (overdue is null) return new TaskChange.Conflict("The overdue task is gone; close the review with Done.");
        if (overdue.Status is not (TaskStatuses.Open or TaskStatuses.Claimed))
            return new TaskChange.Conflict($"'{overdue.Title}' is already {overdue.Status.ToLowerInvariant()}; close the review with Done.");

        var me = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (outcome == Reassign)
        {
            if (string.IsNullOrWhiteSpace(assigneeId)) return new TaskChange.BadOutcome("Reassign needs the navigator to give the task to.");
            switch (await allocation.AssignAsync(user, overdue.Id, new AssignTaskRequest(assigneeId), cancellationToken))
            {
                case AllocationResult.Done:
                    break;
                case AllocationResult.Invalid invalid:
                    return new TaskChange.BadOutcome(string.Join(" ", invalid.Errors.SelectMany(e => e.Value.Select(m => $"The navigator {m}."))));
                case AllocationResult.Forbidden forbidden:
                    return new TaskChange.Forbidden(forbidden.Message);
                case AllocationResult.Conflict conflict:
                    return new TaskChange.Conflict(conflict.Message);
                default:
                    return new TaskChange.Conflict("The overdue task could not be reassigned.");
            }
            await HistoryAsync(overdue.ReferralId, "reassigned",
                $"Overdue task '{overdue.Title}' given to {await NameAsync(assigneeId, cancellationToken) ?? "another navigator"} after a manager's review", me, cancellationToken);
        }
        else
        {
            var late = DaysLate(overdue.DueAt);
            await HistoryAsync(overdue.ReferralId, "chased",
                $"Chased: '{overdue.Title}' is {Days(late)} overdue; it stays with {await NameAsync(overdue.Assignee, cancellationToken) ?? "the site's queue"}", me, cancellationToken);
            // The navigator's open inbox re-reads and shows it again at the top of what is late.
            notifications.TasksCommitted([new TaskCommitNotice(overdue.Id, overdue.Site, overdue.Assignee, overdue.AssigneeRole, overdue.ReferralId)]);
        }
        // Read again: the reassignment or the chase took time, and the review may have moved meanwhile.
        return await tasks.CompleteAsync(viewer, user, id, outcome, notes, cancellationToken);
    }

    /// <summary>The active navigators of a site, by name: whom a review may give the overdue task to.</summary>
    public async Task<IReadOnlyList<NavigatorOption>> NavigatorsAsync(string? site, CancellationToken cancellationToken = default)
    {
        if (site is null) return [];
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var navigatorRole = await db.Roles.AsNoTracking().Where(r => r.Name == Roles.Navigator).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var rows = await db.Users.AsNoTracking()
            .Where(u => u.Site == site && u.DeactivatedAt == null && db.UserRoles.Any(ur => ur.UserId == u.Id && ur.RoleId == navigatorRole))
            .Select(u => new { u.Id, Name = u.DisplayName ?? u.UserName ?? u.Id })
            .ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.Name, StringComparer.CurrentCulture).Select(r => new NavigatorOption(r.Id, r.Name)).ToList();
    }

    /// <summary>
    /// What each review task of the list is about (the overdue task, its navigator, days overdue today), for the tasks
    /// that are reviews of an overdue task; read in two queries whatever the number of tasks.
    /// </summary>
    internal static async Task<IReadOnlyDictionary<string, OverdueReviewDto>> DescribeAsync(ReconnectDbContext db, IReadOnlyCollection<TaskDto> list, DateOnly today,
        CancellationToken cancellationToken)
    {
        var managerTasks = list.Where(t => t.AssigneeRole == Roles.Manager && t.ReferralId is not null).Select(t => t.Id).ToList();
        if (managerTasks.Count == 0) return new Dictionary<string, OverdueReviewDto>();
        var reviews = await db.Tasks.AsNoTracking()
            .Where(t => managerTasks.Contains(t.Id) && t.ActivityId == ReferralChecks.EscalateOverdueTasks)
            .Select(t => new { t.Id, t.DataJson })
            .ToListAsync(cancellationToken);
        var overdueOf = reviews.Select(r => (r.Id, Overdue: OverdueTaskId(r.DataJson))).Where(r => r.Overdue is not null)
            .ToDictionary(r => r.Id, r => r.Overdue!, StringComparer.Ordinal);
        if (overdueOf.Count == 0) return new Dictionary<string, OverdueReviewDto>();
        var ids = overdueOf.Values.Distinct(StringComparer.Ordinal).ToList();
        var overdue = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id))
            .Select(t => new { t.Id, t.Title, t.Status, t.Assignee, t.DueAt })
            .ToDictionaryAsync(t => t.Id, StringComparer.Ordinal, cancellationToken);
        var assignees = overdue.Values.Select(t => t.Assignee).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var names = await db.Users.AsNoTracking().Where(u => assignees.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName ?? u.UserName }).ToDictionaryAsync(u => u.Id, u => u.Name, StringComparer.Ordinal, cancellationToken);
        var described = new Dictionary<string, OverdueReviewDto>(StringComparer.Ordinal);
        foreach (var (reviewId, overdueId) in overdueOf)
        {
            if (!overdue.TryGetValue(overdueId, out var t)) continue;
            var due = t.DueAt is { } at ? LondonTime.ToLondonDate(at) : (DateOnly?)null;
            described[reviewId] = new OverdueReviewDto(t.Id, t.Title, t.Status, t.Assignee,
                t.Assignee is not null && names.TryGetValue(t.Assignee, out var name) ? name : null,
                due?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                due is { } d && t.Status is TaskStatuses.Open or TaskStatuses.Claimed ? Math.Max(0, today.DayNumber - d.DayNumber) : 0);
        }
        return described;
    }

    /// <summary>"1 day", "4 days".</summary>
    public static string Days(int days) => days == 1 ? "1 day" : $"{days} days";

    /// <summary>The task as the viewer sees it (null: none) and, when it is a review of an overdue task, that task.</summary>
    private async Task<(TaskRow? Task, (TaskRow Review, OverdueTask? Overdue)? Review)> FindReviewAsync(TaskViewer viewer, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await TaskInboxQuery.FindAsync(db, viewer, id, cancellationToken);
        if (row is null || row.AssigneeRole != Roles.Manager) return (row, null);
        var data = await db.Tasks.AsNoTracking().Where(t => t.Id == id && t.ActivityId == ReferralChecks.EscalateOverdueTasks)
            .Select(t => new { t.DataJson }).FirstOrDefaultAsync(cancellationToken);
        if (data is null) return (row, null);
        var overdueId = OverdueTaskId(data.DataJson);
        var overdue = overdueId is null ? null : await db.Tasks.AsNoTracking().Where(t => t.Id == overdueId)
            .Select(t => new OverdueTask(t.Id, t.Title, t.Status, t.Assignee, t.AssigneeRole, t.Site, t.SubjectId, t.DueAt))
            .FirstOrDefaultAsync(cancellationToken);
        return (row, (row, overdue));
    }

    private sealed record OverdueTask(string Id, string Title, string Status, string? Assignee, string? AssigneeRole, string? Site, string? ReferralId, DateTimeOffset? DueAt);

    private int DaysLate(DateTimeOffset? dueAt) =>
        dueAt is { } due ? Math.Max(0, LondonTime.Today(clock.GetUtcNow()).DayNumber - LondonTime.ToLondonDate(due).DayNumber) : 0;

    private async Task<string?> NameAsync(string? userId, CancellationToken cancellationToken)
    {
        if (userId is null) return null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName ?? u.UserName).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task HistoryAsync(string? referralId, string kind, string summary, string? by, CancellationToken cancellationToken)
    {
        if (referralId is null) return;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        ReferralEffectWriter.History(db, referralId, clock.GetUtcNow(), kind, summary.Length <= 300 ? summary : summary[..300], null, by);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string? OverdueTaskId(string? dataJson)
    {
        if (dataJson is null) return null;
        try
        {
            return (JsonNode.Parse(dataJson) as JsonObject)?["overdueTaskId"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
