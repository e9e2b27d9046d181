using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application;

/// <summary>Each area registers itself; the host calls <see cref="AddReconnectApplication"/> and wires none of their internals.</summary>
public static class ApplicationServiceCollectionExtensions
{
    /// <summary>Every use-case area of the application layer.</summary>
    public static IServiceCollection AddReconnectApplication(this IServiceCollection services) =>
        services.AddAudit().AddReferrals().AddTasks().AddStaff().AddNotifications().AddSingleton<Demo.DemoReferralSeeder>()
            .AddSingleton<Instances.InstanceService>()
            .AddScoped<Definitions.DefinitionService>()
            .AddSingleton<Definitions.IDefinitionChangeListener, Definitions.WorkflowActivityRegistrar>()
            .AddSchedules().AddMigrations();

    /// <summary>
    /// Migrations and bulk operations, and the runner of their background jobs. The jobs run on the thread pool unless the
    /// host registers its own <see cref="Migrations.IMigrationJobScheduler"/> (the server's is a Quartz job).
    /// </summary>
    public static IServiceCollection AddMigrations(this IServiceCollection services)
    {
        services.AddSingleton<Migrations.MigrationService>();
        services.AddSingleton<Migrations.BulkOperations>();
        services.AddSingleton<Migrations.MigrationJobs>();
        services.AddSingleton<Migrations.InProcessMigrationJobScheduler>();
        services.TryAddSingleton<Migrations.IMigrationJobScheduler>(sp => sp.GetRequiredService<Migrations.InProcessMigrationJobScheduler>());
        return services;
    }

    /// <summary>
    /// Schedules: reading and changing them, and the record of their runs. The host registers the scheduler itself
    /// (<see cref="Schedules.IScheduleControl"/>, Quartz).
    /// </summary>
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton<Schedules.ScheduleRunRecorder>();
        services.AddSingleton<Schedules.ScheduleService>();
        return services;
    }

    /// <summary>The audit trail read back (writing is each use case's own), and the writer of audit rows that commit with a step.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services) =>
        services.AddSingleton<Audit.AuditLog>().AddSingleton<IEffectWriter, Audit.AuditEffectWriter>();

    /// <summary>Referrals: the service (create, read, events, measures) and the writer of the referral domain's rows.</summary>
    public static IServiceCollection AddReferrals(this IServiceCollection services)
    {
        // Writes the referral rows and the tasks with an assignment rule (their assignee follows the referral); order does not matter.
        services.AddSingleton<IEffectWriter, ReferralEffectWriter>();
        services.AddSingleton<ReferralReads>();
        services.AddSingleton<ReferralService>();
        services.AddSingleton<Checks.ReferralCheckBatches>();
        return services;
    }

    /// <summary>In-app notifications: a person's list and the in-process news for open bells.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services) =>
        services.AddSingleton<Notifications.NotificationNews>().AddSingleton<Notifications.NotificationService>();

    /// <summary>Staff: accounts (scoped: through Identity's user manager), and the per-request account check.</summary>
    public static IServiceCollection AddStaff(this IServiceCollection services)
    {
        services.AddScoped<Staff.StaffService>();
        services.AddScoped<Staff.OrganisationSignIn>();
        services.AddSingleton<Staff.AccountGate>();
        services.AddSingleton<Staff.Allocation>();
        services.AddSingleton<Staff.Absences>();
        services.AddSingleton<Staff.Caseloads>();
        return services;
    }

    /// <summary>Tasks: claiming and completing, and the in-process news of new tasks for open inboxes.</summary>
    public static IServiceCollection AddTasks(this IServiceCollection services)
    {
        services.AddSingleton<TaskWork>();
        services.AddSingleton<OverdueReviews>();
        // Live inbox: told of new tasks after their commit (EfWorkflowStore), on this node only (docs/ui.md).
        services.AddSingleton<TaskNotifications>();
        services.AddSingleton<ITaskCommitListener>(sp => sp.GetRequiredService<TaskNotifications>());
        return services;
    }

    /// <summary>The engine: activities, expressions, the pure runner, validation, versions and the runtime over the database stores.</summary>
    public static IServiceCollection AddReconnectEngine(this IServiceCollection services)
    {
        // The built-in Elsa activities and the referral domain's Reconnect.* ones.
        services.AddSingleton(_ => Reconnect.Workflows.Referrals.Activities.ReferralActivities.CreateRegistry());
        services.AddSingleton(_ => new ExpressionEvaluator());
        services.AddSingleton(sp => new WorkflowRunner(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<ExpressionEvaluator>()));
        services.AddSingleton(sp => new WorkflowValidator(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<ExpressionEvaluator>()));
        services.AddSingleton(sp => new WorkflowDefinitionService(
            sp.GetRequiredService<IWorkflowDefinitionStore>(), sp.GetRequiredService<WorkflowValidator>(), sp.GetRequiredService<ControllableTimeProvider>()));
        services.AddSingleton(sp => new WorkflowRuntime(
            sp.GetRequiredService<WorkflowRunner>(), sp.GetRequiredService<IWorkflowDefinitionStore>(), sp.GetRequiredService<IWorkflowInstanceStore>(),
            sp.GetRequiredService<ControllableTimeProvider>()));
        return services;
    }

    /// <summary>
    /// The workflow clock: system time plus an offset that only the test clock (<c>Testing:ClockControl</c>, never in
    /// Production) moves. Workflows, timers and referral windows read it; ASP.NET Core's own <see cref="TimeProvider"/>
    /// (sign-in tokens, cookies) stays on real time, so moving the test clock does not sign everybody out.
    /// </summary>
    public static IServiceCollection AddReconnectClock(this IServiceCollection services)
    {
        services.AddSingleton(_ => new ControllableTimeProvider(TimeProvider.System));
        return services;
    }
}
