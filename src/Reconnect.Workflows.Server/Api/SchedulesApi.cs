namespace Reconnect.Workflows.Server.Api;

/// <summary><c>/api/schedules</c>.</summary>
public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app) => app;
}
