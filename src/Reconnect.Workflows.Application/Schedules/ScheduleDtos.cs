namespace Reconnect.Workflows.Application.Schedules;

/// <summary>
/// A schedule: <c>Kind</c> is <c>timer-dispatcher</c> or <c>workflow</c>; <c>Cron</c> is Quartz's form (seconds first,
/// Europe/London) for workflows, <c>Interval</c> (ISO 8601) for the dispatcher; <c>State</c> is Quartz's trigger state
/// (<c>Normal</c>, <c>Paused</c>, <c>Blocked</c> while running, <c>Error</c>, <c>None</c>).
/// </summary>
public sealed record ScheduleInfo(
    string Name,
    string Kind,
    string? DefinitionId,
    string? Cron,
    string? Interval,
    string State,
    DateTimeOffset? NextFireTime,
    DateTimeOffset? PreviousFireTime,
    string? Description);

/// <summary>The kinds of schedule.</summary>
public static class ScheduleKinds
{
    /// <summary>The job that resumes due timers, on an interval from configuration.</summary>
    public const string TimerDispatcher = "timer-dispatcher";
    /// <summary>A published definition's cron trigger.</summary>
    public const string Workflow = "workflow";
}

/// <summary>One run of a schedule, as recorded by <see cref="ScheduleRunRecorder"/> (<c>Id</c> grows with each run).</summary>
public sealed record ScheduleRun(long Id, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, bool Succeeded, int ItemsTouched, string? Message, string? Node);

/// <summary>A schedule with its newest run, as the API and the schedules page show it.</summary>
public sealed record ScheduleView(ScheduleInfo Schedule, ScheduleRun? LastRun);

public enum RetimeOutcome
{
    Retimed,
    NotFound,
    /// <summary>The schedule runs on an interval (the timer dispatcher), not on a cron expression.</summary>
    NotCron,
}

/// <summary>What a run-now, pause, resume or retime came to.</summary>
public abstract record ScheduleChangeResult
{
    /// <summary>Done; <c>NextFireTimes</c> are the next five after a retime, empty otherwise.</summary>
    public sealed record Changed(ScheduleView View, IReadOnlyList<DateTimeOffset> NextFireTimes) : ScheduleChangeResult;
    public sealed record NotFound(string Name) : ScheduleChangeResult;
    /// <summary>The cron expression is not valid, or the schedule takes none: the message is for the <c>cron</c> field.</summary>
    public sealed record InvalidCron(string Message) : ScheduleChangeResult;
    public sealed record Forbidden(string Message) : ScheduleChangeResult;
}
