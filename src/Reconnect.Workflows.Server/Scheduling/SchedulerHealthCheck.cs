using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary><c>scheduler</c> on <c>/health</c>: Quartz has started and is not in standby (so timers and cron workflows run).</summary>
public sealed class SchedulerHealthCheck(ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            var status = await scheduler.GetStatus(cancellationToken);
            return status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy($"Scheduler {scheduler.SchedulerName} ({scheduler.SchedulerInstanceId}) is running.")
                : HealthCheckResult.Unhealthy($"Scheduler {scheduler.SchedulerName} is {status}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The scheduler could not be reached.", ex);
        }
    }
}
