using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Workflows;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/workflow-instances</c> and <c>/api/events/{eventName}</c> (SPEC §7; shapes and choices in docs/api.md).
/// Reads need <see cref="Policies.ReadInstances"/>; start, cancel, retry and events <see cref="Policies.ManageInstances"/>.
/// </summary>
public static class WorkflowInstancesApi
{
    private const string Base = "/api/workflow-instances";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxCorrelationIdLength = 200;
    public const int MaxEventNameLength = 200;

    /// <summary>
    /// An event that finds no bookmark yet is looked for again this many times, <see cref="EventRetryDelay"/> apart
    /// (about a second in all), before answering <c>resumed: 0</c>: a client that starts an instance and sends its
    /// event at once must not lose the race with the start's commit (LESSONS #6523, after Elsa's issue of that number).
    /// </summary>
    public const int EventAttempts = 5;
    public static readonly TimeSpan EventRetryDelay = TimeSpan.FromMilliseconds(250);

    public static IEndpointRouteBuilder MapWorkflowInstancesApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup(Base).WithTags("Workflow instances").RequireAuthorization(Policies.ReadInstances);
        var manage = app.MapGroup(Base).WithTags("Workflow instances").RequireAuthorization(Policies.ManageInstances);

        read.MapGet("/", ListAsync);
        read.MapGet("/{id}", GetAsync);
        manage.MapPost("/", StartAsync).Accepts<StartInstanceRequest>("application/json");
        manage.MapPost("/{id}/cancel", CancelAsync);
        manage.MapPost("/{id}/retry", RetryAsync);

