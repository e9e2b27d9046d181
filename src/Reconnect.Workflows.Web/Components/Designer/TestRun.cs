using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Simulation;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>One line of a test run's timeline.</summary>
/// <param name="Kind">task, task-completed, timer, timer-fired, event, log, finished, faulted.</param>
public sealed record TimelineEntry(DateTimeOffset At, string Kind, string? ActivityId, string Text, DateTimeOffset? Due = null);

/// <param name="Path">The path taken: each activity that ran, in the order it first ran, with the outcomes it took.</param>
public sealed record TestRunResult(IReadOnlyList<TimelineEntry> Entries, WorkflowStatus Status, DateTimeOffset EndedAt, string? Error,
    IReadOnlyList<PathStep>? Path = null);

/// <summary>One activity on the path a test run took, and the outcomes it left by (empty: the path ended there).</summary>
public sealed record PathStep(string ActivityId, string Label, IReadOnlyList<string> Outcomes);

/// <summary>A task the test run can answer: its activity, and the outcomes it offers (the first is the default answer).</summary>
public sealed record TaskQuestion(string ActivityId, string Label, IReadOnlyList<string> Outcomes);

/// <summary>An event the test run sends: after how long (days, or an ISO duration such as PT6H), its name, and a JSON payload.</summary>
public sealed record TestRunEvent(string After, string Name, string? Payload);

/// <summary>
/// "Test run" (SPEC §9): runs the pathway as drawn — not saved, not published — for a sample referral on the engine's
/// simulator (a fake clock, an in-memory store, nothing written anywhere) and tells when each task and timer would
/// appear. Each task is answered at its due time (or at once when it has none) with the outcome given for it — a list
/// for a task that comes round again, one per visit — else its first outcome; events are sent after their delay: the
/// CLI's answers file (<see cref="Answers"/>, decision 19), which <see cref="AnswersFile"/> writes.
/// </summary>
public static class TestRun
{
    /// <summary>
    /// The tasks a definition creates, with their outcomes: activities whose outcome list is an input named
    /// <c>outcomes</c> (navigator and manager tasks; a fork's branches or a script's possible outcomes are not answers).
    /// </summary>
    public static IReadOnlyList<TaskQuestion> Tasks(WorkflowDefinition definition, ActivityRegistry registry) =>
        definition.Activities
            .Where(a => registry.Find(a.Type)?.Descriptor.Inputs.Any(i => i is { Name: "outcomes", UiHint: "outcomes", TypeName: "String[]" }) == true)
            .Select(a =>
            {
                IReadOnlyList<string> outcomes;
                try { outcomes = registry.Find(a.Type)!.GetPorts(a).Distinct(StringComparer.Ordinal).ToList(); }
                catch (Exception ex) when (ex is not OutOfMemoryException) { outcomes = []; }
                return new TaskQuestion(a.Id, a.Label, outcomes);
            })
            .ToList();

    /// <summary>The event names a definition listens for (Elsa.Event activities with a literal name).</summary>
    public static IReadOnlyList<string> EventNames(WorkflowDefinition definition) =>
        definition.AllActivities
            .Where(a => a.Type == "Elsa.Event" && a.GetInput("eventName") is { Type: Expression.Literal } e && !string.IsNullOrWhiteSpace(e.Text))
            .Select(a => a.GetInput("eventName")!.Text!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The answers file for what was given: <c>{"tasks": {id: outcome | [outcomes]}, "events": [{after, name, payload}]}</c>.
    /// A task's text is one outcome, or several separated by commas (one per visit); empty ones are left out.
    /// </summary>
    /// <exception cref="FormatException">A delay or a payload that cannot be read (the message says which).</exception>
    public static JsonObject AnswersFile(IReadOnlyDictionary<string, string> tasks, IEnumerable<TestRunEvent> events)
    {
        var taskAnswers = new JsonObject();
        foreach (var (activityId, text) in tasks)
        {
            var outcomes = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (outcomes.Length == 1) taskAnswers[activityId] = outcomes[0];
            else if (outcomes.Length > 1) taskAnswers[activityId] = new JsonArray([.. outcomes.Select(o => (JsonNode?)JsonValue.Create(o))]);
        }
        var eventList = new JsonArray();
        foreach (var e in events)
        {
            if (string.IsNullOrWhiteSpace(e.Name)) continue;
            var after = e.After.Trim();
            if (int.TryParse(after, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var days)) after = $"P{days}D";
            JsonNode? payload = null;
            if (!string.IsNullOrWhiteSpace(e.Payload))
            {
                try { payload = JsonNode.Parse(e.Payload); }
                catch (System.Text.Json.JsonException) { throw new FormatException($"event '{e.Name}': the payload is not JSON (e.g. {{\"date\": \"2026-01-31\"}})."); }
            }
            var item = new JsonObject { ["after"] = after, ["name"] = e.Name.Trim() };
            if (payload is not null) item["payload"] = payload;
            eventList.Add(item);
        }
        return new JsonObject { ["tasks"] = taskAnswers, ["events"] = eventList };
    }

    /// <summary>Sample inputs for a definition's declared inputs; the referral pathway's get a referral a month before release.</summary>
    public static Dictionary<string, string> SampleInput(WorkflowDefinition definition, DateTimeOffset now)
    {
        var today = LondonTime.Today(now);
        var known = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["referralId"] = "test-run",
            ["site"] = "LEI",
            ["referralDate"] = LondonTime.Format(today),
            ["releaseDate"] = LondonTime.Format(today.AddDays(28)),
            ["releaseType"] = "ConditionalRelease",
        };
        return definition.Inputs.Where(i => !string.IsNullOrEmpty(i.Name))
            .ToDictionary(i => i.Name, i => known.GetValueOrDefault(i.Name, ""), StringComparer.Ordinal);
    }

