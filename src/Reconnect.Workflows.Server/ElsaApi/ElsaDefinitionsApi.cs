using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Server.Api;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// Elsa's workflow-definition endpoints under <c>/elsa/api</c> (docs/elsa-api.md), over <see cref="DefinitionService"/>
/// (which checks who may change, audits and tells the listeners). Reads need <see cref="Policies.ReadWorkflows"/>,
/// changes <see cref="Policies.EditWorkflows"/>.
/// </summary>
public static class ElsaDefinitionsApi
{
    /// <summary>Set to <c>false</c> on a save whose draft had errors and was therefore not stored.</summary>
    public const string DraftStoredHeader = "X-Reconnect-Draft-Stored";

    public static RouteGroupBuilder MapElsaDefinitions(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(Policies.ReadWorkflows);
        var edit = api.MapGroup("").RequireAuthorization(Policies.EditWorkflows);

        read.MapGet("/workflow-definitions", ListAsync);
        read.MapGet("/workflow-definitions/by-definition-id/{definitionId}", ByDefinitionIdAsync);
        read.MapGet("/workflow-definitions/by-id/{id}", ByIdAsync);
        read.MapGet("/workflow-definitions/many-by-id", ManyByIdAsync);
        read.MapGet("/workflow-definitions/validation/is-name-unique", IsNameUniqueAsync);

        edit.MapPost("/workflow-definitions", SaveAsync).Accepts<JsonObject>("application/json");
        edit.MapPost("/workflow-definitions/{definitionId}/publish", PublishAsync);
        edit.MapPost("/workflow-definitions/{definitionId}/retract", RetractAsync);
        edit.MapPost("/bulk-actions/publish/workflow-definitions/by-definition-ids", BulkPublishAsync).Accepts<JsonObject>("application/json");
        return api;
    }

    // ------------------------------------------------------------------------------------------------ reads

