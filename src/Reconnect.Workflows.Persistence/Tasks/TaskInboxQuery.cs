using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence.Tasks;

/// <summary>The role a task waits on when unassigned (<see cref="WorkflowTaskRecord.AssigneeRole"/>), as the referral domain writes it.</summary>
public static class TaskAssigneeRoles
{
    public const string Navigator = "Navigator";
    public const string Manager = "Manager";
}

public enum TaskViewerKind { Navigator, Manager, Admin }

/// <summary>Who is looking: a navigator belongs to a site; managers and admins see every site.</summary>
public sealed record TaskViewer(string UserId, TaskViewerKind Kind, string? Site);

public enum TaskAssigneeFilter { Me, Unassigned, All }

/// <summary>What an inbox page asks for. <see cref="Now"/> is the workflow clock (overdue is "due before now").</summary>
public sealed record TaskInboxRequest
{
    public required TaskViewer Viewer { get; init; }
    public TaskAssigneeFilter Assignee { get; init; } = TaskAssigneeFilter.All;
    /// <summary>Row statuses (<see cref="TaskStatuses"/>); "open" in the API is Open + Claimed.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [TaskStatuses.Open, TaskStatuses.Claimed];
    /// <summary>Managers and admins only: one site. A navigator is always limited to their own.</summary>
    public string? Site { get; init; }
    public bool OverdueOnly { get; init; }
    public required DateTimeOffset Now { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}

/// <summary>The columns an inbox line needs (never <see cref="WorkflowTaskRecord.DataJson"/>).</summary>
public sealed record TaskRow(
    string Id, string Title, string? Description, string? ReferralId, string? Site, string? Assignee, string? AssigneeRole,
    string Status, DateTimeOffset? DueAt, bool IsOverdue, string OutcomesJson, string? Outcome, string? Notes,
    string BookmarkId, string? ClaimedBy, DateTimeOffset? ClaimedAt, string? CompletedBy, DateTimeOffset? CompletedAt, DateTimeOffset CreatedAt,
    DateTimeOffset? EscalatedAt = null)
{
    /// <summary>Live: open or claimed, and due before <paramref name="now"/> or flagged by the daily check.</summary>
    public bool OverdueAt(DateTimeOffset now) =>
        Status is TaskStatuses.Open or TaskStatuses.Claimed && (IsOverdue || DueAt < now);
}

public sealed record TaskInboxPage(IReadOnlyList<TaskRow> Items, IReadOnlyDictionary<string, string?> AssigneeNames, bool HasMore);

/// <summary>
/// The inbox query (SPEC §7, §11: p95 ≤ 10 ms with 100,000 open tasks), used by <c>GET /api/tasks</c> and by the
/// <c>inbox</c> benchmark. Order: due date ascending (so everything overdue by date comes first), tasks without a due
/// date last, ties by id.
/// <para>
/// Never one big sort: what a viewer may see is one or two <em>scopes</em>, each an equality prefix of an index —
/// <c>(Assignee, Status, DueAt)</c> for "mine", <c>(Site, Status, DueAt)</c> for a site's queue, <c>(Status, DueAt)</c>
/// for a manager's all-sites view. Each (scope, status) pair is read as its own <c>ORDER BY DueAt LIMIT k</c> range
/// scan (k = page × pageSize + 1), and the few sorted lists are merged here. A <c>Status IN (…)</c> or an OR of scopes
/// in one statement would make the database sort every matching row instead.
/// </para>
/// </summary>
public static class TaskInboxQuery
{
    /// <summary>Deepest row a page may reach (page × pageSize): each list reads at most this many rows.</summary>
    public const int MaxDepth = 10_000;

    public static async Task<TaskInboxPage> RunAsync(ReconnectDbContext db, TaskInboxRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Page < 1 || request.PageSize < 1 || (long)request.Page * request.PageSize > MaxDepth)
            throw new ArgumentOutOfRangeException(nameof(request), $"page × pageSize must be at most {MaxDepth}.");
        var limit = request.Page * request.PageSize + 1;
        var statuses = request.OverdueOnly
            ? request.Statuses.Where(s => s is TaskStatuses.Open or TaskStatuses.Claimed).ToList()
            : request.Statuses.Distinct().ToList();
        var scopes = Scopes(request);
        var now = request.Now;

        var dated = new List<TaskRow>();
        foreach (var scope in scopes)
            foreach (var status in statuses)
            {
                var q = db.Tasks.AsNoTracking().Where(scope).Where(t => t.Status == status && t.DueAt != null);
                if (request.OverdueOnly) q = q.Where(t => t.DueAt < now || t.IsOverdue);
                dated.AddRange(await Project(q.OrderBy(t => t.DueAt).ThenBy(t => t.Id).Take(limit)).ToListAsync(cancellationToken));
            }
        var rows = dated.OrderBy(r => r.DueAt).ThenBy(r => r.Id, StringComparer.Ordinal).Take(limit).ToList();

        if (rows.Count < limit)
        {
            // Only when the dated tasks do not fill the page: those without a due date, by id, after them.
            var undated = new List<TaskRow>();
            foreach (var scope in scopes)
                foreach (var status in statuses)
                {
                    var q = db.Tasks.AsNoTracking().Where(scope).Where(t => t.Status == status && t.DueAt == null);
                    if (request.OverdueOnly) q = q.Where(t => t.IsOverdue);
                    undated.AddRange(await Project(q.OrderBy(t => t.Id).Take(limit - rows.Count)).ToListAsync(cancellationToken));
                }
            rows.AddRange(undated.OrderBy(r => r.Id, StringComparer.Ordinal).Take(limit - rows.Count));
        }

