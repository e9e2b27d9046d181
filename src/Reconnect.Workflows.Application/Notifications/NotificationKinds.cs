namespace Reconnect.Workflows.Application.Notifications;

/// <summary>What a notification is about (<c>kind</c> in <c>GET /api/notifications</c>).</summary>
public static class NotificationKinds
{
    /// <summary>A manager gave the recipient a task.</summary>
    public const string TaskAssigned = "task-assigned";
    /// <summary>A manager made the recipient a referral's navigator (its open tasks came with it).</summary>
    public const string CaseAssigned = "case-assigned";
    /// <summary>A task of the recipient's passed its escalation time and went to the managers.</summary>
    public const string TaskEscalated = "task-escalated";
    /// <summary>The recipient covers for an absent navigator from now (their tasks came to the recipient).</summary>
    public const string CoverStarted = "cover-started";
    /// <summary>To managers: a new referral waits because every navigator of its site is full or away.</summary>
    public const string CaseloadFull = "caseload-full";

    public static readonly IReadOnlyList<string> All = [TaskAssigned, CaseAssigned, TaskEscalated, CoverStarted, CaseloadFull];
}
