namespace Reconnect.Workflows.Application.Definitions;

/// <summary>
/// Told when a definition's published version may have changed (publish, retract, import, start-up deploy), so that
/// what is derived from published versions (cron triggers) is reconciled: never two, none left after a retract.
/// </summary>
public interface IDefinitionChangeListener
{
    Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default);

    /// <summary>Once at start-up, after the workflow files are deployed: reconcile everything.</summary>
    Task OnStartupAsync(CancellationToken cancellationToken = default);
}
