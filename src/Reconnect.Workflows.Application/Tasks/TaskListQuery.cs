using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;

namespace Reconnect.Workflows.Application.Tasks;

/// <summary>What a task list asks for (<c>GET /api/tasks</c>), checked — every problem at once — by <see cref="TryParse"/>.</summary>
public sealed record TaskListQuery(TaskAssigneeFilter Assignee, IReadOnlyList<string> Statuses, string? Site, bool OverdueOnly, int Page, int PageSize)
{
    /// <summary><c>view=attention</c>: the managers' "Needs attention" list (escalated open tasks); assignee, status and overdue do not apply.</summary>
    public bool Attention { get; init; }

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static TaskListQuery? TryParse(string? assignee, string? status, string? site, string? overdue, string? page, string? pageSize,
        out Dictionary<string, string[]> errors) => TryParse(assignee, status, site, overdue, page, pageSize, view: null, out errors);

    public static TaskListQuery? TryParse(string? assignee, string? status, string? site, string? overdue, string? page, string? pageSize, string? view,
        out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var attention = (view ?? "tasks").ToLowerInvariant() switch
        {
            "tasks" => false,
            "attention" => true,
            _ => (bool?)null,
        };
        if (attention is null) errors["view"] = [$"'{(view!.Length > 40 ? view[..40] : view)}' is not one of tasks, attention."];
        var assigneeFilter = (assignee ?? "all").ToLowerInvariant() switch
        {
            "me" => TaskAssigneeFilter.Me,
            "unassigned" => TaskAssigneeFilter.Unassigned,
            "all" => TaskAssigneeFilter.All,
            _ => (TaskAssigneeFilter?)null,
        };
        if (assigneeFilter is null) errors["assignee"] = [$"'{assignee}' is not one of me, unassigned, all."];
        IReadOnlyList<string>? statuses = (status ?? "open").ToLowerInvariant() switch
        {
            "open" => [TaskStatuses.Open, TaskStatuses.Claimed],
            "completed" => [TaskStatuses.Completed],
            "cancelled" => [TaskStatuses.Cancelled],
            "all" => [TaskStatuses.Open, TaskStatuses.Claimed, TaskStatuses.Completed, TaskStatuses.Cancelled],
            _ => null,
        };
        if (statuses is null) errors["status"] = [$"'{status}' is not one of open, completed, cancelled, all."];
        var overdueOnly = false;
        if (overdue is not null && !bool.TryParse(overdue, out overdueOnly)) errors["overdue"] = [$"'{overdue}' is not true or false."];
        var pageNumber = WholeNumber(page, "page", 1, 1, TaskInboxQuery.MaxDepth, errors);
        var size = WholeNumber(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        if (!errors.ContainsKey("page") && !errors.ContainsKey("pageSize") && (long)pageNumber * size > TaskInboxQuery.MaxDepth)
            errors["page"] = [$"page × pageSize must be at most {TaskInboxQuery.MaxDepth:N0}; narrow the filter instead."];
        if (site is { Length: > 20 }) errors["site"] = ["is too long"];
        if (errors.Count > 0) return null;
        return new TaskListQuery(assigneeFilter!.Value, statuses!, string.IsNullOrEmpty(site) ? null : site, overdueOnly, pageNumber, size) { Attention = attention!.Value };
    }

    private static int WholeNumber(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        var before = errors.Count;
        var value = ReferralListQuery.Whole(text, field, fallback, min, max, errors);
        if (errors.Count > before) errors[field] = [$"'{text}' is not a whole number from {min} to {max}."];
        return value;
    }
}

public abstract record TaskListResult
{
    public sealed record Page(TaskPage Tasks) : TaskListResult;
    public sealed record One(TaskDto Task) : TaskListResult;
    public sealed record NotFound : TaskListResult;
    public sealed record Forbidden(string Message) : TaskListResult;
}

/// <summary>An inbox: who is looking, their tasks (unordered), the ids they may claim or complete, and whether more exist.</summary>
public sealed record InboxView(TaskViewer Viewer, IReadOnlyList<TaskDto> Tasks, IReadOnlySet<string> Workable, bool HasMore);
