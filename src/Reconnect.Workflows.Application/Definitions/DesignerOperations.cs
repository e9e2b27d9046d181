using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Persistence;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Workflows;

namespace Reconnect.Workflows.Application.Definitions;

/// <summary>What a designer action came to: the definition, or a message and the validation problems that stopped it.</summary>
public sealed record DesignerResult(WorkflowDefinition? Definition, string? Error, IReadOnlyList<ValidationMessage> Problems)
{
    public bool Succeeded => Error is null;
    public static DesignerResult Ok(WorkflowDefinition definition, IReadOnlyList<ValidationMessage>? problems = null) => new(definition, null, problems ?? []);
    public static DesignerResult Fail(string error, IReadOnlyList<ValidationMessage>? problems = null) => new(null, error, problems ?? []);
}

/// <summary>
/// The designer's reads and changes, in process, through the same services as <c>/api/workflow-definitions</c>
/// (WorkflowDefinitionService, the validator plus the API's limits, the audit row per change, the change listeners after
/// publish and import), so the page and the API never disagree.
/// </summary>
public sealed class DesignerOperations(
    IDbContextFactory<ReconnectDbContext> contexts,
    IWorkflowDefinitionStore store,
    WorkflowDefinitionService service,
    WorkflowValidator validator,
    IEnumerable<IDefinitionChangeListener> listeners,
    ControllableTimeProvider clock,
    ILogger<DesignerOperations> logger)
{
    public Task<List<DefinitionSummary>> ListAsync(CancellationToken cancellationToken = default) =>
        DefinitionQueries.ListSummariesAsync(contexts, cancellationToken);

    public Task<WorkflowDefinition?> LatestAsync(string definitionId, CancellationToken cancellationToken = default) =>
        store.FindLatestAsync(definitionId, cancellationToken);

    public Task<WorkflowDefinition?> VersionAsync(string definitionId, int version, CancellationToken cancellationToken = default) =>
        store.FindVersionAsync(definitionId, version, cancellationToken);

    /// <summary>The versions without their documents (as <c>GET …/versions</c>); a version's document is read when it is compared.</summary>
    public Task<List<DefinitionVersionInfo>> VersionsAsync(string definitionId, CancellationToken cancellationToken = default) =>
        DefinitionQueries.ListVersionsAsync(contexts, definitionId, cancellationToken);

    /// <summary>The engine's validation plus the API's limits (what save and publish will check).</summary>
    public IReadOnlyList<ValidationMessage> Validate(WorkflowDefinition definition)
    {
        try { return DefinitionChecks.Validate(validator, definition); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Validating workflow {DefinitionId} threw", definition.DefinitionId);
            return [new ValidationMessage(null, null, $"the definition could not be checked: {ex.Message}")];
        }
    }

    public async Task<DesignerResult> SaveDraftAsync(ClaimsPrincipal user, WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        var problems = Validate(definition);
        if (problems.Any(p => p.Severity == ValidationSeverity.Error)) return DesignerResult.Fail("The workflow has problems; nothing was saved.", problems);
        DefinitionResult result;
        try { result = await service.SaveDraftAsync(definition.DefinitionId, definition, cancellationToken); }
        catch (DbUpdateException) { return DesignerResult.Fail("The workflow was changed at the same moment elsewhere; reload and save again."); }
        if (!result.Succeeded) return DesignerResult.Fail(result.Message ?? "The workflow could not be saved.", result.Validation.Messages);
        await AuditAsync(user, "save", definition.DefinitionId, result.Definition!.Version);
        return DesignerResult.Ok(result.Definition, problems);
    }

    public async Task<DesignerResult> PublishAsync(ClaimsPrincipal user, string definitionId, CancellationToken cancellationToken = default)
    {
        var result = await service.PublishAsync(definitionId, cancellationToken);
        if (!result.Succeeded) return DesignerResult.Fail(result.Message ?? "The workflow could not be published.", result.Validation.Messages);
        await AuditAsync(user, "publish", definitionId, result.Definition!.Version);
        await NotifyAsync(definitionId);
        return DesignerResult.Ok(result.Definition);
    }

    /// <summary>Leaves no version published (new instances cannot start; running ones carry on), as <c>POST …/retract</c>.</summary>
    public async Task<DesignerResult> RetractAsync(ClaimsPrincipal user, string definitionId, CancellationToken cancellationToken = default)
    {
        var result = await service.RetractAsync(definitionId, cancellationToken);
        if (!result.Succeeded) return DesignerResult.Fail(result.Message ?? "The workflow could not be retracted.");
        await AuditAsync(user, "retract", definitionId, result.Definition!.Version);
        await NotifyAsync(definitionId);
        return DesignerResult.Ok(result.Definition);
    }

    /// <summary>A new pathway: a Start connected to a Finish, saved as draft version 1.</summary>
    public async Task<DesignerResult> CreateAsync(ClaimsPrincipal user, string definitionId, string name, CancellationToken cancellationToken = default)
    {
        if (!DefinitionChecks.IsValidDefinitionId(definitionId))
            return DesignerResult.Fail($"The id must be 1–{DefinitionChecks.MaxDefinitionIdLength} letters, digits, '-', '_' or '.', starting with a letter or digit.");
        var definition = new WorkflowDefinition { Id = definitionId, DefinitionId = definitionId, Name = string.IsNullOrWhiteSpace(name) ? definitionId : name.Trim() };
        var start = new ActivityNode { Id = "start", Type = "Elsa.Start", Name = "Start", CustomProperties = [] };
        start.Position = (0, 0);
        var finish = new ActivityNode { Id = "finish", Type = "Elsa.Finish", Name = "Finish", CustomProperties = [] };
        finish.Position = (240, 0);
        definition.Root.Activities!.AddRange([start, finish]);
        definition.Root.Connections!.Add(new Connection("start", "Done", "finish"));
        DefinitionResult result;
        try { result = await service.CreateAsync(definition, cancellationToken); }
        catch (DbUpdateException) { return DesignerResult.Fail($"A workflow '{definitionId}' exists already."); }
        if (!result.Succeeded) return DesignerResult.Fail(result.Message ?? "The workflow could not be created.", result.Validation.Messages);
        await AuditAsync(user, "create", definitionId, 1);
        return DesignerResult.Ok(result.Definition!);
    }

    /// <summary>Imports our JSON or Elsa 3's (as <c>POST /api/workflow-definitions/import</c>): a new definition, or a new draft of one.</summary>
    public async Task<DesignerResult> ImportAsync(ClaimsPrincipal user, string json, CancellationToken cancellationToken = default)
    {
        WorkflowDefinition definition;
        try { definition = WorkflowJson.Parse(json); }
        catch (WorkflowJsonException ex) { return DesignerResult.Fail(ex.Message); }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            return DesignerResult.Fail($"Not a workflow definition: {ex.Message}");
        }
        var shape = DefinitionChecks.Shape(definition);
        if (shape.Count > 0)
            return DesignerResult.Fail("Not a workflow definition: " + string.Join("; ", shape.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
        var problems = Validate(definition);
        if (problems.Any(p => p.Severity == ValidationSeverity.Error)) return DesignerResult.Fail("The workflow has problems; nothing was imported.", problems);
        DefinitionResult result;
        try
        {
            result = await store.FindLatestAsync(definition.DefinitionId, cancellationToken) is null
                ? await service.CreateAsync(definition, cancellationToken)
                : await service.SaveDraftAsync(definition.DefinitionId, definition, cancellationToken);
        }
        catch (DbUpdateException) { return DesignerResult.Fail($"Workflow '{definition.DefinitionId}' was changed at the same moment; import again."); }
        if (!result.Succeeded) return DesignerResult.Fail(result.Message ?? "The workflow could not be imported.", result.Validation.Messages);
        await AuditAsync(user, "import", definition.DefinitionId, result.Definition!.Version);
        await NotifyAsync(definition.DefinitionId);
        return DesignerResult.Ok(result.Definition, problems);
    }

    private Task AuditAsync(ClaimsPrincipal user, string action, string definitionId, int version) =>
        AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.Definition, definitionId, new JsonObject { ["version"] = version });

    private async Task NotifyAsync(string definitionId)
    {
        foreach (var listener in listeners)
        {
            try { await listener.OnDefinitionChangedAsync(definitionId, CancellationToken.None); }
            catch (Exception ex) { logger.LogError(ex, "Definition change listener {Listener} failed for {DefinitionId}", listener.GetType().Name, definitionId); }
        }
    }
}
