using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Workflows;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Definitions;

/// <summary>Why a definition change did not happen (the API maps each to its status).</summary>
public enum DefinitionFailure
{
    None,
    /// <summary>No such definition or version (404).</summary>
    NotFound,
    /// <summary>Validation errors or a request that makes no sense for this definition (422, the problems named).</summary>
    Invalid,
    /// <summary>A definition with this id exists already (409).</summary>
    AlreadyExists,
    /// <summary>Changed at the same moment elsewhere, or no published version to retract (409).</summary>
    Conflict,
    /// <summary>Not a workflow definition at all (400).</summary>
    Malformed,
    /// <summary>The caller may not change definitions (403).</summary>
    Forbidden,
}

/// <summary>What a definition change came to: the definition, or a message, the reason and the validation problems that stopped it.</summary>
public sealed record DefinitionChangeResult(WorkflowDefinition? Definition, string? Error, IReadOnlyList<ValidationMessage> Problems, DefinitionFailure Failure = DefinitionFailure.None)
{
    public bool Succeeded => Error is null;
    public static DefinitionChangeResult Ok(WorkflowDefinition definition, IReadOnlyList<ValidationMessage>? problems = null) => new(definition, null, problems ?? []);
    public static DefinitionChangeResult Fail(DefinitionFailure failure, string error, IReadOnlyList<ValidationMessage>? problems = null) => new(null, error, problems ?? [], failure);
}

