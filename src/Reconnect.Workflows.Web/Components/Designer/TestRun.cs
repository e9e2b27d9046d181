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

public sealed record TestRunResult(IReadOnlyList<TimelineEntry> Entries, WorkflowStatus Status, DateTimeOffset EndedAt, string? Error);

/// <summary>
/// "Test run" (SPEC §9): runs the pathway as drawn — not saved, not published — for a sample referral on the engine's
/// simulator (a fake clock, an in-memory store, nothing written anywhere) and tells when each task and timer would
/// appear. Each task is answered with its first outcome at its due time (or at once when it has none), as the CLI does.
/// </summary>
public static class TestRun
{
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
        IReadOnlyDictionary<string, string> input, DateTimeOffset start, TimeSpan horizon, CancellationToken cancellationToken = default)
    {
        var entries = new List<TimelineEntry>();
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
            }, trace => { if (ToEntry(trace, Label) is { } entry) entries.Add(entry); }, cancellationToken);
            return new TestRunResult(entries, result.Status, result.EndedAt, null);
        }
        catch (SimulationException ex)
        {
            return new TestRunResult(entries, WorkflowStatus.Faulted, entries.Count > 0 ? entries[^1].At : start, ex.Message);
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
