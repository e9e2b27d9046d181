using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using SchedulingOptions = Reconnect.Workflows.Application.Schedules.SchedulingOptions;
using Quartz.Impl.AdoJobStore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>The scheduler's name: the <c>SCHED_NAME</c> every <c>QRTZ_*</c> row carries, so every node and every restart must share it.</summary>
    public const string SchedulerName = "reconnect";

    /// <summary>The name of Quartz's data source (its <see cref="DataSourceOptions"/>).</summary>
    public const string DataSourceName = "reconnect";

    /// <summary>Quartz with its persistent store in the workflow database: the timer dispatcher and cron-started workflows.</summary>
    /// <remarks>
    /// The database is read from the <see cref="DatabaseSettings"/> singleton when Quartz first needs it, never at
    /// registration: a host or a test may still change the provider and connection string after this runs. So the
    /// data source, the SQL dialect (driver delegate) and clustering are all options configured from that singleton.
    /// </remarks>
    public static IServiceCollection AddReconnectScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulingOptions>().Bind(configuration.GetSection(SchedulingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = SchedulerName);
            q.UsePersistentStore(store =>
            {
                store.UseDataSource(DataSourceName);
                // Provider and connection string are filled in below, from DatabaseSettings.
                store.UseDataSource(_ => { });
                store.UseDriverDelegate(sp => sp.GetRequiredService<DatabaseSettings>().Provider switch
                {
                    DatabaseProviders.PostgreSql => new PostgreSQLDelegate(),
                    DatabaseProviders.SqlServer => new SqlServerDelegate(),
                    _ => new SQLiteDelegate(),
                });
                store.UseSystemTextJsonSerializer();
                // Creates the QRTZ_* tables when missing (idempotent: nothing is altered or dropped on restart).
                store.ProvisionSchema();
            });
        });
        services.AddOptions<DataSourceOptions>(DataSourceName).Configure<DatabaseSettings>((o, db) =>
        {
            o.Provider = QuartzProvider(db.Provider);
            o.ConnectionString = db.ConnectionString;
        });
        // Clustered where several nodes can share the database (PostgreSQL, SQL Server); SQLite cannot be clustered.
        services.AddOptions<ClusteringOptions>().Configure<DatabaseSettings>((o, db) => o.Enabled = IsClustered(db));
        services.AddOptions<AdoJobStoreOptions>().Configure<DatabaseSettings>((o, db) =>
        {
            if (IsClustered(db)) o.UseDbLocks = true;
        });
        services.AddOptions<QuartzSchedulerOptions>().PostConfigure<DatabaseSettings>((o, db) =>
        {
            // A cluster needs a distinct instance id per node (what UseClustering does, decided here at resolve time).
            // Ours names the process as ScheduleRuns.Node does (machine:pid), so that an operator (or a test) can tell
            // which process holds a trigger.
            if (IsClustered(db) && !o.GenerateInstanceId && o.InstanceId == QuartzSchedulerOptions.DefaultInstanceId)
                o.InstanceId = NodeInstanceId();
        });
        // Started with the host (not after ApplicationStarted), so /health sees it running as soon as the server answers.
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            o.AwaitApplicationStarted = false;
        });

        services.AddTransient<TimerDispatcherJob>();
        services.AddTransient<CronWorkflowJob>();
        services.AddTransient<MigrationQuartzJob>();
        // Migration and bulk jobs run as Quartz jobs (they survive a restart), not on the thread pool.
        services.Replace(ServiceDescriptor.Singleton<Reconnect.Workflows.Application.Migrations.IMigrationJobScheduler, QuartzMigrationJobScheduler>());
        services.AddSingleton<TimerWakeUp>();
        services.AddSingleton<ITimerCommitListener>(sp => sp.GetRequiredService<TimerWakeUp>());
        services.AddSingleton<ScheduleManager>();
        services.AddSingleton<IScheduleControl>(sp => sp.GetRequiredService<ScheduleManager>());
        services.AddSingleton<IDefinitionChangeListener, CronScheduleReconciler>();
        services.AddHealthChecks().AddCheck<SchedulerHealthCheck>("scheduler");
        return services;
    }

    /// <summary>
    /// A Quartz instance id for this host in a cluster: <c>machine:pid:random</c> (QRTZ_* <c>INSTANCE_NAME</c>). The
    /// random part keeps two hosts in one process (tests) and a restart that reuses a pid distinct.
    /// </summary>
    public static string NodeInstanceId() => $"{ScheduleRunRecorder.Node}:{Guid.NewGuid().ToString("N")[..12]}";

    public static bool IsClustered(DatabaseSettings settings) => settings.Provider != DatabaseProviders.Sqlite;

    /// <summary>Quartz's names for the ADO.NET drivers (what <c>UseSqlite</c>, <c>UsePostgres</c>, <c>UseSqlServer</c> set).</summary>
    public static string QuartzProvider(string provider) => provider switch
    {
        DatabaseProviders.PostgreSql => "Npgsql",
        DatabaseProviders.SqlServer => "SqlServer",
        _ => "SQLite-Microsoft",
    };
}
