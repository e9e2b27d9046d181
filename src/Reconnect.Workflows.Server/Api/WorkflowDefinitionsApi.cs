using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/workflow-definitions</c> and <c>/api/activity-descriptors</c> (SPEC §7; shapes and choices in docs/api.md).
/// Reads need <see cref="Policies.ReadWorkflows"/>, changes <see cref="Policies.EditWorkflows"/>. Each endpoint reads
/// the body and calls one method of <see cref="DefinitionService"/>, which the designer pages call too (audit, listeners).
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

    private static async Task<Ok<List<DefinitionSummary>>> ListAsync(DefinitionService definitions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await definitions.ListAsync(cancellationToken));

    private static async Task<Results<Ok<JsonNode>, ProblemHttpResult>> GetAsync(
        string definitionId, string? version, DefinitionService definitions, CancellationToken cancellationToken)
    {
        WorkflowDefinition? definition;
        if (version is null) definition = await definitions.LatestAsync(definitionId, cancellationToken);
        else if (!TryParseVersion(version, out var v)) return BadVersion("version", version);
        else definition = await definitions.VersionAsync(definitionId, v, cancellationToken);
        return definition is null
            ? Problems.NotFound(version is null ? $"No workflow '{definitionId}'." : $"Workflow '{definitionId}' has no version {version}.")
            : TypedResults.Ok(WorkflowJson.ToNode(definition)!);
    }

    private static async Task<Results<Ok<List<DefinitionVersionInfo>>, ProblemHttpResult>> VersionsAsync(
        string definitionId, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var versions = await definitions.VersionsAsync(definitionId, cancellationToken);
        return versions.Count == 0 ? Problems.NotFound($"No workflow '{definitionId}'.") : TypedResults.Ok(versions);
    }

    private static async Task<Results<Ok<DefinitionDiff>, ProblemHttpResult>> CompareAsync(
        string definitionId, string? from, string? to, DefinitionService definitions, CancellationToken cancellationToken)
    {
        int toVersion, fromVersion;
        if (to is null)
        {
            var latest = await definitions.LatestAsync(definitionId, cancellationToken);
            if (latest is null) return Problems.NotFound($"No workflow '{definitionId}'.");
            toVersion = latest.Version;
        }
        else if (!TryParseVersion(to, out toVersion)) return BadVersion("to", to);
        if (from is null) fromVersion = toVersion - 1;
        else if (!TryParseVersion(from, out fromVersion)) return BadVersion("from", from);
        if (fromVersion < 1) return BadVersion("from", from ?? fromVersion.ToString(CultureInfo.InvariantCulture));

        return await definitions.CompareAsync(definitionId, fromVersion, toVersion, cancellationToken) is { } diff
            ? TypedResults.Ok(diff)
            : Problems.NotFound($"Workflow '{definitionId}' has no version {fromVersion} or {toVersion}.");
    }

    // ------------------------------------------------------------------------------------------------ changes

    private static async Task<Results<Created<JsonNode>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null) return problem;
        var result = await definitions.CreateAsync(user, definition!, cancellationToken);
        if (!result.Succeeded) return Failure(result);
        var created = result.Definition!;
        return TypedResults.Created($"{Base}/{Uri.EscapeDataString(created.DefinitionId)}", WorkflowJson.ToNode(created)!);
    }

    private static async Task<Results<Ok<JsonNode>, ProblemHttpResult>> SaveDraftAsync(
        string definitionId, HttpRequest request, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        if (await definitions.LatestAsync(definitionId, cancellationToken) is null) return Problems.NotFound($"No workflow '{definitionId}'.");
        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null) return problem;
        // A field-level answer for a field of the body (the service refuses it too, for callers without a body).
        if (!string.IsNullOrEmpty(definition!.DefinitionId) && definition.DefinitionId != definitionId)
            return Problems.Unprocessable("The body is another workflow than the URL names.",
                new() { ["definitionId"] = [$"'{definition.DefinitionId}' is not '{definitionId}'; leave it out or make it the same."] });
        var result = await definitions.SaveDraftAsync(user, definitionId, definition, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(WorkflowJson.ToNode(result.Definition!)!) : Failure(result);
    }

    private static async Task<Results<Ok<DefinitionVersionInfo>, ProblemHttpResult>> PublishAsync(
        string definitionId, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var result = await definitions.PublishAsync(user, definitionId, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(Info(result.Definition!)) : Failure(result);
    }

    private static async Task<Results<Ok<DefinitionVersionInfo>, ProblemHttpResult>> RetractAsync(
        string definitionId, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var result = await definitions.RetractAsync(user, definitionId, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(Info(result.Definition!)) : Failure(result, conflictTitle: "Not published");
    }

    /// <summary>A query: always 200 when the body is JSON, with every problem; JSON that is not a workflow is one workflow-level problem.</summary>
    private static async Task<Results<Ok<ValidationResponse>, ProblemHttpResult>> ValidateAsync(
        HttpRequest request, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null)
        {
            if (problem.StatusCode != StatusCodes.Status400BadRequest || problem.ProblemDetails.Extensions.ContainsKey(NotJsonMarker)) return StripMarker(problem);
            var errors = (problem.ProblemDetails as HttpValidationProblemDetails)?.Errors ?? new Dictionary<string, string[]>();
            var items = errors.SelectMany(e => e.Value.Select(m => new ValidationProblemItem(null, null, $"{e.Key}: {m}", "error"))).ToList();
            return TypedResults.Ok(new ValidationResponse(false, items.Count > 0 ? items : [new(null, null, problem.ProblemDetails.Title ?? "not a workflow", "error")]));
        }
        var messages = definitions.Validate(definition!);
        return TypedResults.Ok(new ValidationResponse(messages.All(m => m.Severity != ValidationSeverity.Error), messages.Select(ValidationProblemItem.From).ToList()));
    }

    private static async Task<Results<Created<DefinitionVersionInfo>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, string? publish, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        bool andPublish;
        if (publish is null) andPublish = false;
        else if (!bool.TryParse(publish, out andPublish))
            return Problems.BadRequest("Bad query string.", new() { ["publish"] = [$"'{publish}' is not true or false."] });

        var (definition, problem) = await ReadDefinitionAsync(request, cancellationToken);
        if (problem is not null) return problem;
        var result = await definitions.ImportAsync(user, definition!, andPublish, cancellationToken);
        if (!result.Succeeded) return Failure(result);
        var imported = result.Definition!;
        return TypedResults.Created($"{Base}/{Uri.EscapeDataString(imported.DefinitionId)}?version={imported.Version}", Info(imported));
    }

    /// <summary>A refused change as problem details: each <see cref="DefinitionFailure"/> has its status.</summary>
    private static ProblemHttpResult Failure(DefinitionChangeResult result, string conflictTitle = "Conflict") => result.Failure switch
    {
        DefinitionFailure.NotFound => Problems.NotFound(result.Error!),
        DefinitionFailure.AlreadyExists => Problems.Conflict(result.Error!, "Already exists"),
        DefinitionFailure.Conflict => Problems.Conflict(result.Error!, conflictTitle),
        DefinitionFailure.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: result.Error),
        DefinitionFailure.Malformed => Problems.BadRequest("The body is not a workflow definition.", new() { ["body"] = [result.Error!] }),
        _ => Problems.Invalid(result.Error!, result.Problems),
    };

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

    private static bool TryParseVersion(string text, out int version) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version >= 1;

    private static ProblemHttpResult BadVersion(string field, string value) =>
        Problems.BadRequest("Bad query string.", new() { [field] = [$"'{value}' is not a version number (1, 2, …)."] });

    private static DefinitionVersionInfo Info(WorkflowDefinition d) =>
        new(d.DefinitionId, d.Version, d.Name ?? d.DefinitionId, d.IsPublished, d.IsLatest, d.CreatedAt ?? DateTimeOffset.MinValue, d.PublishedAt);

    private static ActivityDescriptorDto ToDto(ActivityDescriptor d) => new(
        d.Type, d.DisplayName, d.Category, d.Description, d.Icon,
        d.Inputs.Select(i => new InputDescriptorDto(i.Name, i.DisplayName ?? i.Name, i.TypeName, i.Required, i.DefaultValue?.DeepClone(), i.UiHint, i.DefaultSyntax, i.Options, i.Description)).ToList(),
        d.Ports, d.DynamicPortsInput, d.IsWaiting, d.IsTrigger, d.IsTerminal);
}
