using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>What makes a step happen.</summary>
public abstract record Stimulus
{
    /// <summary>Start a new instance. <paramref name="TriggerActivityId"/> is set when a trigger (cron, event) started it: that activity completes at once.</summary>
    public sealed record Start(JsonObject? Input, string? CorrelationId, string? TriggerActivityId = null) : Stimulus
    {
        /// <summary>The instance that started this one as its child (ExecuteWorkflow, DispatchWorkflow, a workflow used as an activity).</summary>
        public string? ParentInstanceId { get; init; }
        /// <summary>The parent's activity that started it.</summary>
        public string? ParentActivityId { get; init; }
    }

    /// <summary>Resume one bookmark (an event arrived, a task got its outcome, a timer fell due).</summary>
    public sealed record Resume(string BookmarkId, JsonNode? Input) : Stimulus;

    /// <summary>Set variables from outside (e.g. a changed release date); timers computed from them are re-computed.</summary>
    public sealed record SetVariables(JsonObject Values) : Stimulus;

    /// <summary>Run a faulted instance again from the faulting activity.</summary>
    public sealed record Retry : Stimulus;

    /// <summary>
    /// Move the instance to another version of its definition (<see cref="Migration.WorkflowMigration.Apply"/> makes the
    /// step; the runner itself refuses it). Carried by the commit so the store knows why the state changed.
    /// </summary>
    public sealed record Migrate(int FromVersion, int ToVersion) : Stimulus;

    /// <summary>Cancel the instance and every bookmark it has.</summary>
    public sealed record Cancel(string? Reason) : Stimulus;
}
