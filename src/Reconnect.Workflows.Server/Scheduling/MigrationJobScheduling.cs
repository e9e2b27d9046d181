using Quartz;
using Reconnect.Workflows.Application.Migrations;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary>
/// Migration and bulk jobs as Quartz jobs in the persistent store: one job per migration (key = its id, group
/// <see cref="Group"/>), fired at once, asking for recovery, so a job that was running when a node stopped is run again
/// on restart (and the start-up sweep in Initialization schedules any still marked Running). Each instance's work is
/// idempotent, so running again just continues. One run of a job at a time across the cluster.
/// </summary>
public sealed class QuartzMigrationJobScheduler(ISchedulerFactory schedulers, ILogger<QuartzMigrationJobScheduler> logger) : IMigrationJobScheduler
{
    public const string Group = "migrations";

    public async Task ScheduleAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = new JobKey(jobId, Group);
        if (await scheduler.GetJobDetail(key, cancellationToken) is not null) return;
        var job = JobBuilder.Create<MigrationQuartzJob>().WithIdentity(key).WithDescription("Migrates or cancels/retries instances, one transaction each.")
            .RequestRecovery().Build();
        var trigger = TriggerBuilder.Create().WithIdentity(jobId, Group).ForJob(key).StartNow().Build();
        try
        {
            await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = false }, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another caller (or node) scheduled it first: one run is enough.
            logger.LogDebug("Migration job {JobId} was already scheduled", jobId);
        }
    }
}

/// <summary>Runs one migration or bulk job (<see cref="MigrationJobs.RunAsync"/>) to its end.</summary>
[DisallowConcurrentExecution]
public sealed class MigrationQuartzJob(MigrationJobs jobs) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await jobs.RunAsync(context.JobDetail.Key.Name, cancellationToken);
}
