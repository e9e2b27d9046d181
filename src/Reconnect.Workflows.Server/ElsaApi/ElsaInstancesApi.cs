using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// Elsa's instance endpoints for Studio's instance list and viewer, over <see cref="InstanceService"/>, all reads
/// (<see cref="Policies.ReadInstances"/>). <c>POST /workflow-instances</c> is Elsa's filtered list, not a start.
/// </summary>
public static class ElsaInstancesApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapElsaInstances(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(Policies.ReadInstances);
        read.MapGet("/workflow-instances", ListFromQueryAsync);
        read.MapPost("/workflow-instances", ListFromBodyAsync).Accepts<JsonObject>("application/json");
        read.MapGet("/workflow-instances/{id}", GetAsync);
        read.MapGet("/workflow-instances/{id}/execution-state", ExecutionStateAsync);
        read.MapGet("/workflow-instances/{id}/journal", JournalAsync);
        read.MapPost("/workflow-instances/{id}/journal", JournalAsync);
        read.MapGet("/workflow-instances/{id}/variables", VariablesAsync);
        read.MapPost("/activity-executions/report", ReportAsync).Accepts<JsonObject>("application/json");
        read.MapGet("/activity-executions/list", ExecutionsAsync);
        read.MapGet("/activity-execution-summaries/list", ExecutionSummariesAsync);
        read.MapGet("/activity-executions/by-id", ExecutionByIdAsync);
        return api;
    }

    /// <summary>A filter value by its key: every value given (query keys repeated or comma-separated, JSON arrays or scalars).</summary>
    private delegate IReadOnlyList<string> Values(string key);

    private static Task<Results<Ok<ElsaPagedList<ElsaInstanceSummary>>, ProblemHttpResult>> ListFromQueryAsync(
        HttpRequest request, InstanceService instances, CancellationToken cancellationToken) =>
        ListAsync(key => [.. ElsaDefinitionsApi.Many(request.Query[key])], instances, cancellationToken);

    private static async Task<Results<Ok<ElsaPagedList<ElsaInstanceSummary>>, ProblemHttpResult>> ListFromBodyAsync(
        HttpRequest request, InstanceService instances, CancellationToken cancellationToken)
    {
        var (filter, problem) = await ElsaBody.ReadObjectAsync(request, allowEmpty: true, "a list request", cancellationToken);
        if (problem is not null) return problem;
        var lookup = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in filter!) lookup[k] = v;
        return await ListAsync(key => lookup.GetValueOrDefault(key) switch
        {
            null => [],
            JsonArray a => [.. a.Where(x => x is JsonValue).Select(x => x!.ToString())],
            JsonValue v => [v.ToString()],
            _ => ["{object}"],
        }, instances, cancellationToken);
    }

    private static async Task<Results<Ok<ElsaPagedList<ElsaInstanceSummary>>, ProblemHttpResult>> ListAsync(
        Values values, InstanceService instances, CancellationToken cancellationToken)
    {
        string? One(string key) => values(key) is { Count: > 0 } v ? v[0] : null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var page = Number(One("page"), "page", 0, errors) ?? 0;
        var pageSize = Number(One("pageSize"), "pageSize", 1, errors) ?? DefaultPageSize;
        if (pageSize > MaxPageSize) errors["pageSize"] = [$"At most {MaxPageSize}."];
        var version = Number(One("version"), "version", 1, errors);
        bool? hasIncidents = null, isSystem = null;
        if (One("hasIncidents") is { } hi) { if (bool.TryParse(hi, out var b)) hasIncidents = b; else errors["hasIncidents"] = ["Must be true or false."]; }
        if (One("isSystem") is { } sy) { if (bool.TryParse(sy, out var b)) isSystem = b; else errors["isSystem"] = ["Must be true or false."]; }
        var ascending = One("orderDirection") switch
        {
            null => false,
            var d when d.Equals("Ascending", StringComparison.OrdinalIgnoreCase) || d == "0" => true,
            var d when d.Equals("Descending", StringComparison.OrdinalIgnoreCase) || d == "1" => false,
            var d => Bad(errors, "orderDirection", $"'{d}' is not Ascending or Descending."),
        };

        // Each status filter given narrows the set: status, statuses (Elsa's Running/Finished), subStatus, subStatuses.
        IEnumerable<WorkflowStatus> statuses = Enum.GetValues<WorkflowStatus>();
        var filtered = false;
        foreach (var key in new[] { "status", "statuses" })
            if (values(key) is { Count: > 0 } given)
            {
                var union = new HashSet<WorkflowStatus>();
                foreach (var g in given)
                    if (ElsaStatuses.TryFromElsaStatus(g, out var s)) union.UnionWith(s);
                    else errors[key] = [$"'{g}' is not Running or Finished."];
                statuses = statuses.Intersect(union);
                filtered = true;
            }
        foreach (var key in new[] { "subStatus", "subStatuses" })
            if (values(key) is { Count: > 0 } given)
            {
                var union = new HashSet<WorkflowStatus>();
                foreach (var g in given)
                    if (ElsaStatuses.TryFromElsaSubStatus(g, out var s)) union.UnionWith(s);
                    else errors[key] = [$"'{g}' is not Pending, Executing, Suspended, Finished, Cancelled, Faulted or Interrupted."];
                statuses = statuses.Intersect(union);
                filtered = true;
            }
        if (errors.Count > 0) return ElsaProblems.BadRequest("The list request has problems.", errors);
        if (isSystem == true) return TypedResults.Ok(new ElsaPagedList<ElsaInstanceSummary>([], 0));

        var definitionIds = values("definitionIds").Concat(values("definitionId")).Where(s => s.Length > 0).ToList();
        var query = new InstanceQuery(filtered ? statuses.ToList() : null, definitionIds.Count > 0 ? definitionIds : null,
            One("correlationId"), One("searchTerm"), version, hasIncidents, ascending, page * pageSize, pageSize);
        var result = await instances.QueryAsync(query, cancellationToken);
        return TypedResults.Ok(new ElsaPagedList<ElsaInstanceSummary>(result.Items.Select(ElsaInstanceMapping.ToSummary).ToList(), result.TotalCount));
    }

    private static async Task<Results<Ok<ElsaInstance>, ProblemHttpResult>> GetAsync(
        string id, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (detail, definition) = await LoadAsync(id, instances, definitions, cancellationToken);
        return detail is null ? NoInstance(id) : TypedResults.Ok(ElsaInstanceMapping.ToElsa(detail, definition));
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ExecutionStateAsync(
        string id, InstanceService instances, CancellationToken cancellationToken)
    {
        var detail = await instances.GetAsync(id, cancellationToken);
        if (detail is null) return NoInstance(id);
        var (status, sub) = ElsaStatuses.ToElsa(detail.Status);
        return TypedResults.Ok(new JsonObject { ["status"] = status, ["workflowSubStatus"] = sub, ["updatedAt"] = detail.UpdatedAt });
    }

    private static async Task<Results<Ok<ElsaPagedList<ElsaLogRecord>>, ProblemHttpResult>> JournalAsync(
        string id, string? skip, string? take, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = Number(skip, "skip", 0, errors) ?? 0;
        var count = Number(take, "take", 1, errors) ?? int.MaxValue;
        if (errors.Count > 0) return ElsaProblems.BadRequest("Bad query string.", errors);
        var (detail, definition) = await LoadAsync(id, instances, definitions, cancellationToken);
        if (detail is null) return NoInstance(id);
        var all = ElsaInstanceMapping.Journal(detail, definition);
        return TypedResults.Ok(new ElsaPagedList<ElsaLogRecord>(all.Skip(from).Take(count).ToList(), all.Count));
    }

    private static async Task<Results<Ok<ElsaList<ElsaResolvedVariable>>, ProblemHttpResult>> VariablesAsync(
        string id, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (detail, definition) = await LoadAsync(id, instances, definitions, cancellationToken);
        if (detail is null) return NoInstance(id);
        var items = ElsaInstanceMapping.Variables(detail, definition);
        return TypedResults.Ok(new ElsaList<ElsaResolvedVariable>(items, items.Count));
    }

    private static async Task<Results<Ok<ElsaActivityExecutionReport>, ProblemHttpResult>> ReportAsync(
        HttpRequest request, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var (json, problem) = await ElsaBody.ReadObjectAsync(request, allowEmpty: false, "a report request", cancellationToken);
        if (problem is not null) return problem;
        if (json!["workflowInstanceId"] is not JsonValue v || !v.TryGetValue<string>(out var id) || id.Length == 0)
            return ElsaProblems.BadRequest("The body is not a report request.", new() { ["workflowInstanceId"] = ["An instance id is required."] });
        List<string>? nodeIds = null;
        if (json["activityNodeIds"] is JsonArray array)
        {
            if (array.Any(n => n is not JsonValue nv || !nv.TryGetValue<string>(out _)))
                return ElsaProblems.BadRequest("The body is not a report request.", new() { ["activityNodeIds"] = ["Must be a list of node ids."] });
            nodeIds = [.. array.Select(n => n!.GetValue<string>())];
        }
        else if (json["activityNodeIds"] is not null)
            return ElsaProblems.BadRequest("The body is not a report request.", new() { ["activityNodeIds"] = ["Must be a list of node ids."] });
        var (detail, definition) = await LoadAsync(id, instances, definitions, cancellationToken);
        return detail is null ? NoInstance(id) : TypedResults.Ok(ElsaInstanceMapping.Report(detail, definition, nodeIds));
    }

    private static async Task<Results<Ok<ElsaList<ElsaActivityExecution>>, ProblemHttpResult>> ExecutionsAsync(
        string? workflowInstanceId, string? activityNodeId, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workflowInstanceId)) return ElsaProblems.BadQuery("workflowInstanceId", "An instance id is required.");
        var (detail, definition) = await LoadAsync(workflowInstanceId, instances, definitions, cancellationToken);
        if (detail is null) return NoInstance(workflowInstanceId);
        var items = ElsaInstanceMapping.Executions(detail, definition, string.IsNullOrEmpty(activityNodeId) ? null : activityNodeId);
        return TypedResults.Ok(new ElsaList<ElsaActivityExecution>(items, items.Count));
    }

    private static async Task<Results<Ok<ElsaList<ElsaActivityExecutionSummary>>, ProblemHttpResult>> ExecutionSummariesAsync(
        string? workflowInstanceId, string? activityNodeId, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workflowInstanceId)) return ElsaProblems.BadQuery("workflowInstanceId", "An instance id is required.");
        var (detail, definition) = await LoadAsync(workflowInstanceId, instances, definitions, cancellationToken);
        if (detail is null) return NoInstance(workflowInstanceId);
        var items = ElsaInstanceMapping.Executions(detail, definition, string.IsNullOrEmpty(activityNodeId) ? null : activityNodeId)
            .Select(ElsaActivityExecutionSummary.From).ToList();
        return TypedResults.Ok(new ElsaList<ElsaActivityExecutionSummary>(items, items.Count));
    }

    /// <summary>An execution by the id <c>/activity-executions/list</c> gave it (<c>{instance}:{activity}:{line}</c>).</summary>
    private static async Task<Results<Ok<ElsaActivityExecution>, ProblemHttpResult>> ExecutionByIdAsync(
        string? id, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id)) return ElsaProblems.BadQuery("id", "An execution id is required.");
        var instanceId = id.Split(':')[0];
        var (detail, definition) = await LoadAsync(instanceId, instances, definitions, cancellationToken);
        var execution = detail is null ? null : ElsaInstanceMapping.Executions(detail, definition, null).FirstOrDefault(e => e.Id == id);
        return execution is null ? ElsaProblems.NotFound($"No activity execution '{id}'.") : TypedResults.Ok(execution);
    }

    private static async Task<(InstanceDetail? Detail, WorkflowDefinition? Definition)> LoadAsync(
        string id, InstanceService instances, DefinitionService definitions, CancellationToken cancellationToken)
    {
        var detail = await instances.GetAsync(id, cancellationToken);
        if (detail is null) return (null, null);
        return (detail, await definitions.VersionAsync(detail.DefinitionId, detail.DefinitionVersion, cancellationToken));
    }

    private static ProblemHttpResult NoInstance(string id) => ElsaProblems.NotFound($"No workflow instance '{id}'.");

    private static int? Number(string? text, string field, int min, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= 1_000_000) return n;
        errors[field] = [$"'{text}' is not a whole number from {min}."];
        return null;
    }

    private static bool Bad(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return false;
    }
}