    private static async Task<Results<Ok<ElsaPagedList<ElsaDefinitionSummary>>, ProblemHttpResult>> ListAsync(
        HttpRequest request, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var q = request.Query;
        if (!ElsaVersionOptions.TryParse(q["versionOptions"], ElsaVersionOptions.Latest, out var options))
            return ElsaProblems.BadQuery("versionOptions", $"'{q["versionOptions"]}' is not one of {ElsaVersionOptions.Expected}.");
        if (!TryInt(q["page"], 0, out var page)) return ElsaProblems.BadQuery("page", $"'{q["page"]}' is not a page number (0, 1, …).");
        if (!TryInt(q["pageSize"], 1, out var pageSize)) return ElsaProblems.BadQuery("pageSize", $"'{q["pageSize"]}' is not a page size (1, 2, …).");
        if (!TryBool(q["isSystem"], out var isSystem)) return ElsaProblems.BadQuery("isSystem", $"'{q["isSystem"]}' is not true or false.");
        var descending = (string?)q["orderDirection"] switch
        {
            null or "" => (bool?)false,
            var d when d.Equals("Ascending", StringComparison.OrdinalIgnoreCase) || d == "0" => false,
            var d when d.Equals("Descending", StringComparison.OrdinalIgnoreCase) || d == "1" => true,
            _ => null,
        };
        if (descending is null) return ElsaProblems.BadQuery("orderDirection", $"'{q["orderDirection"]}' is not Ascending or Descending.");
        var orderBy = ((string?)q["orderBy"])?.ToLowerInvariant() ?? "name";
        if (orderBy is not ("name" or "createdat" or "created" or "version" or "0" or "1" or "2"))
            return ElsaProblems.BadQuery("orderBy", $"'{q["orderBy"]}' is not Name, CreatedAt or Version.");

        var definitionIds = Many(q["definitionIds"]);
        var ids = Many(q["ids"]);
        var term = ((string?)q["searchTerm"])?.Trim();

        var rows = new List<ElsaDefinitionSummary>();
        if (isSystem != true)
            foreach (var summary in await definitions.ListAsync(cancellationToken))
            {
                if (definitionIds.Count > 0 && !definitionIds.Contains(summary.DefinitionId)) continue;
                foreach (var v in await definitions.VersionsAsync(summary.DefinitionId, cancellationToken))
                {
                    if (!options.Matches(v.Version, v.IsLatest, v.IsPublished, isDraft: !v.IsPublished && v.PublishedAt is null)) continue;
                    var row = new ElsaDefinitionSummary($"{v.DefinitionId}:v{v.Version}", v.DefinitionId, v.Name, summary.Description, v.Version,
                        ElsaDefinitionMapping.ToolVersion, v.IsLatest, v.IsPublished, v.CreatedAt, ElsaDefinitionMapping.Materializer, true);
                    if (ids.Count > 0 && !ids.Contains(row.Id)) continue;
                    if (!string.IsNullOrEmpty(term) && !Contains(row.Name, term) && !Contains(row.DefinitionId, term) && !Contains(row.Description, term)) continue;
                    rows.Add(row);
                }
            }

        IOrderedEnumerable<ElsaDefinitionSummary> ordered = orderBy switch
        {
            "createdat" or "created" or "1" => descending.Value ? rows.OrderByDescending(r => r.CreatedAt) : rows.OrderBy(r => r.CreatedAt),
            "version" or "2" => descending.Value ? rows.OrderByDescending(r => r.Version) : rows.OrderBy(r => r.Version),
            _ => descending.Value ? rows.OrderByDescending(r => r.Name, StringComparer.OrdinalIgnoreCase) : rows.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase),
        };
        var all = ordered.ThenBy(r => r.DefinitionId, StringComparer.Ordinal).ThenBy(r => r.Version).ToList();
        var items = q.ContainsKey("pageSize") ? all.Skip(page * pageSize).Take(pageSize).ToList() : all;
        return TypedResults.Ok(new ElsaPagedList<ElsaDefinitionSummary>(items, all.Count, ElsaDefinitionMapping.ListLinks(DefinitionService.MayEdit(user))));
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ByDefinitionIdAsync(
        string definitionId, string? versionOptions, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        if (!ElsaVersionOptions.TryParse(versionOptions, ElsaVersionOptions.Latest, out var options))
            return ElsaProblems.BadQuery("versionOptions", $"'{versionOptions}' is not one of {ElsaVersionOptions.Expected}.");
        WorkflowDefinition? definition;
        if (options.Choice == VersionChoice.Latest) definition = await definitions.LatestAsync(definitionId, cancellationToken);
        else
        {
            var match = (await definitions.VersionsAsync(definitionId, cancellationToken))
                .Where(v => options.Matches(v.Version, v.IsLatest, v.IsPublished, !v.IsPublished && v.PublishedAt is null))
                .OrderByDescending(v => v.Version).FirstOrDefault();
            definition = match is null ? null : await definitions.VersionAsync(definitionId, match.Version, cancellationToken);
        }
        return definition is null
            ? ElsaProblems.NotFound($"Workflow '{definitionId}' has no version that is {versionOptions ?? "Latest"}.")
            : TypedResults.Ok(ElsaDefinitionMapping.ToElsa(definition, DefinitionService.MayEdit(user)));
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ByIdAsync(
        string id, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var definition = await FindVersionAsync(definitions, id, cancellationToken);
        return definition is null
            ? ElsaProblems.NotFound($"No workflow version '{id}'.")
            : TypedResults.Ok(ElsaDefinitionMapping.ToElsa(definition, DefinitionService.MayEdit(user)));
    }

    private static async Task<Ok<ElsaList<JsonObject>>> ManyByIdAsync(
        HttpRequest request, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var found = new List<JsonObject>();
        foreach (var id in Many(request.Query["ids"]))
            if (await FindVersionAsync(definitions, id, cancellationToken) is { } definition)
                found.Add(ElsaDefinitionMapping.ToElsa(definition, DefinitionService.MayEdit(user)));
        return TypedResults.Ok(new ElsaList<JsonObject>(found, found.Count));
    }

    private static async Task<Results<Ok<ElsaIsNameUnique>, ProblemHttpResult>> IsNameUniqueAsync(
        string? name, string? definitionId, DefinitionService definitions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name)) return ElsaProblems.BadQuery("name", "A name is required.");
        var taken = (await definitions.ListAsync(cancellationToken))
            .Any(d => d.DefinitionId != definitionId && string.Equals(d.Name.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase));
        return TypedResults.Ok(new ElsaIsNameUnique(!taken));
    }

    // ------------------------------------------------------------------------------------------------ changes

    /// <summary>
    /// Studio's save, autosave and publish: <c>{model, publish}</c>. A new definition is created (an empty flowchart gets
    /// our Start → Finish); an existing one gets a new draft unless nothing changed. A draft with errors is not stored
    /// (nothing invalid ever is): an autosave of one answers 200 with the model as it would be stored, the errors in
    /// <c>problems</c> and <see cref="DraftStoredHeader"/>: false, so Studio keeps editing; publishing one answers 400.
    /// </summary>
    private static async Task<Results<Ok<ElsaSaveResponse>, Created<ElsaSaveResponse>, ProblemHttpResult>> SaveAsync(
        HttpRequest request, HttpResponse response, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (json, bodyProblem) = await ElsaBody.ReadObjectAsync(request, allowEmpty: false, "a save request", cancellationToken);
        if (bodyProblem is not null) return bodyProblem;
        if (json!["model"] is not JsonObject model) return ElsaProblems.BadRequest("The body is not a save request.", new() { ["model"] = ["A workflow definition object is required."] });
        bool publish;
        switch (json["publish"])
        {
            case null: publish = false; break;
            case JsonValue v when v.TryGetValue<bool>(out var b): publish = b; break;
            default: return ElsaProblems.BadRequest("The body is not a save request.", new() { ["publish"] = ["Must be true or false."] });
        }
        var storable = ElsaDefinitionMapping.FromElsa(model);
        // A model with only Elsa's version id ("x:v3") belongs to definition x, not to a new one named "x:v3".
        if (string.IsNullOrEmpty(storable["definitionId"]?.ToString())
            && storable["id"] is JsonValue id && id.TryGetValue<string>(out var versionId) && ElsaDefinitionMapping.TryParseVersionId(versionId, out var owner, out _))
            storable["definitionId"] = owner;
        if (!TryParse(storable, out var definition, out var bad)) return bad!;

        var existing = await definitions.LatestAsync(definition.DefinitionId, cancellationToken);
        DefinitionChangeResult saved;
        if (existing is null)
        {
            saved = definition.Activities.Count == 0 && definition.Root.IsFlowchart
                ? await definitions.CreateAsync(user, definition.DefinitionId, definition.Name ?? definition.DefinitionId, cancellationToken)
                : await definitions.CreateAsync(user, definition, cancellationToken);
            if (!saved.Succeeded) return Failure(saved);
        }
        else if (SameContent(existing, definition)) saved = DefinitionChangeResult.Ok(existing);
        else
        {
            var problems = definitions.Validate(definition);
            if (problems.Any(p => p.Severity == ValidationSeverity.Error))
            {
                if (publish) return ElsaProblems.Invalid("The workflow has problems; it was not published.", problems);
                if (!DefinitionService.MayEdit(user)) return ElsaProblems.Forbidden("Only managers change workflow definitions.");
                response.Headers[DraftStoredHeader] = "false";
                var unsaved = AsNextDraft(definition, existing);
                return TypedResults.Ok(new ElsaSaveResponse(ElsaDefinitionMapping.ToElsa(unsaved, mayEdit: true), false, 0, problems.Select(ValidationProblemItem.From).ToList()));
            }
            saved = await definitions.SaveDraftAsync(user, definition.DefinitionId, definition, cancellationToken);
            if (!saved.Succeeded) return Failure(saved);
        }

        var result = saved.Definition!;
        var alreadyPublished = false;
        if (publish)
        {
            alreadyPublished = result.IsPublished;
            var published = await definitions.PublishAsync(user, result.DefinitionId, cancellationToken);
            if (!published.Succeeded) return Failure(published);
            result = published.Definition!;
        }
        response.Headers[DraftStoredHeader] = "true";
        var answer = new ElsaSaveResponse(ElsaDefinitionMapping.ToElsa(result, mayEdit: true), alreadyPublished, 0);
        return existing is null
            ? TypedResults.Created($"/elsa/api/workflow-definitions/by-definition-id/{Uri.EscapeDataString(result.DefinitionId)}", answer)
            : TypedResults.Ok(answer);
    }

    private static async Task<Results<Ok<ElsaSaveResponse>, ProblemHttpResult>> PublishAsync(
        string definitionId, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var before = await definitions.LatestAsync(definitionId, cancellationToken);
        var result = await definitions.PublishAsync(user, definitionId, cancellationToken);
        return result.Succeeded
            ? TypedResults.Ok(new ElsaSaveResponse(ElsaDefinitionMapping.ToElsa(result.Definition!, mayEdit: true), before?.IsPublished == true, 0))
            : Failure(result);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RetractAsync(
        string definitionId, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var result = await definitions.RetractAsync(user, definitionId, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(ElsaDefinitionMapping.ToElsa(result.Definition!, mayEdit: true)) : Failure(result);
    }

    private static async Task<Results<Ok<ElsaBulkPublishResponse>, ProblemHttpResult>> BulkPublishAsync(
        HttpRequest request, ClaimsPrincipal user, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (json, bodyProblem) = await ElsaBody.ReadObjectAsync(request, allowEmpty: false, "a bulk publish request", cancellationToken);
        if (bodyProblem is not null) return bodyProblem;
        if (json!["definitionIds"] is not JsonArray array || array.Any(i => i is not JsonValue v || !v.TryGetValue<string>(out _)))
            return ElsaProblems.BadRequest("The body is not a bulk publish request.", new() { ["definitionIds"] = ["A list of definition ids is required."] });
        List<string> published = [], already = [], notFound = [];
        foreach (var id in array.Select(i => i!.GetValue<string>()).Distinct(StringComparer.Ordinal))
        {
            var latest = await definitions.LatestAsync(id, cancellationToken);
            if (latest is null) { notFound.Add(id); continue; }
            if (latest.IsPublished) { already.Add(id); continue; }
            var result = await definitions.PublishAsync(user, id, cancellationToken);
            if (result.Failure == DefinitionFailure.Forbidden) return ElsaProblems.Forbidden(result.Error!);
            if (!result.Succeeded) return ElsaProblems.Invalid($"Workflow '{id}' has problems; it was not published (the ones before it were).", result.Problems);
            published.Add(id);
        }
        return TypedResults.Ok(new ElsaBulkPublishResponse(published, already, notFound, []));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    internal static async Task<WorkflowDefinition?> FindVersionAsync(DefinitionService definitions, string versionId, CancellationToken cancellationToken) =>
        ElsaDefinitionMapping.TryParseVersionId(versionId, out var definitionId, out var version)
            ? await definitions.VersionAsync(definitionId, version, cancellationToken)
            : null;

    private static bool TryParse(JsonObject model, out WorkflowDefinition definition, out ProblemHttpResult? problem)
    {
        definition = null!;
        problem = null;
        try { definition = WorkflowJson.Parse(model.ToJsonString()); }
        catch (WorkflowJsonException ex)
        {
            problem = ElsaProblems.BadRequest("The model is not a workflow definition.", new() { ["model"] = [JsonBody.Short(ex.Message)] });
            return false;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            problem = ElsaProblems.BadRequest("The model is not a workflow definition.", new() { ["model"] = [JsonBody.Short(ex.Message)] });
            return false;
        }
        var shape = DefinitionChecks.Shape(definition);
        if (shape.Count > 0)
        {
            problem = ElsaProblems.BadRequest("The model is not a workflow definition.", shape);
            return false;
        }
        return true;
    }

    /// <summary>The same workflow apart from what the store sets (id, version, flags, dates) and the defaults Elsa's shape adds.</summary>
    private static bool SameContent(WorkflowDefinition stored, WorkflowDefinition posted)
    {
        static string Canonical(WorkflowDefinition d)
        {
            var c = d.Clone();
            c.Id = "";
            c.Version = 0;
            c.IsLatest = c.IsPublished = false;
            c.CreatedAt = null;
            // As Studio would post it back: Elsa's defaults and node ids added, the server-only fields dropped.
            return Sorted(ElsaDefinitionMapping.FromElsa(ElsaDefinitionMapping.ToElsa(c, mayEdit: false)))!.ToJsonString();
        }
        return Canonical(stored) == Canonical(posted);
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        _ => node?.DeepClone(),
    };

    /// <summary>What a valid save would have stored: the latest draft edited in place, or the next version after a published one.</summary>
    private static WorkflowDefinition AsNextDraft(WorkflowDefinition posted, WorkflowDefinition latest)
    {
        var draft = posted.Clone();
        draft.Version = latest.IsDraft ? latest.Version : latest.Version + 1;
        draft.Id = $"{draft.DefinitionId}:v{draft.Version}";
        draft.IsLatest = true;
        draft.IsPublished = false;
        draft.CreatedAt = latest.IsDraft ? latest.CreatedAt : null;
        return draft;
    }

    private static ProblemHttpResult Failure(DefinitionChangeResult result) => result.Failure switch
    {
        DefinitionFailure.NotFound => ElsaProblems.NotFound(result.Error!),
        DefinitionFailure.AlreadyExists => ElsaProblems.Conflict(result.Error!, "Already exists"),
        DefinitionFailure.Conflict => ElsaProblems.Conflict(result.Error!),
        DefinitionFailure.Forbidden => ElsaProblems.Forbidden(result.Error!),
        DefinitionFailure.Malformed => ElsaProblems.BadRequest("The model is not a workflow definition.", new() { ["model"] = [result.Error!] }),
        _ => ElsaProblems.Invalid(result.Error!, result.Problems),
    };

    private static bool Contains(string? text, string term) => text?.Contains(term, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>A query key given several times, or once with commas.</summary>
    internal static HashSet<string> Many(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);

    internal static bool TryInt(Microsoft.Extensions.Primitives.StringValues text, int min, out int value)
    {
        value = min;
        if (string.IsNullOrEmpty(text)) return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= 100_000;
    }

    internal static bool TryBool(Microsoft.Extensions.Primitives.StringValues text, out bool? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!bool.TryParse(text, out var b)) return false;
        value = b;
        return true;
    }
}
