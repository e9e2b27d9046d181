namespace Reconnect.Workflows.Server.Api;

/// <summary><c>/api/workflow-instances</c> and <c>/api/events/{eventName}</c>.</summary>
public static class WorkflowInstancesApi
{
    public static IEndpointRouteBuilder MapWorkflowInstancesApi(this IEndpointRouteBuilder app) => app;
}
