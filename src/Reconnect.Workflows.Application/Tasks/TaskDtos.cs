using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;

namespace Reconnect.Workflows.Application.Tasks;

/// <summary>
/// A task as the inbox shows it (SPEC §7). <c>assignee</c> is always written (null = the queue's); <c>dueDate</c> is
/// the London date of <c>due</c>; <c>overdue</c> is computed live on the workflow clock.
/// </summary>
public sealed record TaskDto(
    string Id,
    string Title,
    string? ReferralId,
    string? Site,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Assignee,
    string? AssigneeName,
    string? AssigneeRole,
    string Status,
    string? DueDate,
    DateTimeOffset? Due,
    bool Overdue,
    IReadOnlyList<string> Outcomes,
    string? Outcome,
    string? Notes,
    string? Description,
    string? ClaimedBy,
    DateTimeOffset? ClaimedAt,
    string? CompletedBy,
    DateTimeOffset? CompletedAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>Who the task is about (the referral's person), for callers who may see that referral; null for tasks about no referral.</summary>
    public PersonOnTask? Person { get; init; }

    /// <summary>The referral's human reference (<c>LEI-2026-0042</c>), shown instead of its id.</summary>
    public string? Reference { get; init; }

    /// <summary>For a manager's "Review: overdue task": the overdue task, its navigator and days overdue now.</summary>
    public OverdueReviewDto? Review { get; init; }

    /// <summary>The referral's planned release date.</summary>
    public string? ReleaseDate { get; init; }

    /// <summary>Whole days past the due date (London dates), when overdue.</summary>
    public int? DaysOverdue { get; init; }

    /// <summary>When the task was escalated to the managers (past its due time + <c>escalateAfter</c>); null: not escalated.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>Escalated and still open or claimed (the inbox's "Escalated" flag, the managers' "Needs attention").</summary>
    public bool Escalated => EscalatedAt is not null && Status is TaskStatuses.Open or TaskStatuses.Claimed;

    public static TaskDto From(TaskRow t, IReadOnlyDictionary<string, string?> names, DateTimeOffset now) => new(
        t.Id, t.Title, t.ReferralId, t.Site, t.Assignee,
        t.Assignee is not null && names.TryGetValue(t.Assignee, out var name) ? name : null,
        t.AssigneeRole, t.Status,
        t.DueAt is { } due ? LondonTime.ToLondonDate(due).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
        t.DueAt, t.OverdueAt(now), ParseOutcomes(t.OutcomesJson), t.Outcome, t.Notes, t.Description,
        t.ClaimedBy, t.ClaimedAt, t.CompletedBy, t.CompletedAt, t.CreatedAt) { EscalatedAt = t.EscalatedAt };

    public static IReadOnlyList<string> ParseOutcomes(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

/// <summary>The person a task is about, as a task list shows them.</summary>
public sealed record PersonOnTask(string GivenName, string FamilyName, string PrisonNumber);

public sealed record TaskPage(IReadOnlyList<TaskDto> Items, int Page, int PageSize, bool HasMore);

/// <summary>
/// <c>POST /api/tasks/{id}/complete</c> body. <see cref="AssigneeId"/>: for a review of an overdue task completed with
/// Reassign, the navigator (of the overdue task's site) who gets the overdue task.
/// </summary>
public sealed record CompleteTaskRequest(string? Outcome, string? Notes, string? AssigneeId = null);
