using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Engine.Simulation;

public sealed record SimulationOptions
{
    public JsonObject? Input { get; init; }
    public string? CorrelationId { get; init; }
    public required DateTimeOffset Start { get; init; }
    public DateTimeOffset? Until { get; init; }
    public Answers Answers { get; init; } = Answers.Empty;
    /// <summary>A safety net against a workflow that never stops waking up (a Timer every minute for years).</summary>
    public int MaxStimuli { get; init; } = 100_000;
    /// <summary>Other workflows published beside it, which it may start as children (ExecuteWorkflow, DispatchWorkflow, as activities).</summary>
    public IReadOnlyList<WorkflowDefinition> With { get; init; } = [];
}

public sealed record SimulationResult(WorkflowStatus Status, string InstanceId, DateTimeOffset EndedAt, int Stimuli);

/// <summary>
/// Runs a workflow on the real runtime with an in-memory store and a clock that jumps to the next due moment. Tasks are
/// answered at their due time (or at once when they have none) from the answers file; events arrive when it says.
/// </summary>
public sealed class Simulator(WorkflowRunner runner)
{
    public Task<SimulationResult> RunAsync(WorkflowDefinition definition, SimulationOptions options, Action<TraceEvent> output, CancellationToken cancellationToken = default) =>
        RunAsync(definition, options, (trace, _) => output(trace), cancellationToken);

    /// <param name="output">Each journal line, with the instance id when it comes from a child instance (null for the simulated one).</param>
    public async Task<SimulationResult> RunAsync(WorkflowDefinition definition, SimulationOptions options, Action<TraceEvent, string?> output, CancellationToken cancellationToken = default)
    {
        var store = new InMemoryWorkflowStore();
        var clock = new ManualClock(options.Start);
        var runtime = new WorkflowRuntime(runner, store, store, clock);
        runtime.StepCommitted += (state, step) => { foreach (var t in step.Trace) output(t, state.ParentInstanceId is null ? null : state.Id); };

        var definitions = new List<WorkflowDefinition>();
        foreach (var other in options.With)
        {
            var copy = other.Clone();
            copy.IsPublished = true;
            await store.SaveAsync(copy, cancellationToken);
            definitions.Add(copy);
        }
        var published = definition.Clone();
        published.IsPublished = true;
        await store.SaveAsync(published, cancellationToken);
        definitions.Add(published);
        var start = await runtime.StartAsync(published, options.Input, options.CorrelationId, null, cancellationToken);
        var instanceId = start.State!.Id;

        var events = new Queue<ScheduledEvent>(options.Answers.Events.OrderBy(e => e.After));
        var answerAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var visits = new Dictionary<string, int>(StringComparer.Ordinal);
        var stimuli = 0;

        while (stimuli < options.MaxStimuli)
        {
            var state = await store.LoadAsync(instanceId, cancellationToken);
            if (state is null || state.Status is not (WorkflowStatus.Suspended or WorkflowStatus.Running)) break;

            // Child instances' tasks are answered too (the answers file names activities of any of the workflows).
            var openTasks = await store.ListOpenTasksAsync(options.With.Count == 0 ? instanceId : null, cancellationToken);
            foreach (var task in openTasks)
                if (!answerAt.ContainsKey(task.TaskId))
                    answerAt[task.TaskId] = task.DueAt is { } due && due > clock.GetUtcNow() ? due : clock.GetUtcNow();
            var openIds = openTasks.Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);

            DateTimeOffset? next = null;
            void Consider(DateTimeOffset? candidate)
            {
                if (candidate is { } c && (next is null || c < next)) next = c;
            }
            Consider(store.NextTimerDue());
            foreach (var (taskId, at) in answerAt) if (openIds.Contains(taskId)) Consider(at);
            if (events.TryPeek(out var nextEvent)) Consider(options.Start + nextEvent.After);
            if (next is null) break;
            if (options.Until is { } until && next > until) break;
            if (next > clock.GetUtcNow()) clock.Set(next.Value);
            var now = clock.GetUtcNow();

            // Order within one moment: events, then tasks, then timers.
            var progressed = false;
            while (events.TryPeek(out var e) && options.Start + e.After <= now)
            {
                // An earlier event of the same moment may have ended the instance: nothing is delivered after "finished".
                var current = await store.LoadAsync(instanceId, cancellationToken);
                if (current is null || current.Status is not (WorkflowStatus.Suspended or WorkflowStatus.Running)) break;
                events.Dequeue();
                stimuli++;
                progressed = true;
                // The instance's correlation id now, not at the start: an Elsa.Correlate may have changed it since.
                var resumed = await runtime.PublishEventAsync(e.Name, current.CorrelationId, e.Payload, cancellationToken);
                if (resumed == 0)
                    output(new TraceEvent(now, TraceKinds.EventReceived, null, null, new JsonObject { ["name"] = e.Name, ["matched"] = 0 }), null);
            }
            foreach (var task in openTasks)
            {
                if (!answerAt.TryGetValue(task.TaskId, out var at) || at > now) continue;
                // Answering an earlier task (or an event) may have ended or faulted the instance: its other tasks take no answer.
                var instance = await store.LoadAsync(instanceId, cancellationToken);
                if (instance is null || instance.Status is not (WorkflowStatus.Suspended or WorkflowStatus.Running)) break;
                var current = await store.FindTaskAsync(task.TaskId, cancellationToken);
                if (current?.Status != TaskRecordStatus.Open) continue;
                var activityName = definitions.Select(d => d.FindActivity(task.ActivityId)?.Name).FirstOrDefault(n => n is not null);
                var visit = visits.GetValueOrDefault(task.ActivityId);
                visits[task.ActivityId] = visit + 1;
                var outcome = options.Answers.OutcomeFor(task.ActivityId, activityName, visit) ?? task.Outcomes[0];
                stimuli++;
                progressed = true;
                var result = await runtime.CompleteTaskAsync(task.TaskId, outcome, null, cancellationToken);
                if (!result.Succeeded)
                    throw new SimulationException($"task '{task.Title}' ({task.ActivityId}) could not be completed with '{outcome}': {result.Message}");
            }
            var fired = await runtime.DispatchDueTimersAsync(500, cancellationToken);
            stimuli += fired;
            if (!progressed && fired == 0) break;
        }

        var final = await store.LoadAsync(instanceId, cancellationToken);
        return new SimulationResult(final!.Status, instanceId, clock.GetUtcNow(), stimuli);
    }
}

public sealed class SimulationException(string message) : Exception(message);
