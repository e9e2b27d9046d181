using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using SchedulingOptions = Reconnect.Workflows.Application.Schedules.SchedulingOptions;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary>
/// Everything done to the Quartz jobs and triggers: the timer dispatcher kept at its configured interval, cron triggers
/// derived from published definitions (never two: the job and its trigger are keyed by the definition id, so the store
/// cannot hold a second; none after retract), and the schedulers' run-now / pause / resume / retime.
/// </summary>
public sealed class ScheduleManager(
    ISchedulerFactory schedulers,
    IWorkflowDefinitionStore definitions,
    IDbContextFactory<ReconnectDbContext> contexts,
    IOptions<SchedulingOptions> options,
    ILogger<ScheduleManager> logger,
    TimerWakeUp? wakeUp = null) : IScheduleControl, IDisposable
{
    // One reconciliation at a time in this process; across nodes each Quartz call is its own locked transaction and
    // every write below replaces by key, so two nodes reconciling at once still leave one job with one trigger.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    public ValueTask<IScheduler> GetSchedulerAsync(CancellationToken cancellationToken = default) => schedulers.GetScheduler(cancellationToken);

    // ---------------------------------------------------------------- reconciliation

    /// <summary>Start-up: the dispatcher at its configured interval, then every cron workflow job matched to the published versions.</summary>
    public async Task ReconcileAllAsync(CancellationToken cancellationToken = default)
    {
        await EnsureTimerDispatcherAsync(cancellationToken);
        var scheduler = await GetSchedulerAsync(cancellationToken);
        List<string> published;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            published = await db.WorkflowDefinitions.AsNoTracking()
                .Where(d => d.IsPublished && d.CronTrigger != null)
                .Select(d => d.DefinitionId)
                .Distinct()
                .ToListAsync(cancellationToken);
        var existing = (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Schedules.Group), cancellationToken))
            .Select(k => k.Name)
            .Where(n => n != Schedules.TimerDispatcher);
        foreach (var definitionId in published.Union(existing, StringComparer.Ordinal).Order(StringComparer.Ordinal))
            await ReconcileDefinitionAsync(definitionId, cancellationToken);
    }

    public async Task EnsureTimerDispatcherAsync(CancellationToken cancellationToken = default)
    {
        var interval = TimeSpan.FromSeconds(options.Value.TimerDispatchIntervalSeconds);
        var scheduler = await GetSchedulerAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var jobKey = Schedules.JobKey(Schedules.TimerDispatcher);
            var triggerKey = Schedules.TriggerKey(Schedules.TimerDispatcher);
            var job = await scheduler.GetJobDetail(jobKey, cancellationToken);
            var trigger = await scheduler.GetTrigger(triggerKey, cancellationToken);
            if (job is not null && job.JobType.Type == typeof(TimerDispatcherJob) && trigger is ISimpleTrigger simple && simple.RepeatInterval == interval)
            {
                await ArmWakeUpAsync(cancellationToken);
                return;
            }
            var paused = trigger is not null && await scheduler.GetTriggerState(triggerKey, cancellationToken) == TriggerState.Paused;
            var newJob = JobBuilder.Create<TimerDispatcherJob>()
                .WithIdentity(jobKey)
                .WithDescription("Resumes due workflow timers and delivers events left in the outbox.")
                .StoreDurably()
                .Build();
            var newTrigger = TriggerBuilder.Create()
                .WithIdentity(triggerKey)
                .ForJob(jobKey)
                .StartNow()
                .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            await scheduler.ScheduleJob(newJob, [newTrigger], new ScheduleJobOptions { Replace = true, Paused = paused }, cancellationToken);
            logger.LogInformation("Schedule {Schedule} runs every {Interval}", Schedules.TimerDispatcher, interval);
            await ArmWakeUpAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Start-up: the wake-up at the earliest waiting timer (one already due while the system was down fires at once).</summary>
    private async Task ArmWakeUpAsync(CancellationToken cancellationToken)
    {
        if (wakeUp is not null) await wakeUp.ArmForNextDueAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the job of one definition id match its published version: created when it starts on a cron, its trigger
    /// replaced when a new version was published, deleted when none is published or the new one has no cron. A trigger
    /// whose cron a scheduler changed through the API is left alone until a new version is published.
    /// </summary>
    public async Task ReconcileDefinitionAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        if (definitionId == Schedules.TimerDispatcher)
        {
            logger.LogError("A workflow named '{DefinitionId}' cannot have a schedule: the name is the timer dispatcher's", definitionId);
            return;
        }
        var scheduler = await GetSchedulerAsync(cancellationToken);
        var published = await definitions.FindPublishedAsync(definitionId, cancellationToken);
        var cron = published is null ? null : EfWorkflowStore.CronTriggerOf(published);
        var jobKey = Schedules.JobKey(definitionId);
        var triggerKey = Schedules.TriggerKey(definitionId);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            string? quartz = null;
            if (cron is not null && !QuartzCron.TryFromWorkflow(cron, out quartz, out var error))
            {
                logger.LogError("Workflow {DefinitionId} version {Version} starts on a cron Quartz cannot run: {Error}", definitionId, published!.Version, error);
                quartz = null;
            }
            if (quartz is null)
            {
                if (await scheduler.DeleteJob(jobKey, cancellationToken))
                    logger.LogInformation("Schedule {Schedule} removed: no published version starts on a cron", definitionId);
                return;
            }

            var version = published!.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var job = await scheduler.GetJobDetail(jobKey, cancellationToken);
            var trigger = await scheduler.GetTrigger(triggerKey, cancellationToken);
            if (job is not null && trigger is not null && job.JobType.Type == typeof(CronWorkflowJob)
                && job.JobDataMap.TryGetValue(Schedules.DefinitionVersionKey, out var stored) && Convert.ToString(stored, System.Globalization.CultureInfo.InvariantCulture) == version)
                return; // already derived from this version (its cron may since have been changed on purpose through the API)

            var paused = trigger is not null && await scheduler.GetTriggerState(triggerKey, cancellationToken) == TriggerState.Paused;
            var newJob = JobBuilder.Create<CronWorkflowJob>()
                .WithIdentity(jobKey)
                .WithDescription(published.Name ?? definitionId)
                .StoreDurably()
                .UsingJobData(Schedules.DefinitionVersionKey, version)
                .UsingJobData(Schedules.DefinitionCronKey, cron)
                .Build();
            await scheduler.ScheduleJob(newJob, [BuildCronTrigger(definitionId, quartz)], new ScheduleJobOptions { Replace = true, Paused = paused }, cancellationToken);
            logger.LogInformation("Schedule {Schedule} follows version {Version}: cron '{Cron}' (Quartz '{Quartz}', Europe/London)", definitionId, version, cron, quartz);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ITrigger BuildCronTrigger(string name, string quartz) =>
        TriggerBuilder.Create()
            .WithIdentity(Schedules.TriggerKey(name))
            .ForJob(Schedules.JobKey(name))
            // Missed while the system was down: fire once on start-up, then carry on (SPEC §5).
            .WithCronSchedule(quartz, c => c.InTimeZone(LondonTime.TimeZoneInfo).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();

    // ---------------------------------------------------------------- what the API does

    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        var keys = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Schedules.Group), cancellationToken);
        var list = new List<ScheduleInfo>(keys.Count);
        foreach (var key in keys.OrderBy(k => k.Name == Schedules.TimerDispatcher ? 0 : 1).ThenBy(k => k.Name, StringComparer.Ordinal))
            if (await DescribeAsync(scheduler, key, cancellationToken) is { } info) list.Add(info);
        return list;
    }

    public async Task<ScheduleInfo?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        return await DescribeAsync(scheduler, Schedules.JobKey(name), cancellationToken);
    }

    private static async Task<ScheduleInfo?> DescribeAsync(IScheduler scheduler, JobKey key, CancellationToken cancellationToken)
    {
        var job = await scheduler.GetJobDetail(key, cancellationToken);
        if (job is null) return null;
        var triggers = await scheduler.GetTriggersOfJob(key, cancellationToken);
        var main = triggers.FirstOrDefault(t => t.Key.Equals(Schedules.TriggerKey(key.Name)))
            ?? triggers.OrderBy(t => t.NextFireTimeUtc ?? DateTimeOffset.MaxValue).FirstOrDefault();
        var state = main is null ? TriggerState.None : await scheduler.GetTriggerState(main.Key, cancellationToken);
        var isDispatcher = job.JobType.Type == typeof(TimerDispatcherJob);
        return new ScheduleInfo(
            key.Name,
            isDispatcher ? Schedules.KindTimerDispatcher : Schedules.KindWorkflow,
            isDispatcher ? null : key.Name,
            (main as ICronTrigger)?.CronExpressionString,
            main is ISimpleTrigger simple ? System.Xml.XmlConvert.ToString(simple.RepeatInterval) : null,
            state.ToString(),
            main?.NextFireTimeUtc is { } next ? QuartzCron.ToLondon(next) : null,
            main?.PreviousFireTimeUtc is { } previous ? QuartzCron.ToLondon(previous) : null,
            job.Description);
    }

    /// <summary>Runs the job now (asynchronously, on the scheduler's threads). False when there is no such schedule.</summary>
    public async Task<bool> TriggerAsync(string name, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        var key = Schedules.JobKey(name);
        if (!await scheduler.Exists(key, cancellationToken)) return false;
        await scheduler.TriggerJob(key, cancellationToken: cancellationToken);
        return true;
    }

    public async Task<bool> PauseAsync(string name, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        var key = Schedules.JobKey(name);
        if (!await scheduler.Exists(key, cancellationToken)) return false;
        await scheduler.PauseJob(key, cancellationToken);
        return true;
    }

    public async Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        var key = Schedules.JobKey(name);
        if (!await scheduler.Exists(key, cancellationToken)) return false;
        await scheduler.ResumeJob(key, cancellationToken);
        return true;
    }

    /// <summary>
    /// Replaces a cron schedule's trigger with <paramref name="quartz"/> (already validated), keeping it paused if it
    /// was. The job's recorded definition version is kept, so reconciliation leaves this cron alone until a new version
    /// is published.
    /// </summary>
    public async Task<RetimeOutcome> RetimeAsync(string name, string quartz, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        var key = Schedules.JobKey(name);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var job = await scheduler.GetJobDetail(key, cancellationToken);
            if (job is null) return RetimeOutcome.NotFound;
            if (job.JobType.Type == typeof(TimerDispatcherJob)) return RetimeOutcome.NotCron;
            var triggerKey = Schedules.TriggerKey(name);
            var paused = await scheduler.Exists(triggerKey, cancellationToken) && await scheduler.GetTriggerState(triggerKey, cancellationToken) == TriggerState.Paused;
            var trigger = BuildCronTrigger(name, quartz);
            if (await scheduler.Exists(triggerKey, cancellationToken)) await scheduler.RescheduleJob(triggerKey, trigger, cancellationToken);
            else await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken);
            if (paused) await scheduler.PauseTrigger(triggerKey, cancellationToken);
            logger.LogInformation("Schedule {Schedule} retimed to '{Cron}' (Europe/London)", name, quartz);
            return RetimeOutcome.Retimed;
        }
        finally
        {
            _gate.Release();
        }
    }
}
