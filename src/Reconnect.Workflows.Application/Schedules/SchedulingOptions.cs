using System.ComponentModel.DataAnnotations;

namespace Reconnect.Workflows.Application.Schedules;

/// <summary><c>Scheduling</c> section: how often the timer dispatcher runs and how many timers it takes at once.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Seconds between two runs of the <c>timer-dispatcher</c> schedule.</summary>
    [Range(1, 3600)]
    public int TimerDispatchIntervalSeconds { get; set; } = 5;

    /// <summary>Due timers taken from the database per batch.</summary>
    [Range(1, 100_000)]
    public int TimerBatchSize { get; set; } = 500;

    /// <summary>Due timers resumed at once by a dispatcher run (their commits share transactions: group commit).</summary>
    [Range(1, 64)]
    public int TimerDispatchParallelism { get; set; } = 8;

    /// <summary>Runs kept per schedule in <c>ScheduleRuns</c> (older ones are deleted after each run).</summary>
    [Range(1, 10_000)]
    public int RunsKept { get; set; } = 100;
}