        app.MapPost("/api/events/{eventName}", PublishEventAsync).Accepts<PublishEventRequest>("application/json")
            .WithTags("Workflow instances").RequireAuthorization(Policies.ManageInstances);
        return app;
    }

    // ------------------------------------------------------------------------------------------------ reads

    /// <summary>
    /// Newest first by id (instance ids are UUIDv7, so id order is creation order and the primary key serves it), one
    /// page at a time; <c>hasMore</c> instead of a total, so no query ever counts or loads every instance.
    /// </summary>
    private static async Task<Results<Ok<InstancePage>, ProblemHttpResult>> ListAsync(
        string? status, string? definitionId, string? correlationId, string? page, string? pageSize,
        IDbContextFactory<ReconnectDbContext> contexts, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        WorkflowStatus? statusFilter = null;
        if (status is not null)
        {
            if (Enum.TryParse<WorkflowStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(status, out _)) statusFilter = s;
            else errors["status"] = [$"'{status}' is not one of {string.Join(", ", Enum.GetNames<WorkflowStatus>())}."];
        }
        var pageNumber = ParseInt(page, "page", 1, 1, 100_000, errors);
        var size = ParseInt(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        if (errors.Count > 0) return Problems.BadRequest("Bad query string.", errors);

        return TypedResults.Ok(await QueryPageAsync(contexts, statusFilter, definitionId, correlationId, pageNumber, size, cancellationToken));
    }

    /// <summary>The list query behind <c>GET /api/workflow-instances</c>, shared with the UI's <c>/instances</c> page.</summary>
    internal static async Task<InstancePage> QueryPageAsync(IDbContextFactory<ReconnectDbContext> contexts, WorkflowStatus? statusFilter,
        string? definitionId, string? correlationId, int pageNumber, int size, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.WorkflowInstances.AsNoTracking();
        if (statusFilter is { } st)
        {
            var text = st.ToString();
            query = query.Where(i => i.Status == text);
        }
        if (!string.IsNullOrEmpty(definitionId)) query = query.Where(i => i.DefinitionId == definitionId);
        if (!string.IsNullOrEmpty(correlationId)) query = query.Where(i => i.CorrelationId == correlationId);
        var rows = await query.OrderByDescending(i => i.Id)
            .Skip((pageNumber - 1) * size).Take(size + 1)
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, i.CorrelationId, i.Status, i.CreatedAt, i.UpdatedAt, i.FinishedAt))
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > size;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new InstancePage(rows, pageNumber, size, hasMore);
    }

    private static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> GetAsync(
        string id, IDbContextFactory<ReconnectDbContext> contexts, CancellationToken cancellationToken) =>
        await LoadDetailAsync(contexts, id, cancellationToken) is { } detail ? TypedResults.Ok(detail) : NoInstance(id);

    // ------------------------------------------------------------------------------------------------ changes

    private static async Task<Results<Created<InstanceDetail>, ProblemHttpResult>> StartAsync(
        HttpRequest request, ClaimsPrincipal user, IWorkflowDefinitionStore definitions, WorkflowRuntime runtime,
        IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<StartInstanceRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body!.DefinitionId)) errors["definitionId"] = ["is required"];
        else if (body.DefinitionId.Length > DefinitionChecks.MaxDefinitionIdLength) errors["definitionId"] = ["is too long"];
        if (body.CorrelationId is { Length: > MaxCorrelationIdLength }) errors["correlationId"] = [$"is longer than {MaxCorrelationIdLength} characters"];
        if (errors.Count > 0) return Problems.BadRequest("The request has problems.", errors);

        var definition = await definitions.FindPublishedAsync(body.DefinitionId!, cancellationToken);
        if (definition is null)
            return await definitions.FindLatestAsync(body.DefinitionId!, cancellationToken) is null
                ? Problems.NotFound($"No workflow '{body.DefinitionId}'.")
                : Problems.Unprocessable("Only a published workflow can be started.",
                    new() { ["definitionId"] = [$"workflow '{body.DefinitionId}' has no published version"] });

        var result = await runtime.StartAsync(definition, body.Input, string.IsNullOrEmpty(body.CorrelationId) ? null : body.CorrelationId, null, cancellationToken);
        if (result.Status != ResumeStatus.Resumed || result.State is null)
            return Problems.Conflict(result.Message ?? "The instance could not be started; try again.");
        var id = result.State.Id;
        await AuditTrail.WriteAsync(contexts, user, clock, "start", AuditTrail.Instance, id,
            new JsonObject { ["definitionId"] = definition.DefinitionId, ["version"] = definition.Version });
        var detail = await LoadDetailAsync(contexts, id, CancellationToken.None);
        return TypedResults.Created($"{Base}/{id}", detail!);
    }

    private static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> CancelAsync(
        string id, ClaimsPrincipal user, WorkflowRuntime runtime, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock,
        CancellationToken cancellationToken) =>
        ToHttp(await CancelInstanceAsync(id, user, runtime, contexts, clock, cancellationToken));

    private static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> RetryAsync(
        string id, ClaimsPrincipal user, WorkflowRuntime runtime, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock,
        CancellationToken cancellationToken) =>
        ToHttp(await RetryInstanceAsync(id, user, runtime, contexts, clock, cancellationToken));

    /// <summary>Cancels an instance and audits it: <c>POST …/{id}/cancel</c> and the viewer's Cancel button.</summary>
    internal static Task<InstanceActionResult> CancelInstanceAsync(string id, ClaimsPrincipal user, WorkflowRuntime runtime,
        IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken) =>
        ApplyAsync(id, "cancel", () => runtime.CancelAsync(id, $"cancelled by {user.Identity?.Name ?? "a user"}", cancellationToken), user, contexts, clock);

    /// <summary>Retries a faulted instance and audits it: <c>POST …/{id}/retry</c> and the viewer's Retry button.</summary>
    internal static Task<InstanceActionResult> RetryInstanceAsync(string id, ClaimsPrincipal user, WorkflowRuntime runtime,
        IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken) =>
        ApplyAsync(id, "retry", () => runtime.RetryAsync(id, cancellationToken), user, contexts, clock);

    private static async Task<InstanceActionResult> ApplyAsync(
        string id, string action, Func<Task<RunResult>> apply, ClaimsPrincipal user, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock)
    {
        var result = await apply();
        switch (result.Status)
        {
            case ResumeStatus.NotFound when result.State is null:
                return new InstanceActionResult.NotFound($"No workflow instance '{id}'.");
            case ResumeStatus.NotFound or ResumeStatus.NotApplicable:
                return new InstanceActionResult.NotApplicable(
                    $"Cannot {action} instance '{id}': {result.Message ?? "not applicable in its status"} (status {result.State?.Status}).");
            case ResumeStatus.Conflict:
                return new InstanceActionResult.Conflict(result.Message ?? "The instance kept changing; try again.");
        }
        await AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.Instance, id, new JsonObject { ["status"] = result.State!.Status.ToString() });
        return new InstanceActionResult.Applied((await LoadDetailAsync(contexts, id, CancellationToken.None))!);
    }

    private static Results<Ok<InstanceDetail>, ProblemHttpResult> ToHttp(InstanceActionResult result) => result switch
    {
        InstanceActionResult.Applied applied => TypedResults.Ok(applied.Instance),
        InstanceActionResult.NotFound notFound => Problems.NotFound(notFound.Message),
        InstanceActionResult.NotApplicable notApplicable => Problems.Conflict(notApplicable.Message, "Not applicable"),
        InstanceActionResult.Conflict conflict => Problems.Conflict(conflict.Message),
        _ => throw new InvalidOperationException("Unknown instance action result."),
    };

    private static async Task<Results<Ok<EventResponse>, ProblemHttpResult>> PublishEventAsync(
        string eventName, HttpRequest request, ClaimsPrincipal user, WorkflowRuntime runtime, IWorkflowInstanceStore instances,
        IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, cancellationToken, empty: new PublishEventRequest(null, null));
        if (problem is not null) return problem;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(eventName) || eventName.Length > MaxEventNameLength) errors["eventName"] = [$"must be 1–{MaxEventNameLength} characters"];
        if (body!.CorrelationId is { Length: > MaxCorrelationIdLength }) errors["correlationId"] = [$"is longer than {MaxCorrelationIdLength} characters"];
        if (errors.Count > 0) return Problems.BadRequest("The request has problems.", errors);
        var correlationId = string.IsNullOrEmpty(body.CorrelationId) ? null : body.CorrelationId;

        // Look before publishing, so that a retry happens only when nothing was waiting at all — never after another
        // caller won the race for the bookmark (that answer is 0 at once: each bookmark is resumed exactly once).
        var hash = BookmarkKey.ForEvent(eventName);
        var resumed = 0;
        var attempts = 0;
        while (++attempts <= EventAttempts)
        {
            if ((await instances.FindBookmarksAsync(hash, correlationId, cancellationToken)).Count > 0)
            {
                resumed = await runtime.PublishEventAsync(eventName, correlationId, body.Payload, cancellationToken);
                break;
            }
            if (attempts < EventAttempts) await Task.Delay(EventRetryDelay, cancellationToken);
        }
        attempts = Math.Min(attempts, EventAttempts);
        await AuditTrail.WriteAsync(contexts, user, clock, "event", AuditTrail.Event, eventName,
            new JsonObject { ["correlationId"] = correlationId, ["resumed"] = resumed });
        return TypedResults.Ok(new EventResponse(eventName, correlationId, resumed, attempts));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /// <summary>One instance as the viewer needs it: variables from its state, bookmarks, journal and incidents from their tables.</summary>
    internal static async Task<InstanceDetail?> LoadDetailAsync(IDbContextFactory<ReconnectDbContext> contexts, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.WorkflowInstances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (row is null) return null;
        var state = StateSerializer.Deserialize(row.StateJson);
        var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == id).ToListAsync(cancellationToken);
        var journal = await db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == id).OrderBy(j => j.Id).ToListAsync(cancellationToken);
        var incidents = await db.Incidents.AsNoTracking().Where(x => x.InstanceId == id).OrderBy(x => x.Id).ToListAsync(cancellationToken);
        return new InstanceDetail(
            row.Id, row.DefinitionId, row.DefinitionVersion, row.DefinitionVersionId, row.CorrelationId, row.Status,
            state.Variables,
            bookmarks.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id, StringComparer.Ordinal).Select(b =>
            {
                var payload = b.PayloadJson is null ? null : JsonNode.Parse(b.PayloadJson);
                return new BookmarkDto(b.Id, b.ActivityId, b.ActivityType, b.Name, b.DueAt,
                    Text(payload?["eventName"]), Text(payload?["taskId"]), b.CorrelationId);
            }).ToList(),
            journal.Select(j => new JournalLine(j.Id, j.At, j.Kind, j.ActivityId, j.ActivityType, j.DetailJson is null ? null : JsonNode.Parse(j.DetailJson))).ToList(),
            incidents.Select(x => new IncidentDto(x.At, x.ActivityId, x.ActivityType, x.Message, x.ExceptionType)).ToList(),
            row.CreatedAt, row.UpdatedAt, row.FinishedAt);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static ProblemHttpResult NoInstance(string id) => Problems.NotFound($"No workflow instance '{id}'.");

    private static int ParseInt(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[field] = [$"'{text}' is not a whole number from {min} to {max}."];
        return fallback;
    }
}
