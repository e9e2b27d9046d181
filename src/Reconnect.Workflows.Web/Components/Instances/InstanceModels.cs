using Reconnect.Workflows.Engine.Execution;

namespace Reconnect.Workflows.Web.Components.Instances;

/// <summary>The instance list's filters and page: the query string of <c>GET /api/workflow-instances</c>.</summary>
public sealed record InstanceFilter(WorkflowStatus? Status, string? DefinitionId, string? CorrelationId, int Page);

/// <summary>A workflow for the definition filter.</summary>
public sealed record DefinitionOption(string DefinitionId, string Name);

/// <summary>What the viewer's buttons do: the API's <c>POST …/{id}/retry</c> and <c>…/cancel</c>.</summary>
public enum InstanceAction
{
    Retry,
    Cancel,
}

public static class InstanceRules
{
    /// <summary>Only a faulted instance can be retried (the runtime refuses the rest).</summary>
    public static bool CanRetry(string status) => status == nameof(WorkflowStatus.Faulted);

    /// <summary>Anything that has not ended can be cancelled.</summary>
    public static bool CanCancel(string status) =>
        status is not (nameof(WorkflowStatus.Finished) or nameof(WorkflowStatus.Cancelled));
}
