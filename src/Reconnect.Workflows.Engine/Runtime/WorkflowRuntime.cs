using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Runtime;

public enum ResumeStatus
{
    Resumed,
    /// <summary>No such bookmark (any more): it was already resumed, cancelled, or never existed.</summary>
    NotFound,
    /// <summary>The instance is not in a state to take it (faulted, finished).</summary>
    NotApplicable,
    /// <summary>Lost the race too many times in a row; nothing was changed.</summary>
    Conflict,
}

/// <summary>The answer to a stimulus: what happened, and the step when one ran.</summary>
public sealed record RunResult(ResumeStatus Status, WorkflowState? State, StepResult? Step, string? Message = null)
{
    public bool Succeeded => Status == ResumeStatus.Resumed;
}

/// <summary>
/// The shell around the pure step: load, step, commit (guarded by the instance's version), then deliver the outbox.
/// A lost race reloads and tries again; a bookmark that is gone by then answers NotFound, so each bookmark is resumed
/// exactly once however many callers race for it.
/// </summary>
public sealed class WorkflowRuntime(
    WorkflowRunner runner,
    IWorkflowDefinitionStore definitions,
    IWorkflowInstanceStore instances,
    TimeProvider timeProvider)
{
    private const int MaxCommitAttempts = 8;

    public WorkflowRunner Runner => runner;
    public TimeProvider TimeProvider => timeProvider;

    /// <summary>Called with every committed step (the CLI prints its trace; hosts log it).</summary>
    public event Action<WorkflowState, StepResult>? StepCommitted;

    public DateTimeOffset Now => timeProvider.GetUtcNow();

    /// <summary>Sends workflows' HTTP requests (the host's IHttpClientFactory client, allow-list, time-out, retries). None: such requests fail to connect.</summary>
    public IHttpRequestSender? HttpSender { get; set; }

    /// <summary>Sends workflows' e-mails (SMTP). None: SendEmail faults with a message saying so.</summary>
    public IEmailSender? EmailSender { get; set; }

    public async Task<RunResult> StartAsync(string definitionId, JsonObject? input = null, string? correlationId = null, CancellationToken cancellationToken = default)
    {
        var definition = await definitions.FindPublishedAsync(definitionId, cancellationToken)
            ?? throw new WorkflowNotFoundException($"No published workflow '{definitionId}'.");
        return await StartAsync(definition, input, correlationId, null, cancellationToken);
    }

    public Task<RunResult> StartAsync(WorkflowDefinition definition, JsonObject? input, string? correlationId, string? triggerActivityId = null, CancellationToken cancellationToken = default) =>
        StartAsync(definition, input, correlationId, triggerActivityId, extraEffects: null, cancellationToken);

    /// <param name="extraEffects">
    /// The host's own rows to write in the same transaction as the first step, before the step's effects (a referral row
    /// that the pathway's first activities act on): the instance and they commit together or not at all.
    /// </param>
    public async Task<RunResult> StartAsync(WorkflowDefinition definition, JsonObject? input, string? correlationId, string? triggerActivityId,
        IReadOnlyList<WorkflowEffect>? extraEffects, CancellationToken cancellationToken = default)
    {
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        using var span = WorkflowTelemetry.StartStep("start", null, definition.DefinitionId, definition.Version);
        var result = await StartCoreAsync(definition, input, correlationId, triggerActivityId, extraEffects, cancellationToken);
        WorkflowTelemetry.EndStep(span, began, result, "start");
        return result;
    }

    private async Task<RunResult> StartCoreAsync(WorkflowDefinition definition, JsonObject? input, string? correlationId, string? triggerActivityId,
        IReadOnlyList<WorkflowEffect>? extraEffects, CancellationToken cancellationToken)
    {
        var now = Now;
        var state = runner.CreateInstance(definition, now);
        var step = runner.Step(definition, state, new Stimulus.Start(input, correlationId, triggerActivityId), now);
        if (extraEffects is { Count: > 0 }) step.Effects.InsertRange(0, extraEffects);
        var stimulus = new Stimulus.Start(input, correlationId, triggerActivityId);
        if (await instances.CommitAsync(new StepCommit(step.State, step, stimulus), cancellationToken) != CommitOutcome.Committed)
            return new RunResult(ResumeStatus.Conflict, null, null, "A new instance's id collided; nothing was started.");
        StepCommitted?.Invoke(step.State, step);
        if (PublishedEvents(step)) await DeliverOutboxAsync(cancellationToken);
        return new RunResult(ResumeStatus.Resumed, step.State, step);
    }

    /// <summary>Only a step that published events has anything to deliver now; what a crash left behind, the host's dispatcher delivers.</summary>
    private static bool PublishedEvents(StepResult step) => step.Effects.Exists(e => e is PublishEventEffect);

    /// <summary>Applies a stimulus to one instance with optimistic concurrency: reload and retry on a lost race.</summary>
    public Task<RunResult> ApplyAsync(string instanceId, Stimulus stimulus, CancellationToken cancellationToken = default) =>
        ApplyAsync(instanceId, stimulus, precheck: null, cancellationToken);

    /// <param name="precheck">Looks at the loaded state first; a message refuses the stimulus (NotApplicable) without a step.</param>
    public Task<RunResult> ApplyAsync(string instanceId, Stimulus stimulus, Func<WorkflowState, string?>? precheck, CancellationToken cancellationToken = default) =>
        ApplyAsync(instanceId, stimulus, precheck, extraEffects: null, cancellationToken);

    /// <param name="extraEffects">The host's own rows written in the same transaction as the step, before its effects (a referral event's history line).</param>
    public async Task<RunResult> ApplyAsync(string instanceId, Stimulus stimulus, Func<WorkflowState, string?>? precheck,
        IReadOnlyList<WorkflowEffect>? extraEffects, CancellationToken cancellationToken = default)
    {
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        var name = WorkflowTelemetry.StimulusName(stimulus);
        using var span = WorkflowTelemetry.StartStep(name, instanceId, null, null);
        var result = await ApplyCoreAsync(instanceId, stimulus, precheck, extraEffects, span, cancellationToken);
        WorkflowTelemetry.EndStep(span, began, result, name);
        return result;
    }

    private async Task<RunResult> ApplyCoreAsync(string instanceId, Stimulus stimulus, Func<WorkflowState, string?>? precheck,
        IReadOnlyList<WorkflowEffect>? extraEffects, System.Diagnostics.Activity? span, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCommitAttempts; attempt++)
        {
            var state = await instances.LoadAsync(instanceId, cancellationToken);
            if (state is null) return new RunResult(ResumeStatus.NotFound, null, null, $"No workflow instance '{instanceId}'.");
            if (precheck?.Invoke(state) is { } refusal) return new RunResult(ResumeStatus.NotApplicable, state, null, refusal);
            span?.SetTag("workflow.definition.id", state.DefinitionId);
            var definition = await FindDefinitionAsync(state, cancellationToken);
            var now = Now;
            var step = runner.Step(definition, state, stimulus, now);
            if (!step.Applied)
                return new RunResult(step.Outcome == StepOutcome.BookmarkNotFound ? ResumeStatus.NotFound : ResumeStatus.NotApplicable, state, step, step.Message);
            if (extraEffects is { Count: > 0 }) step.Effects.InsertRange(0, extraEffects);
            if (await instances.CommitAsync(new StepCommit(step.State, step, stimulus), cancellationToken) == CommitOutcome.Committed)
            {
                StepCommitted?.Invoke(step.State, step);
                if (PublishedEvents(step)) await DeliverOutboxAsync(cancellationToken);
                return new RunResult(ResumeStatus.Resumed, step.State, step);
            }
        }
        return new RunResult(ResumeStatus.Conflict, null, null, "The instance kept changing under this stimulus; nothing was applied.");
    }

    public Task<RunResult> ResumeAsync(string instanceId, string bookmarkId, JsonNode? input = null, CancellationToken cancellationToken = default) =>
        ApplyAsync(instanceId, new Stimulus.Resume(bookmarkId, input), cancellationToken);

    /// <summary>Delivers an event to every bookmark waiting on it (with this correlation id, when one is given). Returns how many resumed.</summary>
    public Task<int> PublishEventAsync(string eventName, string? correlationId, JsonNode? payload = null, CancellationToken cancellationToken = default) =>
        // The runtime's own messages (a child's end, an HTTP answer, an e-mail sent) cannot be forged from outside.
        IsReservedEventName(eventName) ? Task.FromResult(0) : DeliverEventAsync(eventName, correlationId, payload, cancellationToken);

    /// <summary>Names the runtime uses between instances and for I/O answers: <c>$workflow:</c>, <c>$http:</c>, <c>$email:</c>.</summary>
    public static bool IsReservedEventName(string eventName) =>
        eventName.StartsWith("$workflow:", StringComparison.Ordinal) || eventName.StartsWith("$http:", StringComparison.Ordinal)
        || eventName.StartsWith("$email:", StringComparison.Ordinal);

    private async Task<int> DeliverEventAsync(string eventName, string? correlationId, JsonNode? payload, CancellationToken cancellationToken)
    {
        var matches = await instances.FindBookmarksAsync(BookmarkKey.ForEvent(eventName), correlationId, cancellationToken);
        var resumed = 0;
        foreach (var match in matches)
            if ((await ResumeAsync(match.InstanceId, match.BookmarkId, payload?.DeepClone(), cancellationToken)).Succeeded) resumed++;
        return resumed;
    }

    /// <summary>Completes a task: checks the outcome against the task's own, then resumes its bookmark.</summary>
    public Task<RunResult> CompleteTaskAsync(string taskId, string outcome, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        CompleteTaskAsync(taskId, outcome, data, extraEffects: null, cancellationToken);

    /// <param name="extraEffects">The host's own rows written in the same transaction as the step (the completion's audit row).</param>
    public async Task<RunResult> CompleteTaskAsync(string taskId, string outcome, JsonObject? data, IReadOnlyList<WorkflowEffect>? extraEffects,
        CancellationToken cancellationToken = default)
    {
        var matches = await instances.FindBookmarksAsync(BookmarkKey.ForTask(taskId), null, cancellationToken);
        if (matches.Count == 0) return new RunResult(ResumeStatus.NotFound, null, null, $"Task '{taskId}' is not waiting (already completed or cancelled).");
        var match = matches[0];
        var input = data is null ? new JsonObject() : (JsonObject)data.DeepClone();
        input["outcome"] = outcome;
        // The outcome is checked against the bookmark on the state the step will run on: one load, not two.
        return await ApplyAsync(match.InstanceId, new Stimulus.Resume(match.BookmarkId, input), state =>
        {
            var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == match.BookmarkId);
            var outcomes = bookmark?.Payload?["outcomes"] is JsonArray a ? a.Select(x => ValueConverter.ToText(x)).ToList() : [];
            return outcomes.Count > 0 && !outcomes.Contains(outcome)
                ? $"'{outcome}' is not an outcome of this task ({string.Join(", ", outcomes)})."
                : null;
        }, extraEffects, cancellationToken);
    }

    /// <summary>Resumes timers that are due, oldest first, in batches. Returns how many fired.</summary>
    /// <param name="batchSize">Due timers taken from the store at once.</param>
    /// <param name="parallelism">
    /// Timers resumed at once. 1 (the default) resumes them one after another; more lets a store that groups concurrent
    /// commits (the database store's group commit) write them in shared transactions. Each timer is still resumed
    /// exactly once: its bookmark's claim decides, whoever else races for it.
    /// </param>
    public Task<int> DispatchDueTimersAsync(int batchSize = 500, CancellationToken cancellationToken = default) =>
        DispatchDueTimersAsync(batchSize, parallelism: 1, cancellationToken);

    /// <inheritdoc cref="DispatchDueTimersAsync(int, CancellationToken)"/>
    public async Task<int> DispatchDueTimersAsync(int batchSize, int parallelism, CancellationToken cancellationToken = default)
    {
        var fired = 0;
        while (true)
        {
            var due = await instances.FindDueTimersAsync(Now, batchSize, cancellationToken);
            if (due.Count == 0) return fired;
            var progress = 0;
            async ValueTask FireAsync(BookmarkMatch timer, CancellationToken ct)
            {
                var result = await ResumeAsync(timer.InstanceId, timer.BookmarkId, null, ct);
                if (result.Succeeded)
                {
                    Interlocked.Increment(ref fired);
                    Interlocked.Increment(ref progress);
                    if (timer.DueAt is { } dueAt) WorkflowTelemetry.TimerFired(Now - dueAt);
                }
                else if (result.Status is ResumeStatus.NotFound or ResumeStatus.NotApplicable) Interlocked.Increment(ref progress);
            }
            if (parallelism <= 1)
                foreach (var timer in due) await FireAsync(timer, cancellationToken);
            else
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, FireAsync);
            if (progress == 0) return fired;
        }
    }

    public Task<RunResult> CancelAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default) =>
        ApplyAsync(instanceId, new Stimulus.Cancel(reason), cancellationToken);

    public Task<RunResult> RetryAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ApplyAsync(instanceId, new Stimulus.Retry(), cancellationToken);

    public Task<RunResult> SetVariablesAsync(string instanceId, JsonObject values, CancellationToken cancellationToken = default) =>
        ApplyAsync(instanceId, new Stimulus.SetVariables(values), cancellationToken);

    /// <summary>
    /// Events published by steps go out only after their step committed, never inline under a lock (Elsa #5466). Called
    /// after each commit, and by the host on a schedule for what a crash left behind. Returns how many were delivered.
    /// </summary>
    public async Task<int> DeliverOutboxAsync(CancellationToken cancellationToken = default)
    {
        // Bounded: a workflow that publishes to itself in a loop cannot spin here for ever.
        var delivered = 0;
        for (var round = 0; round < 100; round++)
        {
            var events = await instances.TakeOutboxAsync(100, cancellationToken);
            if (events.Count == 0) break;
            foreach (var e in events)
            {
                if (e.EventName == ChildWorkflows.StartEventName) await StartChildAsync(e.Payload as JsonObject, cancellationToken);
                else if (e.EventName == Activities.Http.HttpStimulus.SendEventName) await SendHttpAsync(e.Payload as JsonObject, cancellationToken);
                else if (e.EventName == Activities.Email.SendEmailActivity.SendEventName) await SendEmailAsync(e.Payload as JsonObject, cancellationToken);
                else await DeliverEventAsync(e.EventName, e.CorrelationId, e.Payload, cancellationToken);
                delivered++;
            }
        }
        return delivered;
    }

    /// <summary>
    /// Starts a child instance asked for by a parent's committed step (ExecuteWorkflow, DispatchWorkflow, a workflow
    /// used as an activity). Idempotent: the child's instance id was chosen by the parent, so a message delivered twice
    /// starts it once. A workflow that is not published answers the waiting parent at once (its activity faults).
    /// </summary>
    private async Task StartChildAsync(JsonObject? request, CancellationToken cancellationToken)
    {
        if (request is null) return;
        var definitionId = ValueConverter.ToText(request["definitionId"]) ?? "";
        var instanceId = ValueConverter.ToText(request["instanceId"]) ?? runner.NewId();
        var parentId = ValueConverter.ToText(request["parentInstanceId"]);
        if (await instances.LoadAsync(instanceId, cancellationToken) is not null) return;
        var definition = await definitions.FindPublishedAsync(definitionId, cancellationToken);
        if (definition is null)
        {
            if (ValueConverter.ToBool(request["waitForCompletion"]))
                await DeliverEventAsync(ChildWorkflows.FinishedEventName(instanceId), null, new JsonObject
                {
                    ["workflowInstanceId"] = instanceId,
                    ["status"] = "NotFound",
                    ["message"] = $"No published workflow '{definitionId}' to run as a child.",
                }, cancellationToken);
            return;
        }
        var now = Now;
        var state = runner.CreateInstance(definition, now, instanceId);
        var stimulus = new Stimulus.Start(request["input"] as JsonObject, ValueConverter.ToText(request["correlationId"]))
        {
            ParentInstanceId = parentId,
            ParentActivityId = ValueConverter.ToText(request["parentActivityId"]),
        };
        var step = runner.Step(definition, state, stimulus, now);
        if (await instances.CommitAsync(new StepCommit(step.State, step, stimulus), cancellationToken) != CommitOutcome.Committed) return;
        StepCommitted?.Invoke(step.State, step);
        if (PublishedEvents(step)) await DeliverOutboxAsync(cancellationToken);
    }

    /// <summary>Performs a workflow's HTTP request after its step committed, then resumes the waiting activity with the answer.</summary>
    private async Task SendHttpAsync(JsonObject? request, CancellationToken cancellationToken)
    {
        if (request is null) return;
        var responseEvent = ValueConverter.ToText(request["responseEvent"]) ?? "";
        JsonObject answer;
        if (HttpSender is null)
            answer = new JsonObject { ["error"] = "failed-to-connect", ["message"] = "No HTTP sender is configured." };
        else
            answer = await HttpSender.SendAsync(new HttpRequestData(
                ValueConverter.ToText(request["url"]) ?? "", ValueConverter.ToText(request["method"]) ?? "GET",
                ValueConverter.ToText(request["content"]), ValueConverter.ToText(request["contentType"]), request["headers"] as JsonObject), cancellationToken);
        await DeliverEventAsync(responseEvent, null, answer, cancellationToken);
    }

    /// <summary>Sends a workflow's e-mail after its step committed, then resumes the waiting SendEmail (with the error, if any).</summary>
    private async Task SendEmailAsync(JsonObject? message, CancellationToken cancellationToken)
    {
        if (message is null) return;
        var sentEvent = ValueConverter.ToText(message["sentEvent"]) ?? "";
        static List<string> List(JsonNode? node) => ValueConverter.ToStringList(node);
        JsonObject answer = [];
        if (EmailSender is null) answer["error"] = "no SMTP sender is configured";
        else
        {
            try
            {
                await EmailSender.SendAsync(new EmailMessage(ValueConverter.ToText(message["from"]), List(message["to"]), List(message["cc"]), List(message["bcc"]),
                    ValueConverter.ToText(message["subject"]) ?? "", ValueConverter.ToText(message["body"]) ?? ""), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                answer["error"] = ex.Message;
            }
        }
        await DeliverEventAsync(sentEvent, null, answer, cancellationToken);
    }

    /// <summary>An inbound request to /workflows/{path}, after the host authorised it.</summary>
    /// <param name="MayUse">Whether the caller holds one of an endpoint's roles (its <c>policy</c>); null: no check.</param>
    public sealed record HttpRequestStimulus(string Method, string Path, JsonObject? Query, JsonObject? Headers, JsonNode? Body,
        Func<IReadOnlyList<string>, bool>? MayUse = null);

    /// <summary>What an inbound request came to: the instances it started or resumed, and the response one of them wrote.
    /// <c>Refused</c> counts the waiting endpoints that matched but whose roles the caller has none of.</summary>
    public sealed record HttpRequestOutcome(IReadOnlyList<string> InstanceIds, Activities.Http.HttpResponse? Response, int Refused = 0);

    /// <summary>
    /// Starts every published workflow whose HttpEndpoint trigger matches the request, and resumes every instance waiting
    /// on a matching endpoint. The first response a step wrote (WriteHttpResponse) is the answer.
    /// </summary>
    public async Task<HttpRequestOutcome> HandleHttpRequestAsync(HttpRequestStimulus request, IReadOnlyList<(WorkflowDefinition Definition, string ActivityId, string PathTemplate)> triggers,
        CancellationToken cancellationToken = default)
    {
        var method = request.Method.ToUpperInvariant();
        var ids = new List<string>();
        Activities.Http.HttpResponse? response = null;
        void Take(RunResult result)
        {
            if (result.State is not null && result.Succeeded) ids.Add(result.State.Id);
            response ??= Activities.Http.HttpResponse.From(result.Step);
        }
        // Waiting endpoints first, keyed by their (literal) path; as in routing, a literal match wins over a template with parameters.
        var resumedLiteral = false;
        var refused = 0;
        foreach (var template in Templates(request.Path))
        {
            var matches = await instances.FindBookmarksAsync(Activities.Http.HttpStimulus.Key(method, template), null, cancellationToken);
            foreach (var match in matches)
            {
                if (request.MayUse is { } mayUse && !await MayResumeAsync(match, mayUse, cancellationToken))
                {
                    refused++;
                    continue;
                }
                Activities.Http.HttpStimulus.TryMatch(template, request.Path, out var routeValues);
                var resumed = await ResumeAsync(match.InstanceId, match.BookmarkId, Input(routeValues), cancellationToken);
                resumedLiteral |= resumed.Succeeded;
                Take(resumed);
            }
        }
        foreach (var (definition, activityId, template) in triggers)
        {
            if (!Activities.Http.HttpStimulus.TryMatch(template, request.Path, out var routeValues)) continue;
            if (resumedLiteral && routeValues.Count > 0) continue;
            var methods = definition.FindActivity(activityId) is { } endpoint ? Activities.Http.HttpEndpointActivity.Methods(endpoint) : ["GET"];
            if (!methods.Contains(method)) continue;
            Take(await StartAsync(definition, Input(routeValues), null, activityId, cancellationToken));
        }
        return new HttpRequestOutcome(ids, response, refused);

        JsonObject Input(JsonObject routeValues) => new()
        {
            ["method"] = method,
            ["path"] = request.Path,
            ["routeValues"] = routeValues,
            ["query"] = request.Query?.DeepClone(),
            ["headers"] = request.Headers?.DeepClone(),
            ["body"] = request.Body?.DeepClone(),
        };
    }

    /// <summary>A waiting endpoint's roles (kept in its bookmark) against the caller; a bookmark already gone is left to the resume to report.</summary>
    private async Task<bool> MayResumeAsync(BookmarkMatch match, Func<IReadOnlyList<string>, bool> mayUse, CancellationToken cancellationToken)
    {
        var state = await instances.LoadAsync(match.InstanceId, cancellationToken);
        var bookmark = state?.Bookmarks.FirstOrDefault(b => b.Id == match.BookmarkId);
        var roles = Activities.ValueConverter.ToStringList(bookmark?.Payload?["roles"]);
        return roles.Count == 0 || mayUse(roles);
    }

    /// <summary>The concrete path itself (waiting endpoints without route parameters).</summary>
    private static IEnumerable<string> Templates(string path) => [path];

    private async Task<WorkflowDefinition> FindDefinitionAsync(WorkflowState state, CancellationToken cancellationToken) =>
        await definitions.FindVersionAsync(state.DefinitionId, state.DefinitionVersion, cancellationToken)
        ?? throw new WorkflowNotFoundException($"Workflow '{state.DefinitionId}' version {state.DefinitionVersion} of instance '{state.Id}' is gone.");
}

public sealed class WorkflowNotFoundException(string message) : Exception(message);
