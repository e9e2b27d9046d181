using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Scheduling;

namespace Reconnect.Workflows.Server.Api;

public sealed record ScheduleRunResponse(DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, bool Succeeded, int ItemsTouched, string? Message, string? Node)
{
    public static ScheduleRunResponse From(ScheduleRunRecord r) => new(r.StartedAt, r.FinishedAt, r.Succeeded, r.ItemsTouched, r.Message, r.Node);
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
    ScheduleRunResponse? LastRun);

public sealed record RetimeScheduleRequest(string? Cron);

public sealed record RetimeScheduleResponse(ScheduleResponse Schedule, IReadOnlyList<DateTimeOffset> NextFireTimes);

public sealed record NextFireTimesResponse(string Cron, string TimeZone, IReadOnlyList<DateTimeOffset> NextFireTimes);

/// <summary>
/// <c>/api/schedules</c> (SPEC §5, §7): schedulers, admins and managers read; schedulers and admins run now, pause,
/// resume and retime. Fire times are instants with the Europe/London offset.
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

    public static async Task<Ok<List<ScheduleResponse>>> ListAsync(ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken)
    {
        var list = await schedules.ListAsync(cancellationToken);
        var last = await runs.LastRunOfEachAsync(list.Select(s => s.Name), cancellationToken);
        return TypedResults.Ok(list.Select(s => ToResponse(s, last.GetValueOrDefault(s.Name))).ToList());
    }

    public static Results<Ok<NextFireTimesResponse>, ValidationProblem> NextFireTimes(string? cron)
    {
        if (!QuartzCron.TryFromUser(cron, out var quartz, out var error)) return CronProblem(error);
        return TypedResults.Ok(new NextFireTimesResponse(quartz, "Europe/London", QuartzCron.NextFireTimes(quartz, TimeProvider.System.GetUtcNow())));
    }

    public static async Task<Results<Ok<List<ScheduleRunResponse>>, ProblemHttpResult>> RunsAsync(
        string name, ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken, int count = 20)
    {
        if (await schedules.FindAsync(name, cancellationToken) is null) return NotFound(name);
        var rows = await runs.LastRunsAsync(name, Math.Clamp(count, 1, 100), cancellationToken);
        return TypedResults.Ok(rows.Select(ScheduleRunResponse.From).ToList());
    }

    /// <summary>Runs the schedule now, on the scheduler's threads: 202, and the run appears under <c>…/runs</c> when done.</summary>
    public static async Task<Results<Accepted<ScheduleResponse>, ProblemHttpResult>> TriggerAsync(
        string name, ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken)
    {
        if (!await schedules.TriggerAsync(name, cancellationToken)) return NotFound(name);
        return TypedResults.Accepted($"/api/schedules/{Uri.EscapeDataString(name)}/runs", await DescribeAsync(name, schedules, runs, cancellationToken));
    }

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> PauseAsync(
        string name, ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken)
    {
        if (!await schedules.PauseAsync(name, cancellationToken)) return NotFound(name);
        return TypedResults.Ok(await DescribeAsync(name, schedules, runs, cancellationToken));
    }

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> ResumeAsync(
        string name, ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken)
    {
        if (!await schedules.ResumeAsync(name, cancellationToken)) return NotFound(name);
        return TypedResults.Ok(await DescribeAsync(name, schedules, runs, cancellationToken));
    }

    /// <summary>
    /// Changes a workflow schedule's cron (5 fields crontab, or Quartz's 6-7): 400 with <c>errors.cron</c> when it is not
    /// valid, or when the schedule is the timer dispatcher (it runs on an interval from configuration).
    /// </summary>
    public static async Task<Results<Ok<RetimeScheduleResponse>, ValidationProblem, ProblemHttpResult>> RetimeAsync(
        string name, RetimeScheduleRequest request, ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken)
    {
        if (await schedules.FindAsync(name, cancellationToken) is null) return NotFound(name);
        if (!QuartzCron.TryFromUser(request.Cron, out var quartz, out var error)) return CronProblem(error);
        switch (await schedules.RetimeAsync(name, quartz, cancellationToken))
        {
            case RetimeOutcome.NotFound:
                return NotFound(name);
            case RetimeOutcome.NotCron:
                return CronProblem($"'{name}' runs on an interval set by configuration (Scheduling:TimerDispatchIntervalSeconds), not on a cron expression.");
        }
        var schedule = await DescribeAsync(name, schedules, runs, cancellationToken);
        return TypedResults.Ok(new RetimeScheduleResponse(schedule, QuartzCron.NextFireTimes(quartz, TimeProvider.System.GetUtcNow())));
    }

    private static async Task<ScheduleResponse> DescribeAsync(string name, ScheduleManager schedules, ScheduleRunRecorder runs, CancellationToken cancellationToken)
    {
        var info = await schedules.FindAsync(name, cancellationToken)
            ?? throw new InvalidOperationException($"Schedule '{name}' disappeared while it was being changed.");
        var last = await runs.LastRunOfEachAsync([name], cancellationToken);
        return ToResponse(info, last.GetValueOrDefault(name));
    }

    private static ScheduleResponse ToResponse(ScheduleInfo s, ScheduleRunRecord? last) =>
        new(s.Name, s.Kind, s.DefinitionId, s.Cron, s.Interval, s.State, s.NextFireTime, s.PreviousFireTime, s.Description,
            last is null ? null : ScheduleRunResponse.From(last));

    private static ValidationProblem CronProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cron"] = [message] });

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such schedule", detail: $"There is no schedule named '{name}'.");
}
