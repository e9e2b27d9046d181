using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Reconnect.Workflows.Server.Api;

public sealed record ScheduleRunResponse(DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, bool Succeeded, int ItemsTouched, string? Message, string? Node)
{
    public static ScheduleRunResponse From(ScheduleRun r) => new(r.StartedAt, r.FinishedAt, r.Succeeded, r.ItemsTouched, r.Message, r.Node);
}

/// <summary>
/// A schedule: <c>kind</c> is <c>timer-dispatcher</c> or <c>workflow</c>; <c>cron</c> is Quartz's form (seconds first,
/// Europe/London) for workflows, <c>interval</c> (ISO 8601) for the dispatcher; <c>state</c> is Quartz's trigger state
/// (<c>Normal</c>, <c>Paused</c>, <c>Blocked</c> while running, <c>Error</c>, <c>None</c>).
/// </summary>
public sealed record ScheduleResponse(
    string Name,
    string Kind,
    string? DefinitionId,
    string? Cron,
    string? Interval,
    string State,
    DateTimeOffset? NextFireTime,
    DateTimeOffset? PreviousFireTime,
    string? Description,
    ScheduleRunResponse? LastRun)
{
    public static ScheduleResponse From(ScheduleView view)
    {
        var s = view.Schedule;
        return new(s.Name, s.Kind, s.DefinitionId, s.Cron, s.Interval, s.State, s.NextFireTime, s.PreviousFireTime, s.Description,
            view.LastRun is { } last ? ScheduleRunResponse.From(last) : null);
    }
}

public sealed record RetimeScheduleRequest(string? Cron);

public sealed record RetimeScheduleResponse(ScheduleResponse Schedule, IReadOnlyList<DateTimeOffset> NextFireTimes);

public sealed record NextFireTimesResponse(string Cron, string TimeZone, IReadOnlyList<DateTimeOffset> NextFireTimes);

/// <summary>
/// <c>/api/schedules</c> (SPEC §5, §7): schedulers, admins and managers read; schedulers and admins run now, pause,
/// resume and retime. Each endpoint calls one method of <see cref="ScheduleService"/>. Fire times are instants with the
/// Europe/London offset.
/// </summary>
public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules").WithTags("Schedules").RequireAuthorization(Policies.ReadSchedules);

        group.MapGet("/", ListAsync).WithName("ListSchedules");
        group.MapGet("/next-fire-times", NextFireTimes).WithName("PreviewNextFireTimes");
        group.MapGet("/{name}/runs", RunsAsync).WithName("ListScheduleRuns");
        group.MapPost("/{name}/trigger", TriggerAsync).RequireAuthorization(Policies.ManageSchedules).WithName("TriggerSchedule");
        group.MapPost("/{name}/pause", PauseAsync).RequireAuthorization(Policies.ManageSchedules).WithName("PauseSchedule");
        group.MapPost("/{name}/resume", ResumeAsync).RequireAuthorization(Policies.ManageSchedules).WithName("ResumeSchedule");
        group.MapPut("/{name}", RetimeAsync).RequireAuthorization(Policies.ManageSchedules).WithName("RetimeSchedule");
        return app;
    }

    public static async Task<Ok<List<ScheduleResponse>>> ListAsync(ScheduleService schedules, CancellationToken cancellationToken) =>
        TypedResults.Ok((await schedules.ListAsync(cancellationToken)).Select(ScheduleResponse.From).ToList());

    public static Results<Ok<NextFireTimesResponse>, ValidationProblem> NextFireTimes(string? cron) =>
        ScheduleService.TryPreview(cron, out var quartz, out var next, out var error)
            ? TypedResults.Ok(new NextFireTimesResponse(quartz, ScheduleService.TimeZone, next))
            : CronProblem(error);

    public static async Task<Results<Ok<List<ScheduleRunResponse>>, ProblemHttpResult>> RunsAsync(
        string name, ScheduleService schedules, CancellationToken cancellationToken, int count = 20) =>
        await schedules.RunsAsync(name, count, cancellationToken) is { } rows
            ? TypedResults.Ok(rows.Select(ScheduleRunResponse.From).ToList())
            : NotFound(name);

    /// <summary>Runs the schedule now, on the scheduler's threads: 202, and the run appears under <c>…/runs</c> when done.</summary>
    public static async Task<Results<Accepted<ScheduleResponse>, ProblemHttpResult>> TriggerAsync(
        string name, ClaimsPrincipal user, ScheduleService schedules, CancellationToken cancellationToken) =>
        await schedules.TriggerAsync(user, name, cancellationToken) switch
        {
            ScheduleChangeResult.Changed c => TypedResults.Accepted($"/api/schedules/{Uri.EscapeDataString(name)}/runs", ScheduleResponse.From(c.View)),
            var other => Refusal(other),
        };

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> PauseAsync(
        string name, ClaimsPrincipal user, ScheduleService schedules, CancellationToken cancellationToken) =>
        Changed(await schedules.PauseAsync(user, name, cancellationToken));

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> ResumeAsync(
        string name, ClaimsPrincipal user, ScheduleService schedules, CancellationToken cancellationToken) =>
        Changed(await schedules.ResumeAsync(user, name, cancellationToken));

    /// <summary>
    /// Changes a workflow schedule's cron (5 fields crontab, or Quartz's 6-7): 400 with <c>errors.cron</c> when it is not
    /// valid, or when the schedule is the timer dispatcher (it runs on an interval from configuration).
    /// </summary>
    public static async Task<Results<Ok<RetimeScheduleResponse>, ValidationProblem, ProblemHttpResult>> RetimeAsync(
        string name, RetimeScheduleRequest request, ClaimsPrincipal user, ScheduleService schedules, CancellationToken cancellationToken) =>
        await schedules.RetimeAsync(user, name, request.Cron, cancellationToken) switch
        {
            ScheduleChangeResult.Changed c => TypedResults.Ok(new RetimeScheduleResponse(ScheduleResponse.From(c.View), c.NextFireTimes)),
            ScheduleChangeResult.InvalidCron invalid => CronProblem(invalid.Message),
            var other => Refusal(other),
        };

    private static Results<Ok<ScheduleResponse>, ProblemHttpResult> Changed(ScheduleChangeResult result) =>
        result is ScheduleChangeResult.Changed c ? TypedResults.Ok(ScheduleResponse.From(c.View)) : Refusal(result);

    private static ProblemHttpResult Refusal(ScheduleChangeResult result) => result switch
    {
        ScheduleChangeResult.NotFound n => NotFound(n.Name),
        ScheduleChangeResult.Forbidden f => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: f.Message),
        _ => throw new InvalidOperationException($"Unexpected schedule result {result.GetType().Name}."),
    };

    private static ValidationProblem CronProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cron"] = [message] });

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such schedule", detail: $"There is no schedule named '{name}'.");
}
