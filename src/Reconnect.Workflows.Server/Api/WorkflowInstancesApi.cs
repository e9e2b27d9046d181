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
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/workflow-instances</c> and <c>/api/events/{eventName}</c> (SPEC §7; shapes and choices in docs/api.md).
/// Reads need <see cref="Policies.ReadInstances"/>; start, cancel, retry and events <see cref="Policies.ManageInstances"/>.
/// </summary>
public static class WorkflowInstancesApi
{
    private const string Base = "/api/workflow-instances";
    public const int DefaultPageSize = InstanceService.DefaultPageSize;
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
        InstanceService instances, CancellationToken cancellationToken)
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

        return TypedResults.Ok(await instances.ListAsync(statusFilter, definitionId, correlationId, pageNumber, size, cancellationToken));
    }

    /// <summary>The list query behind <c>GET /api/workflow-instances</c>, shared with the UI's <c>/instances</c> page.</summary>
    private static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> GetAsync(
        string id, InstanceService instances, CancellationToken cancellationToken) =>
        await instances.GetAsync(id, cancellationToken) is { } detail ? TypedResults.Ok(detail) : NoInstance(id);

    // ------------------------------------------------------------------------------------------------ changes

    private static async Task<Results<Created<InstanceDetail>, ProblemHttpResult>> StartAsync(
        HttpRequest request, ClaimsPrincipal user, IWorkflowDefinitionStore definitions, WorkflowRuntime runtime, InstanceService instanceService,
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
        var detail = await instanceService.GetAsync(id, CancellationToken.None);
        return TypedResults.Created($"{Base}/{id}", detail!);
    }

    private static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> CancelAsync(
        string id, ClaimsPrincipal user, InstanceService instances, CancellationToken cancellationToken) =>
        ToHttp(await instances.CancelAsync(user, id, cancellationToken));

    private static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> RetryAsync(
        string id, ClaimsPrincipal user, InstanceService instances, CancellationToken cancellationToken) =>
        ToHttp(await instances.RetryAsync(user, id, cancellationToken));

    private static Results<Ok<InstanceDetail>, ProblemHttpResult> ToHttp(InstanceActionResult result) => result switch
    {
        InstanceActionResult.Forbidden forbidden => TypedResults.Problem(forbidden.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
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

    private static ProblemHttpResult NoInstance(string id) => Problems.NotFound($"No workflow instance '{id}'.");

    private static int ParseInt(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[field] = [$"'{text}' is not a whole number from {min} to {max}."];
        return fallback;
    }
}
