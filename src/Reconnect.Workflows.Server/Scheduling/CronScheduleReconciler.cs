using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Scheduling;

/// <summary>
/// Keeps the Quartz cron triggers derived from published definitions (LESSONS.md, Elsa #5228/#7247/#5499: never two,
/// none after retract): told of every publish/retract/import, and once at start-up for everything.
/// </summary>
public sealed class CronScheduleReconciler(ScheduleManager schedules) : IDefinitionChangeListener
{
    public Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default) =>
        schedules.ReconcileDefinitionAsync(definitionId, cancellationToken);

    public Task OnStartupAsync(CancellationToken cancellationToken = default) => schedules.ReconcileAllAsync(cancellationToken);
}
