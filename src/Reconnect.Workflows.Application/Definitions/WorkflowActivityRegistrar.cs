using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Application.Definitions;

/// <summary>
/// Makes every published workflow with <c>options.usableAsActivity</c> an activity type of the running server (Elsa's
/// naming: "Follow-up check" → <c>FollowUpCheck</c>), at start-up and whenever such a workflow is published, so that the
/// designer's palette, validation and the runner know it. A later version replaces the type's inputs and outcomes. A
/// retracted workflow's type stays known — parents that use it still load and validate — but starting it faults the
/// parent's activity with "not published", as Elsa does.
/// </summary>
public sealed class WorkflowActivityRegistrar(ActivityRegistry registry, IWorkflowDefinitionStore definitions, ILogger<WorkflowActivityRegistrar> logger)
    : IDefinitionChangeListener
{
    public async Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        if (await definitions.FindPublishedAsync(definitionId, cancellationToken) is not { } published) return;
        if (registry.AddWorkflowActivity(published) is { } type)
            logger.LogInformation("Workflow {DefinitionId} version {Version} is the activity {ActivityType}", definitionId, published.Version, type);
    }

    public async Task OnStartupAsync(CancellationToken cancellationToken = default)
    {
        foreach (var latest in await definitions.ListLatestAsync(cancellationToken))
            await OnDefinitionChangedAsync(latest.DefinitionId, cancellationToken);
    }
}
