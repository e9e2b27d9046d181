using Reconnect.Workflows.Engine.Execution;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// Our one status ↔ Elsa's status and sub-status: Running → Running/Executing, Suspended → Running/Suspended, Finished →
/// Finished/Finished, Cancelled → Finished/Cancelled, Faulted → Finished/Faulted (Elsa ends a faulted workflow; ours can
/// still be retried from /api or our instance viewer).
/// </summary>
public static class ElsaStatuses
{
    public static (string Status, string SubStatus) ToElsa(string status) => status switch
    {
        nameof(WorkflowStatus.Running) => ("Running", "Executing"),
        nameof(WorkflowStatus.Suspended) => ("Running", "Suspended"),
        nameof(WorkflowStatus.Finished) => ("Finished", "Finished"),
        nameof(WorkflowStatus.Cancelled) => ("Finished", "Cancelled"),
        nameof(WorkflowStatus.Faulted) => ("Finished", "Faulted"),
        _ => ("Running", "Pending"),
    };

    /// <summary>Our statuses that an Elsa status matches (null: any); false when the text is not an Elsa status.</summary>
    public static bool TryFromElsaStatus(string text, out WorkflowStatus[] statuses)
    {
        statuses = text.Trim().ToLowerInvariant() switch
        {
            "running" or "0" => [WorkflowStatus.Running, WorkflowStatus.Suspended],
            "finished" or "1" => [WorkflowStatus.Finished, WorkflowStatus.Cancelled, WorkflowStatus.Faulted],
            _ => [],
        };
        return statuses.Length > 0;
    }

    /// <summary>Our statuses that an Elsa sub-status matches (Pending and Interrupted match none of ours); false when unknown.</summary>
    public static bool TryFromElsaSubStatus(string text, out WorkflowStatus[] statuses)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "pending" or "0" or "interrupted" or "6": statuses = []; return true;
            case "executing" or "1": statuses = [WorkflowStatus.Running]; return true;
            case "suspended" or "2": statuses = [WorkflowStatus.Suspended]; return true;
            case "finished" or "3": statuses = [WorkflowStatus.Finished]; return true;
            case "cancelled" or "4": statuses = [WorkflowStatus.Cancelled]; return true;
            case "faulted" or "5": statuses = [WorkflowStatus.Faulted]; return true;
            default: statuses = []; return false;
        }
    }
}