/// <summary>
/// The workflow definitions' use cases: list, read, compare, validate, create, save a draft, publish, retract, import.
/// <c>/api/workflow-definitions</c> and the designer pages both call these, so they check the same things (the engine's
/// validation plus our limits), refuse the same callers (<see cref="RoleSets.EditWorkflows"/>), write the same audit row
/// per change (subject <c>WorkflowDefinition</c>, detail the version) and tell the same <see cref="IDefinitionChangeListener"/>s.
/// </summary>
public sealed class DefinitionService(
    IDbContextFactory<ReconnectDbContext> contexts,
    IWorkflowDefinitionStore store,
    WorkflowDefinitionService service,
    WorkflowValidator validator,
    IEnumerable<IDefinitionChangeListener> listeners,
    ControllableTimeProvider clock,
    ILogger<DefinitionService> logger)
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

    /// <summary>What changed from one version to another; null when either version does not exist.</summary>
    public async Task<DefinitionDiff?> CompareAsync(string definitionId, int fromVersion, int toVersion, CancellationToken cancellationToken = default)
    {
        var a = await store.FindVersionAsync(definitionId, fromVersion, cancellationToken);
        var b = await store.FindVersionAsync(definitionId, toVersion, cancellationToken);
        return a is null || b is null ? null : DefinitionComparer.Compare(a, b);
    }

    /// <summary>
    /// The engine's validation plus the API's limits (what save and publish will check). The validator should never
    /// throw; if odd input makes it, that is the input's problem (a message), not a 500.
    /// </summary>
    public IReadOnlyList<ValidationMessage> Validate(WorkflowDefinition definition)
    {
        try { return DefinitionChecks.Validate(validator, definition); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Validating workflow {DefinitionId} threw", definition.DefinitionId);
            return [new ValidationMessage(null, null, $"the definition could not be checked: {ex.Message}")];
        }
    }

    public static bool MayEdit(ClaimsPrincipal user) => RoleSets.Has(user, RoleSets.EditWorkflows);

    /// <summary>A new definition, saved as draft version 1.</summary>
    public async Task<DefinitionChangeResult> CreateAsync(ClaimsPrincipal user, WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        if (!MayEdit(user)) return Refused();
        var problems = Validate(definition);
        if (HasErrors(problems)) return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, "The workflow has problems; nothing was saved.", problems);
        DefinitionResult result;
        try { result = await service.CreateAsync(definition, cancellationToken); }
        catch (DbUpdateException) { return Exists(definition.DefinitionId); }
        if (result.Error == DefinitionError.AlreadyExists) return Exists(definition.DefinitionId);
        if (!result.Succeeded) return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, result.Message ?? "The workflow has problems.", result.Validation.Messages);
        await AuditAsync(user, "create", result.Definition!);
        return DefinitionChangeResult.Ok(result.Definition!, problems);
    }

    /// <summary>A new pathway from the designer: a Start connected to a Finish, saved as draft version 1.</summary>
    public Task<DefinitionChangeResult> CreateAsync(ClaimsPrincipal user, string definitionId, string name, CancellationToken cancellationToken = default)
    {
        if (!DefinitionChecks.IsValidDefinitionId(definitionId))
            return Task.FromResult(DefinitionChangeResult.Fail(DefinitionFailure.Malformed,
                $"The id must be 1–{DefinitionChecks.MaxDefinitionIdLength} letters, digits, '-', '_' or '.', starting with a letter or digit."));
        var definition = new WorkflowDefinition { Id = definitionId, DefinitionId = definitionId, Name = string.IsNullOrWhiteSpace(name) ? definitionId : name.Trim() };
        var start = new ActivityNode { Id = "start", Type = "Elsa.Start", Name = "Start", CustomProperties = [] };
        start.Position = (0, 0);
        var finish = new ActivityNode { Id = "finish", Type = "Elsa.Finish", Name = "Finish", CustomProperties = [] };
        finish.Position = (240, 0);
        definition.Root.Activities!.AddRange([start, finish]);
        definition.Root.Connections!.Add(new Connection("start", "Done", "finish"));
        return CreateAsync(user, definition, cancellationToken);
    }

    /// <summary>A new draft version of an existing definition (the body's definition id, when it has one, must be this one).</summary>
    public async Task<DefinitionChangeResult> SaveDraftAsync(ClaimsPrincipal user, string definitionId, WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        if (!MayEdit(user)) return Refused();
        if (await store.FindLatestAsync(definitionId, cancellationToken) is null) return Missing(definitionId);
        if (!string.IsNullOrEmpty(definition.DefinitionId) && definition.DefinitionId != definitionId)
            return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, "The body is another workflow than the URL names.",
                [new ValidationMessage(null, "definitionId", $"'{definition.DefinitionId}' is not '{definitionId}'; leave it out or make it the same.")]);
        definition.DefinitionId = definitionId;
        var problems = Validate(definition);
        if (HasErrors(problems)) return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, "The workflow has problems; nothing was saved.", problems);
        DefinitionResult result;
        try { result = await service.SaveDraftAsync(definitionId, definition, cancellationToken); }
        catch (DbUpdateException) { return Concurrent(definitionId, "reload and save again"); }
        if (result.Error == DefinitionError.NotFound) return Missing(definitionId);
        if (!result.Succeeded) return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, result.Message ?? "The workflow has problems.", result.Validation.Messages);
        await AuditAsync(user, "save", result.Definition!);
        return DefinitionChangeResult.Ok(result.Definition!, problems);
    }

    public async Task<DefinitionChangeResult> PublishAsync(ClaimsPrincipal user, string definitionId, CancellationToken cancellationToken = default)
    {
        if (!MayEdit(user)) return Refused();
        var result = await service.PublishAsync(definitionId, cancellationToken);
        switch (result.Error)
        {
            case DefinitionError.NotFound: return Missing(definitionId);
            case not null: return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, result.Message ?? "The workflow has problems; it was not published.", result.Validation.Messages);
        }
        await AuditAsync(user, "publish", result.Definition!);
        await NotifyAsync(definitionId);
        return DefinitionChangeResult.Ok(result.Definition!);
    }

    /// <summary>Leaves no version published (new instances cannot start; running ones carry on).</summary>
    public async Task<DefinitionChangeResult> RetractAsync(ClaimsPrincipal user, string definitionId, CancellationToken cancellationToken = default)
    {
        if (!MayEdit(user)) return Refused();
        var result = await service.RetractAsync(definitionId, cancellationToken);
        switch (result.Error)
        {
            case DefinitionError.NotFound: return Missing(definitionId);
            case not null: return DefinitionChangeResult.Fail(DefinitionFailure.Conflict, result.Message ?? $"Workflow '{definitionId}' has no published version.");
        }
        await AuditAsync(user, "retract", result.Definition!);
        await NotifyAsync(definitionId);
        return DefinitionChangeResult.Ok(result.Definition!);
    }

    /// <summary>Our JSON or Elsa 3's, as text (the designer's import): parsed, then as <see cref="ImportAsync(ClaimsPrincipal, WorkflowDefinition, bool, CancellationToken)"/>.</summary>
    public Task<DefinitionChangeResult> ImportAsync(ClaimsPrincipal user, string json, CancellationToken cancellationToken = default)
    {
        WorkflowDefinition definition;
        try { definition = WorkflowJson.Parse(json); }
        catch (WorkflowJsonException ex) { return Task.FromResult(DefinitionChangeResult.Fail(DefinitionFailure.Malformed, ex.Message)); }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            return Task.FromResult(DefinitionChangeResult.Fail(DefinitionFailure.Malformed, $"Not a workflow definition: {ex.Message}"));
        }
        var shape = DefinitionChecks.Shape(definition);
        if (shape.Count > 0)
            return Task.FromResult(DefinitionChangeResult.Fail(DefinitionFailure.Malformed,
                "Not a workflow definition: " + string.Join("; ", shape.Select(e => $"{e.Key} {string.Join(", ", e.Value)}"))));
        return ImportAsync(user, definition, publish: false, cancellationToken);
    }

    /// <summary>A new definition, or a new draft of an existing one; published at once when asked.</summary>
    public async Task<DefinitionChangeResult> ImportAsync(ClaimsPrincipal user, WorkflowDefinition definition, bool publish, CancellationToken cancellationToken = default)
    {
        if (!MayEdit(user)) return Refused();
        var problems = Validate(definition);
        if (HasErrors(problems)) return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, "The workflow has problems; nothing was imported.", problems);
        var definitionId = definition.DefinitionId;
        DefinitionResult result;
        try
        {
            result = await store.FindLatestAsync(definitionId, cancellationToken) is null
                ? await service.CreateAsync(definition, cancellationToken)
                : await service.SaveDraftAsync(definitionId, definition, cancellationToken);
        }
        catch (DbUpdateException) { return Concurrent(definitionId, "import again"); }
        if (result.Error == DefinitionError.AlreadyExists) return Concurrent(definitionId, "import again");
        if (!result.Succeeded) return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, result.Message ?? "The workflow has problems.", result.Validation.Messages);

        var imported = result.Definition!;
        if (publish)
        {
            var published = await service.PublishAsync(definitionId, cancellationToken);
            if (!published.Succeeded)
                return DefinitionChangeResult.Fail(DefinitionFailure.Invalid, published.Message ?? "The workflow was imported as a draft but could not be published.", published.Validation.Messages);
            imported = published.Definition!;
        }
        await AuditAsync(user, "import", imported, new JsonObject { ["published"] = publish });
        await NotifyAsync(definitionId);
        return DefinitionChangeResult.Ok(imported, problems);
    }

    private static bool HasErrors(IReadOnlyList<ValidationMessage> problems) => problems.Any(p => p.Severity == ValidationSeverity.Error);

    private static DefinitionChangeResult Refused() =>
        DefinitionChangeResult.Fail(DefinitionFailure.Forbidden, "Only managers change workflow definitions.");

    private static DefinitionChangeResult Missing(string definitionId) =>
        DefinitionChangeResult.Fail(DefinitionFailure.NotFound, $"No workflow '{definitionId}'.");

    private static DefinitionChangeResult Exists(string definitionId) =>
        DefinitionChangeResult.Fail(DefinitionFailure.AlreadyExists, $"A workflow '{definitionId}' exists already; save a new version or import it.");

    private static DefinitionChangeResult Concurrent(string definitionId, string then) =>
        DefinitionChangeResult.Fail(DefinitionFailure.Conflict, $"Workflow '{definitionId}' was changed at the same moment; {then}.");

    private Task AuditAsync(ClaimsPrincipal user, string action, WorkflowDefinition definition, JsonObject? more = null)
    {
        var detail = new JsonObject { ["version"] = definition.Version };
        foreach (var (key, value) in more ?? []) detail[key] = value?.DeepClone();
        return AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.Definition, definition.DefinitionId, detail);
    }

    /// <summary>
    /// After the change committed, so not with the request's token. A listener that fails is logged, not turned into an
    /// error: the change stands, and listeners reconcile everything again at start-up.
    /// </summary>
    private async Task NotifyAsync(string definitionId)
    {
        foreach (var listener in listeners)
        {
            try { await listener.OnDefinitionChangedAsync(definitionId, CancellationToken.None); }
            catch (Exception ex) { logger.LogError(ex, "Definition change listener {Listener} failed for {DefinitionId}", listener.GetType().Name, definitionId); }
        }
    }
}
