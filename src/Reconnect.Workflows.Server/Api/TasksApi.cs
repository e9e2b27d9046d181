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
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

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
        string? assignee, string? status, string? site, string? overdue, string? page, string? pageSize,
        ClaimsPrincipal user, TaskWork work, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var viewer = await work.ViewerAsync(user, cancellationToken);
        if (viewer is null) return Forbidden("Only navigators, managers and admins see tasks.");

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var assigneeFilter = (assignee ?? "all").ToLowerInvariant() switch
        {
            "me" => TaskAssigneeFilter.Me,
            "unassigned" => TaskAssigneeFilter.Unassigned,
            "all" => TaskAssigneeFilter.All,
            _ => (TaskAssigneeFilter?)null,
        };
        if (assigneeFilter is null) errors["assignee"] = [$"'{assignee}' is not one of me, unassigned, all."];
        IReadOnlyList<string>? statuses = (status ?? "open").ToLowerInvariant() switch
        {
            "open" => [TaskStatuses.Open, TaskStatuses.Claimed],
            "completed" => [TaskStatuses.Completed],
            "cancelled" => [TaskStatuses.Cancelled],
            "all" => [TaskStatuses.Open, TaskStatuses.Claimed, TaskStatuses.Completed, TaskStatuses.Cancelled],
            _ => null,
        };
        if (statuses is null) errors["status"] = [$"'{status}' is not one of open, completed, cancelled, all."];
        var overdueOnly = false;
        if (overdue is not null && !bool.TryParse(overdue, out overdueOnly)) errors["overdue"] = [$"'{overdue}' is not true or false."];
        var pageNumber = ParseInt(page, "page", 1, 1, TaskInboxQuery.MaxDepth, errors);
        var size = ParseInt(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        if (!errors.ContainsKey("page") && !errors.ContainsKey("pageSize") && (long)pageNumber * size > TaskInboxQuery.MaxDepth)
            errors["page"] = [$"page × pageSize must be at most {TaskInboxQuery.MaxDepth:N0}; narrow the filter instead."];
        if (site is { Length: > 20 }) errors["site"] = ["is too long"];
        if (errors.Count > 0) return Problems.BadRequest("Bad query string.", errors);
        if (string.IsNullOrEmpty(site)) site = null;
        if (viewer.Kind == TaskViewerKind.Navigator && site is not null && !string.Equals(site, viewer.Site, StringComparison.OrdinalIgnoreCase))
            return Forbidden("A navigator sees the tasks of their own site only.");

        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var result = await TaskInboxQuery.RunAsync(db, new TaskInboxRequest
        {
            Viewer = viewer,
            Assignee = assigneeFilter!.Value,
            Statuses = statuses!,
            Site = viewer.Kind == TaskViewerKind.Navigator ? null : site,
            OverdueOnly = overdueOnly,
            Now = now,
            Page = pageNumber,
            PageSize = size,
        }, cancellationToken);
        return TypedResults.Ok(new TaskPage(result.Items.Select(t => TaskDto.From(t, result.AssigneeNames, now)).ToList(), pageNumber, size, result.HasMore));
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, TaskWork work, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var viewer = await work.ViewerAsync(user, cancellationToken);
        if (viewer is null) return Forbidden("Only navigators, managers and admins see tasks.");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var task = await TaskInboxQuery.FindAsync(db, viewer, id, cancellationToken);
        if (task is null) return NoTask(id);
        return TypedResults.Ok(TaskDto.From(task, await TaskInboxQuery.NamesAsync(db, [task], cancellationToken), clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> ClaimAsync(
        string id, ClaimsPrincipal user, TaskWork work, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var viewer = await work.ViewerAsync(user, cancellationToken);
        if (viewer is null) return Forbidden("Only navigators and managers claim tasks.");
        var change = await work.ClaimAsync(viewer, id, cancellationToken);
        return await AnswerAsync(change, id, "claim", user, contexts, clock, null);
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> CompleteAsync(
        string id, HttpRequest request, ClaimsPrincipal user, TaskWork work, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock,
        CancellationToken cancellationToken)
    {
        var viewer = await work.ViewerAsync(user, cancellationToken);
        if (viewer is null) return Forbidden("Only navigators and managers complete tasks.");
        var (body, problem) = await JsonBody.ReadAsync<CompleteTaskRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body!.Outcome)) errors["outcome"] = ["is required"];
        else if (body.Outcome.Length > 100) errors["outcome"] = ["is longer than 100 characters"];
        if (body.Notes is { Length: > TaskWork.MaxNotesLength }) errors["notes"] = [$"is longer than {TaskWork.MaxNotesLength} characters"];
        if (errors.Count > 0) return Problems.BadRequest("The request has problems.", errors);

        var change = await work.CompleteAsync(viewer, id, body.Outcome!, string.IsNullOrEmpty(body.Notes) ? null : body.Notes, cancellationToken);
        return await AnswerAsync(change, id, "complete", user, contexts, clock, body.Outcome);
    }

    private static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> AnswerAsync(
        TaskChange change, string id, string action, ClaimsPrincipal user, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, string? outcome)
    {
        switch (change)
        {
            case TaskChange.Done done:
                await AuditAsync(done, action, user, contexts, clock, outcome);
                await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
                    return TypedResults.Ok(TaskDto.From(done.Task, await TaskInboxQuery.NamesAsync(db, [done.Task], CancellationToken.None), clock.GetUtcNow()));
            case TaskChange.Conflict c:
                return Problems.Conflict(c.Message);
            case TaskChange.Forbidden f:
                return Forbidden(f.Message);
            case TaskChange.BadOutcome b:
                return Problems.Unprocessable(b.Message, new() { ["outcome"] = [b.Message] });
            default:
                return NoTask(id);
        }
    }

    /// <summary>The audit row of a claim or completion that changed something (also used by the UI's inbox).</summary>
    internal static async Task AuditAsync(TaskChange.Done done, string action, ClaimsPrincipal user, IDbContextFactory<ReconnectDbContext> contexts, TimeProvider clock, string? outcome)
    {
        if (!done.Changed) return;
        var detail = new JsonObject { ["referralId"] = done.Task.ReferralId, ["status"] = done.Task.Status };
        if (outcome is not null) detail["outcome"] = outcome;
        await AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.Task, done.Task.Id, detail);
    }

    private static ProblemHttpResult NoTask(string id) => Problems.NotFound($"No task '{id}'.");

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    private static int ParseInt(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[field] = [$"'{text}' is not a whole number from {min} to {max}."];
        return fallback;
    }
}
