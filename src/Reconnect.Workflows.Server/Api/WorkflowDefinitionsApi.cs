using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/workflow-definitions</c> and <c>/api/activity-descriptors</c> (SPEC §7; shapes and choices in docs/api.md).
/// Reads need <see cref="Policies.ReadWorkflows"/>, changes <see cref="Policies.EditWorkflows"/>. Every change is audited;
/// publish, retract and import tell every <see cref="IDefinitionChangeListener"/>.
/// </summary>
public static class WorkflowDefinitionsApi
{
    private const string Base = "/api/workflow-definitions";

    public static IEndpointRouteBuilder MapWorkflowDefinitionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/activity-descriptors", (ActivityRegistry registry) => TypedResults.Ok(registry.Descriptors.Select(ToDto).ToList()))
            .WithTags("Workflow definitions").RequireAuthorization(Policies.ReadWorkflows);

        var read = app.MapGroup(Base).WithTags("Workflow definitions").RequireAuthorization(Policies.ReadWorkflows);
        var edit = app.MapGroup(Base).WithTags("Workflow definitions").RequireAuthorization(Policies.EditWorkflows);

        read.MapGet("/", ListAsync);
        read.MapGet("/{definitionId}", GetAsync);
        read.MapGet("/{definitionId}/versions", VersionsAsync);
        read.MapGet("/{definitionId}/compare", CompareAsync);

