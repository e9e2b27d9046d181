using Quartz;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary>Names of the Quartz jobs this server owns. Every job and its one trigger share a name (the schedule's name).</summary>
public static class Schedules
{
    /// <summary>The Quartz group of every job and trigger we make; the API addresses schedules by name only.</summary>
    public const string Group = "reconnect";

    /// <summary>The job that resumes due timers and delivers outbox events left behind.</summary>
    public const string TimerDispatcher = "timer-dispatcher";

    /// <summary>The dispatcher's second trigger: one shot at the next timer's due instant (<see cref="TimerWakeUp"/>).</summary>
    public const string TimerWakeUp = "timer-dispatcher.next-due";

    public const string KindTimerDispatcher = ScheduleKinds.TimerDispatcher;
    public const string KindWorkflow = ScheduleKinds.Workflow;

    /// <summary>Job data: the version of the definition the cron trigger was last derived from.</summary>
    public const string DefinitionVersionKey = "definitionVersion";

    /// <summary>Job data: the cron expression as the definition states it (Cronos/crontab form).</summary>
    public const string DefinitionCronKey = "definitionCron";

    public static JobKey JobKey(string name) => new(name, Group);

    public static TriggerKey TriggerKey(string name) => new(name, Group);
}
