using Microsoft.Extensions.Options;
using Quartz;
using SchedulingOptions = Reconnect.Workflows.Application.Schedules.SchedulingOptions;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Application.Checks;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary>
/// <c>timer-dispatcher</c>: resumes due timers in batches, then delivers outbox events a crash left behind, then starts
/// and ends the cover of absences (once each, <see cref="Reconnect.Workflows.Application.Staff.Absences"/>), then arms
/// its wake-up trigger for the next waiting timer (<see cref="TimerWakeUp"/>). One run at a time (per cluster: the
/// store's lock decides), whichever of its two triggers (safety poll, wake-up) fired it; each timer is resumed exactly once whoever races for it, because the
/// resume claims the bookmark row in its commit.
/// </summary>
[DisallowConcurrentExecution]
public sealed class TimerDispatcherJob(
    WorkflowRuntime runtime,
    ScheduleRunRecorder recorder,
    IOptions<SchedulingOptions> options,
    TimerWakeUp wakeUp,
    Reconnect.Workflows.Application.Staff.Absences absences,
    ILogger<TimerDispatcherJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var startedAt = recorder.Now;
        var name = context.JobDetail.Key.Name;
        try
        {
            var fired = await runtime.DispatchDueTimersAsync(options.Value.TimerBatchSize, options.Value.TimerDispatchParallelism, cancellationToken);
            var delivered = await runtime.DeliverOutboxAsync(cancellationToken);
            // Absences that began or ended (UK dates) start or end their cover, once (docs/tasks.md, "Absence and cover").
            var cover = await absences.RunDueAsync(cancellationToken);
            // Wake up again when the next waiting timer falls due (the safety poll stays behind it).
            await wakeUp.ArmForNextDueAsync(cancellationToken);
            var covers = cover.Started + cover.Ended == 0 ? "" : $", cover started for {cover.Started} and ended for {cover.Ended} absence(s)";
            await recorder.RecordAsync(name, startedAt, true, fired + delivered + cover.Started + cover.Ended, $"{fired} timer(s) fired, {delivered} event(s) delivered{covers}", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Schedule {Schedule} failed", name);
            await recorder.RecordAsync(name, startedAt, false, 0, ex.Message, CancellationToken.None);
        }
    }
}

/// <summary>
/// A cron-started workflow: the job is named after the definition id; each run starts one instance of the published
/// version at its <c>Elsa.Cron</c> start activity, which completes at once (it is the trigger).
/// </summary>
[DisallowConcurrentExecution]
public sealed class CronWorkflowJob(
    WorkflowRuntime runtime,
    IWorkflowDefinitionStore definitions,
    ActivityRegistry registry,
    ReferralCheckBatches checkBatches,
    ScheduleRunRecorder recorder,
    ILogger<CronWorkflowJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var startedAt = recorder.Now;
        var definitionId = context.JobDetail.Key.Name;
        try
        {
            var definition = await definitions.FindPublishedAsync(definitionId, cancellationToken);
            if (definition is null)
            {
                // Reconciliation removes the job on retract; a run that slipped in between starts nothing.
                await recorder.RecordAsync(definitionId, startedAt, false, 0, $"Workflow '{definitionId}' has no published version; nothing was started.", cancellationToken);
                return;
            }
            var trigger = new CompiledWorkflow(definition, registry).StartNodeId;
            // Checks the workflow runs (the daily follow-up check's) count the rows they touch into this tally.
            using var tally = ScheduleRunTally.Begin();
            var result = await runtime.StartAsync(definition, input: null, correlationId: null, triggerActivityId: trigger, cancellationToken);
            // The step did the first batch of each check it ran; the rest, one short transaction per batch (issue #18).
            await checkBatches.ContinueAsync(result, cancellationToken);
            var message = result.Succeeded
                ? $"Started instance {result.State!.Id} of version {definition.Version} ({result.State.Status})" + (tally.Any ? $"; {tally.Summary}" : "")
                : result.Message;
            // Items touched: what its checks touched when it ran any, else the one instance it started.
            var items = !result.Succeeded ? 0 : tally.Any ? tally.Total : 1;
            await recorder.RecordAsync(definitionId, startedAt, result.Succeeded, items, message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Schedule {Schedule} failed", definitionId);
            await recorder.RecordAsync(definitionId, startedAt, false, 0, ex.Message, CancellationToken.None);
        }
    }
}
