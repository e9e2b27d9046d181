using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application;

/// <summary>Each area registers itself; the host calls <see cref="AddReconnectApplication"/> and wires none of their internals.</summary>
public static class ApplicationServiceCollectionExtensions
{
    /// <summary>Every use-case area of the application layer.</summary>
    public static IServiceCollection AddReconnectApplication(this IServiceCollection services) =>
        services.AddAudit().AddReferrals().AddTasks().AddSingleton<Demo.DemoReferralSeeder>()
            .AddSingleton<Instances.InstanceService>()
            .AddScoped<Definitions.DesignerOperations>();

    /// <summary>The audit trail read back (writing is each use case's own), and the writer of audit rows that commit with a step.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services) =>
        services.AddSingleton<Audit.AuditLog>().AddSingleton<IEffectWriter, Audit.AuditEffectWriter>();

    /// <summary>Referrals: the service (create, read, events, measures) and the writer of the referral domain's rows.</summary>
    public static IServiceCollection AddReferrals(this IServiceCollection services)
    {
        // Before the core writer (registered by persistence), so that it takes the referral tasks: their assignee follows the referral.
        services.AddSingleton<IEffectWriter, ReferralEffectWriter>();
        services.AddSingleton<ReferralReads>();
        services.AddSingleton<ReferralService>();
        services.AddSingleton<Checks.ReferralCheckBatches>();
        return services;
    }

    /// <summary>Tasks: claiming and completing, and the in-process news of new tasks for open inboxes.</summary>
    public static IServiceCollection AddTasks(this IServiceCollection services)
    {
        services.AddSingleton<TaskWork>();
        // Live inbox: told of new tasks after their commit (EfWorkflowStore), on this node only (docs/ui.md).
        services.AddSingleton<TaskNotifications>();
        services.AddSingleton<ITaskCommitListener>(sp => sp.GetRequiredService<TaskNotifications>());
        return services;
    }
}
