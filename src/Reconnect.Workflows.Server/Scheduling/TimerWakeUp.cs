using Microsoft.EntityFrameworkCore;
using Quartz;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Stores;
using Reconnect.Workflows.Server.Hosting;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary>
/// Timers on time: besides its slow safety poll (<c>Scheduling:TimerDispatchIntervalSeconds</c>), the
/// <c>timer-dispatcher</c> job has a one-shot trigger, <see cref="Schedules.TimerWakeUp"/>, set at the instant the
/// earliest waiting timer falls due. It is re-armed after every dispatcher run (to the next timer still waiting) and
/// whenever a commit on this node creates a timer earlier than the one it is armed for (<see cref="ITimerCommitListener"/>).
/// The trigger lives in Quartz's store, so in a cluster exactly one node fires it (and after a node dies another does);
/// a wake-up missed while everything was down fires at start-up (misfire: fire now). docs/scheduling.md.
/// </summary>
public sealed class TimerWakeUp(
    ISchedulerFactory schedulers,
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock,
    ILogger<TimerWakeUp> logger) : ITimerCommitListener, IDisposable
{
    private readonly InstanceReads _reads = new(contexts);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _armedLock = new();
    // The workflow-clock instant this node last armed the trigger for (null: not armed, or unknown).
    private DateTimeOffset? _armedFor;

    /// <summary>Arms the wake-up for the earliest waiting timer, or removes it when none waits.</summary>
    public async Task ArmForNextDueAsync(CancellationToken cancellationToken = default)
    {
        var next = await _reads.NextTimerDueAsync(cancellationToken);
        await ArmAsync(next, onlyIfEarlier: false, cancellationToken);
    }

    /// <summary>After a commit (on the committing thread): re-arm, off that thread, only when this timer is earlier than the armed one.</summary>
    public void TimersCommitted(DateTimeOffset earliestDueAt)
    {
        lock (_armedLock)
        {
            if (_armedFor is { } armed && armed <= earliestDueAt) return;
            _armedFor = earliestDueAt;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await ArmAsync(earliestDueAt, onlyIfEarlier: true, CancellationToken.None);
            }
#pragma warning disable CA1031 // best effort: the safety poll and the next dispatcher run re-arm anyway
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogDebug(ex, "Could not re-arm {Trigger} for {Due}", Schedules.TimerWakeUp, earliestDueAt);
            }
        });
    }

    private async Task ArmAsync(DateTimeOffset? due, bool onlyIfEarlier, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var jobKey = Schedules.JobKey(Schedules.TimerDispatcher);
        var wakeKey = Schedules.TriggerKey(Schedules.TimerWakeUp);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (due is null)
            {
                await scheduler.UnscheduleJob(wakeKey, cancellationToken);
                lock (_armedLock) _armedFor = null;
                return;
            }
            // Quartz fires on real time; timers are due on the workflow clock (real time + the test clock's offset).
            var fireAt = due.Value - clock.Offset;
            var existing = await scheduler.GetTrigger(wakeKey, cancellationToken);
            if (onlyIfEarlier && existing?.NextFireTimeUtc is { } armed && armed <= fireAt) return;
            // A paused dispatcher stays paused: no wake-up behind the operator's back.
            if (await scheduler.GetTriggerState(Schedules.TriggerKey(Schedules.TimerDispatcher), cancellationToken) == TriggerState.Paused) return;
            if (await scheduler.GetJobDetail(jobKey, cancellationToken) is null) return; // not set up yet (start-up arms it)
            var trigger = TriggerBuilder.Create()
                .WithIdentity(wakeKey)
                .ForJob(jobKey)
                .WithDescription("The next timer's due instant")
                .StartAt(fireAt)
                .WithSimpleSchedule(s => s.WithRepeatCount(0).WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
                .Build();
            // Replace by key: one wake-up trigger per cluster, whoever armed it last (a node that raced us with a later
            // instant is corrected by the next run, which re-arms to the true next timer).
            await scheduler.ScheduleJob(trigger, new ScheduleJobOptions { Replace = true }, cancellationToken);
            lock (_armedLock) _armedFor = due;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
