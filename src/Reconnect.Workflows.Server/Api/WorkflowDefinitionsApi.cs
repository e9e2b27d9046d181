namespace Reconnect.Workflows.Server.Api;

/// <summary><c>/api/workflow-definitions</c> and <c>/api/activity-descriptors</c>.</summary>
public static class WorkflowDefinitionsApi
{
    public static IEndpointRouteBuilder MapWorkflowDefinitionsApi(this IEndpointRouteBuilder app) => app;
}
