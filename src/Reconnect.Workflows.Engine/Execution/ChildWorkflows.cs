using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// How parent and child instances talk: through the outbox, as events with reserved names, so that a child's start
/// and a child's end are each committed with the step that caused them and delivered after it (never inline, Elsa
/// #5466), by the same code and the same stores as every other event.
/// </summary>
public static class ChildWorkflows
{
    /// <summary>The outbox message that starts a child instance; its payload is a <see cref="StartRequest"/>.</summary>
    public const string StartEventName = "$workflow:start";

    private const string FinishedPrefix = "$workflow:finished:";

    /// <summary>The event a parent's bookmark waits on: the child with this instance id finished (or was cancelled).</summary>
    public static string FinishedEventName(string childInstanceId) => FinishedPrefix + childInstanceId;

    public static bool IsReserved(string eventName) => eventName.StartsWith("$workflow:", StringComparison.Ordinal);

    /// <summary>What the parent receives: Elsa's ExecuteWorkflowResult shape.</summary>
    public static JsonObject Result(WorkflowState child) => new()
    {
        ["workflowInstanceId"] = child.Id,
        ["status"] = child.Status.ToString(),
        ["output"] = child.Output.DeepClone(),
    };

    public static JsonObject StartRequest(string definitionId, string childInstanceId, JsonObject? input, string? correlationId,
        string parentInstanceId, string parentActivityId, bool waitForCompletion) => new()
    {
        ["definitionId"] = definitionId,
        ["instanceId"] = childInstanceId,
        ["input"] = input?.DeepClone(),
        ["correlationId"] = correlationId,
        ["parentInstanceId"] = parentInstanceId,
        ["parentActivityId"] = parentActivityId,
        ["waitForCompletion"] = waitForCompletion,
    };
}
