using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// What a step asks the world to do, as data. The host writes the rows these stand for in the same transaction as the
/// instance state (tasks, audit) or into an outbox that is delivered after the commit (events), never inline.
/// </summary>
public abstract record WorkflowEffect;

/// <summary>
/// A human task: created with its bookmark, completed by an outcome that resumes the bookmark. <c>Assignment</c> says
/// who should get it by a rule the host knows (the referral domain's "referral navigator", "manager", "site queue");
/// without one the task is the engine's plain kind (its assignee, if any, in <c>Data</c>).
/// </summary>
public sealed record CreateTaskEffect(
    string TaskId,
    string BookmarkId,
    string ActivityId,
    string ActivityType,
    string Title,
    string? Description,
    IReadOnlyList<string> Outcomes,
    DateTimeOffset? DueAt,
    JsonObject? Data,
    TaskAssignment? Assignment = null) : WorkflowEffect;

/// <summary>Who a task goes to, by a named rule, for whom (the subject, e.g. a referral) and where (a site).</summary>
public sealed record TaskAssignment(string Rule, string? SubjectId, string? Site);

/// <summary>A task whose bookmark went away without an outcome (finish, cancel, a WaitAny join, consent withdrawn).</summary>
public sealed record CancelTaskEffect(string TaskId, string Reason) : WorkflowEffect;

/// <summary>A task's due time moved because the variable it was computed from changed.</summary>
public sealed record RescheduleTaskEffect(string TaskId, DateTimeOffset DueAt) : WorkflowEffect;

/// <summary>An event for other instances (or this one), delivered after the commit.</summary>
public sealed record PublishEventEffect(string EventName, string? CorrelationId, JsonNode? Payload) : WorkflowEffect;