        var page = rows.Skip((request.Page - 1) * request.PageSize).ToList();
        var hasMore = page.Count > request.PageSize;
        if (hasMore) page.RemoveRange(request.PageSize, page.Count - request.PageSize);
        return new TaskInboxPage(page, await NamesAsync(db, page, cancellationToken), hasMore);
    }

    /// <summary>
    /// The managers' "Needs attention" list: open and claimed tasks that were escalated (docs/tasks.md), every site or
    /// one, the longest escalated first, then by id. Read by the <c>(Status, EscalatedAt)</c> index, one range per status.
    /// </summary>
    public static async Task<TaskInboxPage> AttentionAsync(ReconnectDbContext db, string? site, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        if (page < 1 || pageSize < 1 || (long)page * pageSize > MaxDepth)
            throw new ArgumentOutOfRangeException(nameof(page), $"page × pageSize must be at most {MaxDepth}.");
        var limit = page * pageSize + 1;
        var rows = new List<TaskRow>();
        foreach (var status in new[] { TaskStatuses.Open, TaskStatuses.Claimed })
        {
            var q = db.Tasks.AsNoTracking().Where(t => t.Status == status && t.EscalatedAt != null);
            if (site is not null) q = q.Where(t => t.Site == site);
            rows.AddRange(await Project(q.OrderBy(t => t.EscalatedAt).ThenBy(t => t.Id).Take(limit)).ToListAsync(cancellationToken));
        }
        var items = rows.OrderBy(r => r.EscalatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Skip((page - 1) * pageSize).Take(pageSize + 1).ToList();
        var hasMore = items.Count > pageSize;
        if (hasMore) items.RemoveAt(pageSize);
        return new TaskInboxPage(items, await NamesAsync(db, items, cancellationToken), hasMore);
    }

    /// <summary>One task by id, or null when there is none or the viewer may not see it (a navigator: another site's).</summary>
    public static async Task<TaskRow?> FindAsync(ReconnectDbContext db, TaskViewer viewer, string id, CancellationToken cancellationToken = default)
    {
        var row = await Project(db.Tasks.AsNoTracking().Where(t => t.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return row is not null && CanSee(viewer, row) ? row : null;
    }

    public static async Task<IReadOnlyDictionary<string, string?>> NamesAsync(ReconnectDbContext db, IReadOnlyList<TaskRow> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.Assignee).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return new Dictionary<string, string?>(StringComparer.Ordinal);
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName ?? u.UserName, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>
    /// A navigator sees their own tasks (assigned to them) and their site's unclaimed navigator queue; managers and admins see
    /// every task of every site.
    /// </summary>
    public static bool CanSee(TaskViewer viewer, TaskRow task) => viewer.Kind switch
    {
        TaskViewerKind.Navigator => task.Assignee == viewer.UserId
            || (viewer.Site is not null && task.Site == viewer.Site && task.Assignee is null && task.AssigneeRole == TaskAssigneeRoles.Navigator),
        _ => true,
    };

    /// <summary>
    /// Who may claim or complete: a navigator, the tasks they see; a manager, manager tasks that are unassigned or theirs;
    /// an admin, none (admins read).
    /// </summary>
    public static bool CanWork(TaskViewer viewer, TaskRow task) => viewer.Kind switch
    {
        TaskViewerKind.Navigator => CanSee(viewer, task),
        TaskViewerKind.Manager => task.AssigneeRole == TaskAssigneeRoles.Manager && (task.Assignee is null || task.Assignee == viewer.UserId),
        _ => false,
    };

    private static List<Expression<Func<WorkflowTaskRecord, bool>>> Scopes(TaskInboxRequest request)
    {
        var viewer = request.Viewer;
        var me = viewer.UserId;
        var scopes = new List<Expression<Func<WorkflowTaskRecord, bool>>>();
        if (viewer.Kind == TaskViewerKind.Navigator)
        {
            var site = viewer.Site;
            if (site is null) return scopes;
            if (request.Assignee is TaskAssigneeFilter.Me or TaskAssigneeFilter.All)
                // Not "&& Site == site": SQLite (no statistics) would then pick the (Site, Status, DueAt) index and scan the
                // whole site. A navigator's own tasks are at their site anyway: assignment picks the site's navigators, and
                // a transfer moves the referral's open tasks to the new site's navigator.
                scopes.Add(t => t.Assignee == me);
            if (request.Assignee is TaskAssigneeFilter.Unassigned or TaskAssigneeFilter.All)
                scopes.Add(t => t.Site == site && t.Assignee == null && t.AssigneeRole == TaskAssigneeRoles.Navigator);
            return scopes;
        }
        var only = request.Site;
        scopes.Add((request.Assignee, only) switch
        {
            (TaskAssigneeFilter.Me, null) => t => t.Assignee == me,
            (TaskAssigneeFilter.Me, _) => t => t.Assignee == me && t.Site == only,
            (TaskAssigneeFilter.Unassigned, null) => t => t.Assignee == null,
            (TaskAssigneeFilter.Unassigned, _) => t => t.Site == only && t.Assignee == null,
            (_, null) => t => true,
            _ => t => t.Site == only,
        });
        return scopes;
    }

    private static IQueryable<TaskRow> Project(IQueryable<WorkflowTaskRecord> query) =>
        query.Select(t => new TaskRow(t.Id, t.Title, t.Description, t.SubjectId, t.Site, t.Assignee, t.AssigneeRole, t.Status, t.DueAt,
            t.IsOverdue, t.OutcomesJson, t.Outcome, t.Notes, t.BookmarkId, t.ClaimedBy, t.ClaimedAt, t.CompletedBy, t.CompletedAt, t.CreatedAt, t.EscalatedAt));
}