    public static async Task<TestRunResult> RunAsync(WorkflowDefinition definition, ActivityRegistry registry, ExpressionEvaluator evaluator,
        IReadOnlyDictionary<string, string> input, DateTimeOffset start, TimeSpan horizon, Answers? answers = null, CancellationToken cancellationToken = default)
    {
        var entries = new List<TimelineEntry>();
        var path = new List<PathStep>();
        var onPath = new Dictionary<string, int>(StringComparer.Ordinal);
        var labels = definition.Activities.ToDictionary(a => a.Id, a => a.Label, StringComparer.Ordinal);
        string Label(string? id) => id is not null && labels.TryGetValue(id, out var l) ? l : id ?? "workflow";

        var json = new JsonObject();
        foreach (var (key, value) in input) json[key] = string.IsNullOrEmpty(value) ? null : value;
        var simulator = new Simulator(new WorkflowRunner(registry, evaluator));
        try
        {
            var result = await simulator.RunAsync(definition, new SimulationOptions
            {
                Input = json,
                CorrelationId = input.GetValueOrDefault("referralId") is { Length: > 0 } id ? id : "test-run",
                Start = start,
                Until = start + horizon,
                // A pathway that loops for ever (a monthly check) stops at the horizon; this only guards a runaway.
                MaxStimuli = 5_000,
                Answers = answers ?? Answers.Empty,
            }, trace =>
            {
                if (ToEntry(trace, Label) is { } entry) entries.Add(entry);
                if (trace.Kind == TraceKinds.ActivityExecuted && trace.ActivityId is { } ran) AddToPath(ran, trace.Detail);
            }, cancellationToken);
            return new TestRunResult(entries, result.Status, result.EndedAt, null, path);
        }
        catch (SimulationException ex)
        {
            return new TestRunResult(entries, WorkflowStatus.Faulted, entries.Count > 0 ? entries[^1].At : start, ex.Message, path);
        }

        void AddToPath(string activityId, JsonNode? detail)
        {
            // Only the canvas's activities (not the flowchart itself); one step per activity, every outcome it took.
            if (!labels.ContainsKey(activityId)) return;
            var outcomes = (detail?["outcomes"] as JsonArray)?.Select(o => ValueConverter.ToText(o) ?? "").Where(o => o.Length > 0) ?? [];
            if (onPath.TryGetValue(activityId, out var index))
            {
                path[index] = path[index] with { Outcomes = [.. path[index].Outcomes.Union(outcomes, StringComparer.Ordinal)] };
                return;
            }
            onPath[activityId] = path.Count;
            path.Add(new PathStep(activityId, Label(activityId), [.. outcomes]));
        }
    }

    private static TimelineEntry? ToEntry(TraceEvent trace, Func<string?, string> label)
    {
        var detail = trace.Detail as JsonObject;
        DateTimeOffset? due = LondonTime.TryParseInstant(ValueConverter.ToText(detail?["due"]), out var d) ? d : null;
        return trace.Kind switch
        {
            TraceKinds.TaskCreated => new(trace.At, "task", trace.ActivityId,
                $"Task appears: {ValueConverter.ToText(detail?["title"]) ?? label(trace.ActivityId)}", due),
            TraceKinds.TaskCompleted => new(trace.At, "task-completed", trace.ActivityId,
                $"Task completed ({ValueConverter.ToText(detail?["input"]?["outcome"]) ?? ValueConverter.ToText(detail?["outcome"]) ?? "first outcome"}): {label(trace.ActivityId)}"),
            TraceKinds.BookmarkCreated or TraceKinds.TimerRescheduled when due is not null && detail?["taskId"] is null => new(trace.At,
                "timer", trace.ActivityId, $"Timer set: {label(trace.ActivityId)}", due),
            TraceKinds.TimerFired => new(trace.At, "timer-fired", trace.ActivityId, $"Timer fires: {label(trace.ActivityId)}"),
            TraceKinds.EventReceived => new(trace.At, "event", trace.ActivityId, $"Event: {ValueConverter.ToText(detail?["name"]) ?? label(trace.ActivityId)}"),
            TraceKinds.Log => new(trace.At, "log", trace.ActivityId, ValueConverter.ToText(detail?["text"]) ?? ""),
            TraceKinds.Finished => new(trace.At, "finished", null, "The instance finished."),
            TraceKinds.Cancelled => new(trace.At, "finished", null, "The instance was cancelled."),
            TraceKinds.Faulted => new(trace.At, "faulted", trace.ActivityId,
                $"Faulted at {label(trace.ActivityId)}: {ValueConverter.ToText(detail?["message"]) ?? ValueConverter.ToText(detail?["error"]) ?? ""}"),
            _ => null,
        };
    }
}
