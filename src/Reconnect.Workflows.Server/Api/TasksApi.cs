using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Tasks;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/tasks</c>: the inbox (SPEC §7; visibility, claim/complete semantics and concurrency in docs/tasks.md).
/// Reading needs Navigator, Manager or Admin; claiming and completing Navigator or Manager (admins read only).
/// Referrers and schedulers get 403.
/// </summary>
public static class TasksApi
{
    private const string Base = "/api/tasks";

    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        // Policies spelled out here (not in Auth/Policies) so the task API is one file to read.
        var read = app.MapGroup(Base).WithTags("Tasks").RequireAuthorization(p => p.RequireRole(Roles.Navigator, Roles.Manager, Roles.Admin));
        var work = app.MapGroup(Base).WithTags("Tasks").RequireAuthorization(p => p.RequireRole(Roles.Navigator, Roles.Manager));

        read.MapGet("/", ListAsync);
        read.MapGet("/{id}", GetAsync);
        work.MapPost("/{id}/claim", ClaimAsync);
        work.MapPost("/{id}/complete", CompleteAsync).Accepts<CompleteTaskRequest>("application/json");
        return app;
    }

    private static async Task<Results<Ok<TaskPage>, ProblemHttpResult>> ListAsync(
        string? assignee, string? status, string? site, string? overdue, string? page, string? pageSize, string? view,
        ClaimsPrincipal user, TaskWork work, CancellationToken cancellationToken)
    {
        var query = TaskListQuery.TryParse(assignee, status, site, overdue, page, pageSize, view, out var errors);
        // Who may see tasks at all comes first: a referrer's bad query string is still a 403.
        if (await work.ViewerAsync(user, cancellationToken) is null) return Forbidden("Only navigators, managers and admins see tasks.");
        if (query is null) return Problems.BadRequest("Bad query string.", errors);
        return await work.ListAsync(user, query, cancellationToken) switch
        {
            TaskListResult.Page tasks => TypedResults.Ok(tasks.Tasks),
            TaskListResult.Forbidden f => Forbidden(f.Message),
            _ => throw new InvalidOperationException("Unknown list result."),
        };
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> GetAsync(string id, ClaimsPrincipal user, TaskWork work, CancellationToken cancellationToken) =>
        await work.GetAsync(user, id, cancellationToken) switch
        {
            TaskListResult.One one => TypedResults.Ok(one.Task),
            TaskListResult.Forbidden f => Forbidden(f.Message),
            _ => NoTask(id),
        };

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> ClaimAsync(string id, ClaimsPrincipal user, TaskWork work, CancellationToken cancellationToken) =>
        await AnswerAsync(await work.ClaimAsync(user, id, cancellationToken), id, work);

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> CompleteAsync(
        string id, HttpRequest request, ClaimsPrincipal user, TaskWork work, OverdueReviews reviews, CancellationToken cancellationToken)
    {
        if (await work.ViewerAsync(user, cancellationToken) is not { } viewer) return Forbidden("Only navigators and managers complete tasks.");
        var (body, problem) = await JsonBody.ReadAsync<CompleteTaskRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body!.Outcome)) errors["outcome"] = ["is required"];
        else if (body.Outcome.Length > 100) errors["outcome"] = ["is longer than 100 characters"];
        if (body.Notes is { Length: > TaskWork.MaxNotesLength }) errors["notes"] = [$"is longer than {TaskWork.MaxNotesLength} characters"];
        if (body.AssigneeId is { Length: > 450 }) errors["assigneeId"] = ["is longer than 450 characters"];
        if (errors.Count > 0) return Problems.BadRequest("The request has problems.", errors);
        // A manager's review of an overdue task has outcomes with effects (Reassign, Chase); any other task completes as before.
        return await AnswerAsync(await reviews.CompleteAsync(viewer, user, id, body.Outcome!, string.IsNullOrEmpty(body.Notes) ? null : body.Notes, body.AssigneeId, cancellationToken), id, work);
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> AnswerAsync(TaskChange change, string id, TaskWork work) => change switch
    {
        TaskChange.Done done => TypedResults.Ok(await work.DtoAsync(done.Task, CancellationToken.None)),
        TaskChange.Conflict c => Problems.Conflict(c.Message),
        TaskChange.Forbidden f => Forbidden(f.Message),
        TaskChange.BadOutcome b => Problems.Unprocessable(b.Message, new() { ["outcome"] = [b.Message] }),
        _ => NoTask(id),
    };

    private static ProblemHttpResult NoTask(string id) => Problems.NotFound($"No task '{id}'.");

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

}
