namespace Reconnect.Workflows.Application.Schedules;

/// <summary>
/// The scheduler the host runs (Quartz, with its persistent job store: Server/Scheduling/ScheduleManager) as the
/// schedules use cases need it. The application layer knows schedules by name; jobs, triggers and their keys stay in the host.
/// </summary>
public interface IScheduleControl
{
    Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default);
    Task<ScheduleInfo?> FindAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Runs the schedule now, on the scheduler's threads; false when there is no such schedule.</summary>
    Task<bool> TriggerAsync(string name, CancellationToken cancellationToken = default);
    Task<bool> PauseAsync(string name, CancellationToken cancellationToken = default);
    Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Gives a workflow schedule a new cron expression (Quartz's form).</summary>
    Task<RetimeOutcome> RetimeAsync(string name, string quartz, CancellationToken cancellationToken = default);
}