        edit.MapPost("/", CreateAsync).Accepts<JsonObject>("application/json");
        edit.MapPut("/{definitionId}", SaveDraftAsync).Accepts<JsonObject>("application/json");
        edit.MapPost("/{definitionId}/publish", PublishAsync);
        edit.MapPost("/{definitionId}/retract", RetractAsync);
        edit.MapPost("/validate", ValidateAsync).Accepts<JsonObject>("application/json");
        edit.MapPost("/import", ImportAsync).Accepts<JsonObject>("application/json");
        return app;
    }

    // ------------------------------------------------------------------------------------------------ reads

    private static async Task<Ok<List<DefinitionSummary>>> ListAsync(IDbContextFactory<ReconnectDbContext> contexts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DefinitionQueries.ListSummariesAsync(contexts, cancellationToken));

    private static async Task<Results<Ok<JsonNode>, ProblemHttpResult>> GetAsync(
        string definitionId, string? version, IWorkflowDefinitionStore store, CancellationToken cancellationToken)
    {
        WorkflowDefinition? definition;
        if (version is null) definition = await store.FindLatestAsync(definitionId, cancellationToken);
        else if (!TryParseVersion(version, out var v)) return BadVersion("version", version);
        else definition = await store.FindVersionAsync(definitionId, v, cancellationToken);
        return definition is null
            ? Problems.NotFound(version is null ? $"No workflow '{definitionId}'." : $"Workflow '{definitionId}' has no version {version}.")
            : TypedResults.Ok(WorkflowJson.ToNode(definition)!);
    }

    private static async Task<Results<Ok<List<DefinitionVersionInfo>>, ProblemHttpResult>> VersionsAsync(
        string definitionId, IDbContextFactory<ReconnectDbContext> contexts, CancellationToken cancellationToken)
    {
        var versions = await DefinitionQueries.ListVersionsAsync(contexts, definitionId, cancellationToken);
        return versions.Count == 0 ? Problems.NotFound($"No workflow '{definitionId}'.") : TypedResults.Ok(versions);
    }

    private static async Task<Results<Ok<DefinitionDiff>, ProblemHttpResult>> CompareAsync(
        string definitionId, string? from, string? to, IWorkflowDefinitionStore store, CancellationToken cancellationToken)
    {
        int toVersion, fromVersion;
        if (to is null)
        {
            var latest = await store.FindLatestAsync(definitionId, cancellationToken);
            if (latest is null) return Problems.NotFound($"No workflow '{definitionId}'.");
            toVersion = latest.Version;
        }
        else if (!TryParseVersion(to, out toVersion)) return BadVersion("to", to);
        if (from is null) fromVersion = toVersion - 1;
        else if (!TryParseVersion(from, out fromVersion)) return BadVersion("from", from);
        if (fromVersion < 1) return BadVersion("from", from ?? fromVersion.ToString(CultureInfo.InvariantCulture));

        var a = await store.FindVersionAsync(definitionId, fromVersion, cancellationToken);
        var b = await store.FindVersionAsync(definitionId, toVersion, cancellationToken);
        if (a is null || b is null)
            return Problems.NotFound($"Workflow '{definitionId}' has no version {(a is null ? fromVersion : toVersion)}.");
        return TypedResults.Ok(DefinitionComparer.Compare(a, b));
    }

    // ------------------------------------------------------------------------------------------------ changes

    private static async Task<Results<Created<JsonNode>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, WorkflowDefinitionService service, WorkflowValidator validator, [AsParameters] Deps deps, CancellationToken cancellationToken)
    {
        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null) return problem;
        var messages = SafeValidate(validator, definition!, deps.Logger);
        if (messages.Any(m => m.Severity == ValidationSeverity.Error)) return Problems.Invalid("The workflow has problems; nothing was saved.", messages);

        DefinitionResult result;
        try { result = await service.CreateAsync(definition!, cancellationToken); }
        catch (DbUpdateException) { return AlreadyExists(definition!.DefinitionId); }
        if (result.Error == DefinitionError.AlreadyExists) return AlreadyExists(definition!.DefinitionId);
        if (!result.Succeeded) return Problems.Invalid(result.Message ?? "The workflow has problems.", result.Validation.Messages);

        var created = result.Definition!;
        await deps.AuditAsync("create", created.DefinitionId, new JsonObject { ["version"] = created.Version });
        return TypedResults.Created($"{Base}/{Uri.EscapeDataString(created.DefinitionId)}", WorkflowJson.ToNode(created)!);
    }

    private static async Task<Results<Ok<JsonNode>, ProblemHttpResult>> SaveDraftAsync(
        string definitionId, HttpRequest request, WorkflowDefinitionService service, WorkflowValidator validator, IWorkflowDefinitionStore store,
        [AsParameters] Deps deps, CancellationToken cancellationToken)
    {
        if (await store.FindLatestAsync(definitionId, cancellationToken) is null) return Problems.NotFound($"No workflow '{definitionId}'.");
        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null) return problem;
        if (!string.IsNullOrEmpty(definition!.DefinitionId) && definition.DefinitionId != definitionId)
            return Problems.Unprocessable("The body is another workflow than the URL names.",
                new() { ["definitionId"] = [$"'{definition.DefinitionId}' is not '{definitionId}'; leave it out or make it the same."] });
        definition.DefinitionId = definitionId;
        var messages = SafeValidate(validator, definition, deps.Logger);
        if (messages.Any(m => m.Severity == ValidationSeverity.Error)) return Problems.Invalid("The workflow has problems; nothing was saved.", messages);

        DefinitionResult result;
        try { result = await service.SaveDraftAsync(definitionId, definition, cancellationToken); }
        catch (DbUpdateException) { return Problems.Conflict($"Workflow '{definitionId}' was changed at the same moment; reload and save again."); }
        if (result.Error == DefinitionError.NotFound) return Problems.NotFound($"No workflow '{definitionId}'.");
        if (!result.Succeeded) return Problems.Invalid(result.Message ?? "The workflow has problems.", result.Validation.Messages);

        await deps.AuditAsync("save", definitionId, new JsonObject { ["version"] = result.Definition!.Version });
        return TypedResults.Ok(WorkflowJson.ToNode(result.Definition)!);
    }

    private static async Task<Results<Ok<DefinitionVersionInfo>, ProblemHttpResult>> PublishAsync(
        string definitionId, WorkflowDefinitionService service, [AsParameters] Deps deps, CancellationToken cancellationToken)
    {
        var result = await service.PublishAsync(definitionId, cancellationToken);
        switch (result.Error)
        {
            case DefinitionError.NotFound: return Problems.NotFound($"No workflow '{definitionId}'.");
            case not null: return Problems.Invalid(result.Message ?? "The workflow has problems; it was not published.", result.Validation.Messages);
        }
        var published = result.Definition!;
        await deps.AuditAsync("publish", definitionId, new JsonObject { ["version"] = published.Version });
        await deps.NotifyAsync(definitionId);
        return TypedResults.Ok(Info(published));
    }

    private static async Task<Results<Ok<DefinitionVersionInfo>, ProblemHttpResult>> RetractAsync(
        string definitionId, WorkflowDefinitionService service, [AsParameters] Deps deps, CancellationToken cancellationToken)
    {
        var result = await service.RetractAsync(definitionId, cancellationToken);
        switch (result.Error)
        {
            case DefinitionError.NotFound: return Problems.NotFound($"No workflow '{definitionId}'.");
            case DefinitionError.NotPublished: return Problems.Conflict(result.Message ?? $"Workflow '{definitionId}' has no published version.", "Not published");
            case not null: return Problems.Conflict(result.Message ?? "The workflow could not be retracted.");
        }
        var retracted = result.Definition!;
        await deps.AuditAsync("retract", definitionId, new JsonObject { ["version"] = retracted.Version });
        await deps.NotifyAsync(definitionId);
        return TypedResults.Ok(Info(retracted));
    }

    /// <summary>A query: always 200 when the body is JSON, with every problem; JSON that is not a workflow is one workflow-level problem.</summary>
    private static async Task<Results<Ok<ValidationResponse>, ProblemHttpResult>> ValidateAsync(
        HttpRequest request, WorkflowValidator validator, [AsParameters] Deps deps, CancellationToken cancellationToken)
    {
        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null)
        {
            if (problem.StatusCode != StatusCodes.Status400BadRequest || problem.ProblemDetails.Extensions.ContainsKey(NotJsonMarker)) return StripMarker(problem);
            var errors = (problem.ProblemDetails as HttpValidationProblemDetails)?.Errors ?? new Dictionary<string, string[]>();
            var items = errors.SelectMany(e => e.Value.Select(m => new ValidationProblemItem(null, null, $"{e.Key}: {m}", "error"))).ToList();
            return TypedResults.Ok(new ValidationResponse(false, items.Count > 0 ? items : [new(null, null, problem.ProblemDetails.Title ?? "not a workflow", "error")]));
        }
        var messages = SafeValidate(validator, definition!, deps.Logger);
        return TypedResults.Ok(new ValidationResponse(messages.All(m => m.Severity != ValidationSeverity.Error), messages.Select(ValidationProblemItem.From).ToList()));
    }

    private static async Task<Results<Created<DefinitionVersionInfo>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, string? publish, WorkflowDefinitionService service, WorkflowValidator validator, IWorkflowDefinitionStore store,
        [AsParameters] Deps deps, CancellationToken cancellationToken)
    {
        bool andPublish;
        if (publish is null) andPublish = false;
        else if (!bool.TryParse(publish, out andPublish))
            return Problems.BadRequest("Bad query string.", new() { ["publish"] = [$"'{publish}' is not true or false."] });

        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null) return problem;
        var messages = SafeValidate(validator, definition!, deps.Logger);
        if (messages.Any(m => m.Severity == ValidationSeverity.Error)) return Problems.Invalid("The workflow has problems; nothing was imported.", messages);

        var definitionId = definition!.DefinitionId;
        DefinitionResult result;
        try
        {
            result = await store.FindLatestAsync(definitionId, cancellationToken) is null
                ? await service.CreateAsync(definition, cancellationToken)
                : await service.SaveDraftAsync(definitionId, definition, cancellationToken);
        }
        catch (DbUpdateException) { return Problems.Conflict($"Workflow '{definitionId}' was changed at the same moment; import again."); }
        if (result.Error == DefinitionError.AlreadyExists) return Problems.Conflict($"Workflow '{definitionId}' was created at the same moment; import again.");
        if (!result.Succeeded) return Problems.Invalid(result.Message ?? "The workflow has problems.", result.Validation.Messages);

        var imported = result.Definition!;
        if (andPublish)
        {
            var published = await service.PublishAsync(definitionId, cancellationToken);
            if (!published.Succeeded) return Problems.Invalid(published.Message ?? "The workflow was imported as a draft but could not be published.", published.Validation.Messages);
            imported = published.Definition!;
        }
        await deps.AuditAsync("import", definitionId, new JsonObject { ["version"] = imported.Version, ["published"] = andPublish });
        await deps.NotifyAsync(definitionId);
        return TypedResults.Created($"{Base}/{Uri.EscapeDataString(definitionId)}?version={imported.Version}", Info(imported));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private const string NotJsonMarker = "notJson";

    /// <summary>The body as a definition: 413 too big, 400 not JSON (marked), 400 JSON that is not a workflow (errors by path).</summary>
    private static async Task<(WorkflowDefinition? Definition, ProblemHttpResult? Problem)> ReadDefinitionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, allowEmpty: false, cancellationToken);
        if (body.Problem is not null)
        {
            body.Problem.ProblemDetails.Extensions[NotJsonMarker] = true;
            return (null, body.Problem);
        }
        WorkflowDefinition definition;
        try
        {
            definition = WorkflowJson.Parse(Encoding.UTF8.GetString(body.Bytes!));
        }
        catch (WorkflowJsonException ex)
        {
            var path = (ex.InnerException as JsonException)?.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "body";
            return (null, Problems.BadRequest("The body is not a workflow definition.", new() { [path] = [JsonBody.Short(ex.Message)] }));
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            return (null, Problems.BadRequest("The body is not a workflow definition.", new() { ["body"] = [JsonBody.Short(ex.Message)] }));
        }
        var shape = DefinitionChecks.Shape(definition);
        if (shape.Count > 0) return (null, Problems.BadRequest("The body is not a workflow definition.", shape));
        return (definition, null);
    }

    private static ProblemHttpResult StripMarker(ProblemHttpResult problem)
    {
        problem.ProblemDetails.Extensions.Remove(NotJsonMarker);
        return problem;
    }

    /// <summary>The validator should never throw; if odd input makes it, that is the input's problem (a message), not a 500.</summary>
    private static IReadOnlyList<ValidationMessage> SafeValidate(WorkflowValidator validator, WorkflowDefinition definition, ILogger logger)
    {
        try
        {
            return DefinitionChecks.Validate(validator, definition);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Validating workflow {DefinitionId} threw", definition.DefinitionId);
            return [new ValidationMessage(null, null, $"the definition could not be checked: {ex.Message}")];
        }
    }

    private static bool TryParseVersion(string text, out int version) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version >= 1;

    private static ProblemHttpResult BadVersion(string field, string value) =>
        Problems.BadRequest("Bad query string.", new() { [field] = [$"'{value}' is not a version number (1, 2, …)."] });

    private static ProblemHttpResult AlreadyExists(string definitionId) =>
        Problems.Conflict($"A workflow '{definitionId}' exists already; save a new version with PUT {Base}/{definitionId} or import it.", "Already exists");

    private static DefinitionVersionInfo Info(WorkflowDefinition d) =>
        new(d.DefinitionId, d.Version, d.Name ?? d.DefinitionId, d.IsPublished, d.IsLatest, d.CreatedAt ?? DateTimeOffset.MinValue, d.PublishedAt);

    private static ActivityDescriptorDto ToDto(ActivityDescriptor d) => new(
        d.Type, d.DisplayName, d.Category, d.Description, d.Icon,
        d.Inputs.Select(i => new InputDescriptorDto(i.Name, i.DisplayName ?? i.Name, i.TypeName, i.Required, i.DefaultValue?.DeepClone(), i.UiHint, i.DefaultSyntax, i.Options, i.Description)).ToList(),
        d.Ports, d.DynamicPortsInput, d.IsWaiting, d.IsTrigger, d.IsTerminal);

    /// <summary>What the change endpoints share after a change committed: the audit row and the listeners.</summary>
    public sealed record Deps(
        HttpContext Http,
        IDbContextFactory<ReconnectDbContext> Contexts,
        IEnumerable<IDefinitionChangeListener> Listeners,
        ControllableTimeProvider Clock,
        ILoggerFactory Loggers)
    {
        internal ILogger Logger => Loggers.CreateLogger(typeof(WorkflowDefinitionsApi).FullName!);

        public Task AuditAsync(string action, string definitionId, JsonObject? detail) =>
            AuditTrail.WriteAsync(Contexts, Http.User, Clock, action, AuditTrail.Definition, definitionId, detail);

        /// <summary>
        /// After the change committed, so not with the request's token. A listener that fails is logged, not turned into an
        /// error: the change stands, and listeners reconcile everything again at start-up.
        /// </summary>
        public async Task NotifyAsync(string definitionId)
        {
            foreach (var listener in Listeners)
            {
                try { await listener.OnDefinitionChangedAsync(definitionId, CancellationToken.None); }
                catch (Exception ex) { Logger.LogError(ex, "Definition change listener {Listener} failed for {DefinitionId}", listener.GetType().Name, definitionId); }
            }
        }
    }
}
