namespace Reconnect.Workflows.Engine.Execution;

/// <summary>An instance's status. Elsa splits this into Status (Running/Finished) and SubStatus; one enum is easier to query and to read.</summary>
public enum WorkflowStatus
{
    /// <summary>Executing a step right now (never persisted at rest except mid-crash).</summary>
    Running,
    /// <summary>Waiting on one or more bookmarks.</summary>
    Suspended,
    Finished,
    Cancelled,
    /// <summary>An activity faulted; see the incidents. Can be retried from the faulting activity.</summary>
    Faulted,
}

public static class WorkflowStatusExtensions
{
    public static bool IsTerminal(this WorkflowStatus status) =>
        status is WorkflowStatus.Finished or WorkflowStatus.Cancelled;
}
