using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Application.Tasks;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// Who does the work (docs/tasks.md): <c>POST /api/tasks/{id}/assign</c> (Manager), <c>POST /api/tasks/{id}/release</c>
/// (the assignee: a navigator or manager), <c>POST /api/referrals/{id}/navigator</c> (Manager). Each binds, calls
/// <see cref="Allocation"/> and maps its answer.
/// </summary>
public static class AllocationApi
{
    public static IEndpointRouteBuilder MapAllocationApi(this IEndpointRouteBuilder app)
    {
        var managers = app.MapGroup("/api").WithTags("Tasks").RequireAuthorization(p => p.RequireRole([.. RoleSets.Allocate]));
        var workers = app.MapGroup("/api").WithTags("Tasks").RequireAuthorization(p => p.RequireRole([.. RoleSets.TaskWork]));
        managers.MapPost("/tasks/{id}/assign", AssignAsync).Accepts<AssignTaskRequest>("application/json");
        workers.MapPost("/tasks/{id}/release", ReleaseAsync);
        managers.MapPost("/referrals/{id}/navigator", ChangeNavigatorAsync).Accepts<ChangeNavigatorRequest>("application/json");
        return app;
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> AssignAsync(
        string id, HttpRequest request, ClaimsPrincipal user, Allocation allocation, TaskWork work, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<AssignTaskRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return await TaskAnswerAsync(await allocation.AssignAsync(user, id, body!, cancellationToken), id, work);
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> ReleaseAsync(
        string id, ClaimsPrincipal user, Allocation allocation, TaskWork work, CancellationToken cancellationToken) =>
        await TaskAnswerAsync(await allocation.ReleaseAsync(user, id, cancellationToken), id, work);

    private static async Task<Results<Ok<NavigatorChangeDto>, ProblemHttpResult>> ChangeNavigatorAsync(
        string id, HttpRequest request, ClaimsPrincipal user, Allocation allocation, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ChangeNavigatorRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return await allocation.ChangeNavigatorAsync(user, id, body!, cancellationToken) switch
        {
            AllocationResult.Done { Referral: { } done } => TypedResults.Ok(done),
            var other => Refused(other, $"No referral '{Short(id)}'."),
        };
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> TaskAnswerAsync(AllocationResult result, string id, TaskWork work) => result switch
    {
        AllocationResult.Done { Task: { } task } => TypedResults.Ok(await work.DtoAsync(task, CancellationToken.None)),
        var other => Refused(other, $"No task '{Short(id)}'."),
    };

    private static ProblemHttpResult Refused(AllocationResult result, string notFound) => result switch
    {
        AllocationResult.NotFound => Problems.NotFound(notFound),
        AllocationResult.Forbidden f => TypedResults.Problem(f.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
        AllocationResult.Conflict c => Problems.Conflict(c.Message),
        AllocationResult.Invalid i when i.Errors.Keys.All(k => k is "assigneeId" or "navigatorId") && i.Errors.Values.All(v => v.All(m => m.StartsWith("is not", StringComparison.Ordinal))) =>
            Problems.Unprocessable("The person named cannot take this work.", new(i.Errors, StringComparer.Ordinal)),
        AllocationResult.Invalid i => Problems.BadRequest("The request has problems.", new(i.Errors, StringComparer.Ordinal)),
        _ => throw new InvalidOperationException("Unknown allocation result."),
    };

    private static string Short(string id) => id.Length <= 80 ? id : id[..80];
}
