using System.Diagnostics;
using System.Diagnostics.Metrics;
using Reconnect.Workflows.Engine.Execution;

namespace Reconnect.Workflows.Engine.Runtime;

/// <summary>
/// The runtime's instruments (System.Diagnostics only: hosts decide whether and where to export them). One span per
/// workflow step, named <c>workflow.step</c>, with ids only — instance, definition, version, stimulus, the activities
/// the step ran — never variables or input (personal data). Metrics: <c>reconnect.workflow.steps</c> (by outcome),
/// <c>reconnect.workflow.step.duration</c>, <c>reconnect.timers.lateness</c>.
/// </summary>
public static class WorkflowTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/> (the store's instruments share it).</summary>
    public const string Name = "Reconnect.Workflows";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Steps = Meter.CreateCounter<long>(
        "reconnect.workflow.steps", "{step}", "Stimuli applied to workflow instances, by outcome (resumed = a step committed)");
    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "reconnect.workflow.step.duration", "s", "Load, step and commit of one stimulus (retries after a lost race included)");
    private static readonly Histogram<double> TimerLateness = Meter.CreateHistogram<double>(
        "reconnect.timers.lateness", "s", "How long after its due instant a timer fired (workflow clock)");

    internal static Activity? StartStep(string stimulus, string? instanceId, string? definitionId, int? version)
    {
        var activity = Source.StartActivity("workflow.step", ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag("workflow.stimulus", stimulus);
        if (instanceId is not null) activity.SetTag("workflow.instance.id", instanceId);
        if (definitionId is not null) activity.SetTag("workflow.definition.id", definitionId);
        if (version is not null) activity.SetTag("workflow.definition.version", version);
        return activity;
    }

    internal static void EndStep(Activity? activity, long startedTimestamp, RunResult result, string stimulus)
    {
        var outcome = result.Status switch
        {
            ResumeStatus.Resumed => "resumed",
            ResumeStatus.NotFound => "not-found",
            ResumeStatus.NotApplicable => "not-applicable",
            _ => "conflict",
        };
        var tags = new TagList { { "outcome", outcome }, { "stimulus", stimulus } };
        Steps.Add(1, tags);
        StepDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        if (activity is null) return;
        activity.SetTag("workflow.outcome", outcome);
        if (result.State is { } state)
        {
            activity.SetTag("workflow.instance.id", state.Id);
            activity.SetTag("workflow.definition.version", state.DefinitionVersion);
            activity.SetTag("workflow.status", state.Status.ToString());
        }
        if (result.Step is { } step)
        {
            var ran = step.Trace.Where(t => t.Kind == TraceKinds.ActivityExecuted && t.ActivityId is not null).Select(t => t.ActivityId!).Distinct().ToArray();
            if (ran.Length > 0) activity.SetTag("workflow.activity.ids", ran);
        }
        if (result.Status == ResumeStatus.Conflict) activity.SetStatus(ActivityStatusCode.Error, "conflict");
    }

    internal static void TimerFired(TimeSpan lateness) => TimerLateness.Record(Math.Max(0, lateness.TotalSeconds));

    internal static string StimulusName(Stimulus stimulus) => stimulus switch
    {
        Stimulus.Start => "start",
        Stimulus.Resume => "resume",
        Stimulus.SetVariables => "set-variables",
        Stimulus.Retry => "retry",
        Stimulus.Cancel => "cancel",
        Stimulus.Migrate => "migrate",
        _ => stimulus.GetType().Name.ToLowerInvariant(),
    };
}
