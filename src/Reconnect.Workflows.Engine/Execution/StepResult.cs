namespace Reconnect.Workflows.Engine.Execution;

public enum StepOutcome
{
    /// <summary>The stimulus was applied; <see cref="StepResult.State"/> is the new state.</summary>
    Applied,
    /// <summary>The bookmark is not (or no longer) on the instance: already resumed, cancelled, or never there.</summary>
    BookmarkNotFound,
    /// <summary>The instance cannot take this stimulus in its status (finished, cancelled, not faulted for a retry).</summary>
    NotApplicable,
}

/// <summary>The outcome of one pure step: the new state and what changed, as data for the shell to commit at once.</summary>
public sealed class StepResult
{
    public required StepOutcome Outcome { get; init; }
    public required WorkflowState State { get; init; }
    public List<Bookmark> BookmarksAdded { get; } = [];
    public List<Bookmark> BookmarksRemoved { get; } = [];
    public List<WorkflowEffect> Effects { get; } = [];
    /// <summary>The journal lines this step added (also appended to <see cref="WorkflowState.Journal"/>).</summary>
    public List<TraceEvent> Trace { get; } = [];
    /// <summary>Incidents this step recorded (also appended to <see cref="WorkflowState.Incidents"/>).</summary>
    public List<Incident> Incidents { get; } = [];
    public string? Message { get; init; }

    public bool Applied => Outcome == StepOutcome.Applied;

    public static StepResult Rejected(WorkflowState state, StepOutcome outcome, string message) =>
        new() { Outcome = outcome, State = state, Message = message };
}
