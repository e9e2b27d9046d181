using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// The pure step: <c>Step(workflow, state, stimulus, now) → StepResult</c>. No I/O, no clock of its own; it never
/// mutates the state it is given. Simulation, tests and the hosted runtime all run this same function.
/// </summary>
public sealed class WorkflowRunner
{
    private readonly ConditionalWeakTable<WorkflowDefinition, CompiledWorkflow> _compiled = new();
    private readonly Func<string> _newId;

    public WorkflowRunner(ActivityRegistry? registry = null, ExpressionEvaluator? evaluator = null, Func<string>? newId = null)
    {
        Registry = registry ?? ActivityRegistry.CreateDefault();
        Evaluator = evaluator ?? new ExpressionEvaluator();
        _newId = newId ?? (() => Guid.CreateVersion7().ToString("N"));
    }

    public ActivityRegistry Registry { get; }
    public ExpressionEvaluator Evaluator { get; }

    /// <summary>Guards against a loop with no waiting activity spinning for ever inside one step.</summary>
    public int MaxExecutionsPerStep { get; init; } = 10_000;

    public string NewId() => _newId();

    /// <summary>The compiled form of a definition, cached for as long as the definition object lives.</summary>
    public CompiledWorkflow Compile(WorkflowDefinition definition) =>
        _compiled.GetValue(definition, d => new CompiledWorkflow(d, Registry));

    /// <summary>A new instance's state, with variables at their declared defaults. Nothing runs until a <see cref="Stimulus.Start"/>.</summary>
    public WorkflowState CreateInstance(WorkflowDefinition definition, DateTimeOffset now, string? instanceId = null)
    {
        var state = new WorkflowState
        {
            Id = instanceId ?? NewId(),
            DefinitionId = definition.DefinitionId,
            DefinitionVersion = definition.Version,
            DefinitionVersionId = definition.Id,
            Status = WorkflowStatus.Running,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var variable in definition.Variables)
        {
            JsonNode? value;
            try { value = ValueConverter.ToVariableType(variable.Value?.DeepClone(), variable.TypeName); }
            catch (FormatException) { value = variable.Value?.DeepClone(); }
            state.Variables[variable.Name] = value;
        }
        return state;
    }

    public StepResult Step(WorkflowDefinition definition, WorkflowState state, Stimulus stimulus, DateTimeOffset now) =>
        Step(Compile(definition), state, stimulus, now);

    public StepResult Step(CompiledWorkflow workflow, WorkflowState state, Stimulus stimulus, DateTimeOffset now)
    {
        var s = state.Clone();
        var result = new StepResult { Outcome = StepOutcome.Applied, State = s };
        var step = new StepContext(this, workflow, s, now, result);
        var run = new FlowRun(step);
        step.Run = run;

        switch (stimulus)
        {
            case Stimulus.Start start:
                if (s.Version != 0 || s.Status != WorkflowStatus.Running)
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, "The instance has already started.");
                if (start.Input is not null) s.Input = (JsonObject)start.Input.DeepClone();
                if (start.CorrelationId is not null) s.CorrelationId = start.CorrelationId;
                s.ParentInstanceId = start.ParentInstanceId;
                s.ParentActivityId = start.ParentActivityId;
                step.TriggerActivityId = start.TriggerActivityId;
                var started = new JsonObject
                {
                    ["definitionId"] = workflow.Definition.DefinitionId,
                    ["version"] = workflow.Definition.Version,
                    ["correlationId"] = s.CorrelationId,
                };
                if (start.ParentInstanceId is not null) started["parentInstanceId"] = start.ParentInstanceId;
                step.AddTrace(TraceKinds.Started, null, null, started);
                var startId = start.TriggerActivityId is not null && workflow.Find(start.TriggerActivityId) is not null
                    ? start.TriggerActivityId
                    : workflow.StartNodeId;
                if (startId is not null) run.Schedule(new WorkItem(startId));
                break;

            case Stimulus.Resume resume:
                if (s.Status is not (WorkflowStatus.Suspended or WorkflowStatus.Running))
                    return StepResult.Rejected(state, s.Status == WorkflowStatus.Faulted ? StepOutcome.NotApplicable : StepOutcome.BookmarkNotFound,
                        $"The instance is {s.Status.ToString().ToLowerInvariant()}; bookmark '{resume.BookmarkId}' is not waiting (already resumed or cancelled).");
                var bookmark = s.Bookmarks.FirstOrDefault(b => b.Id == resume.BookmarkId);
                if (bookmark is null)
                    return StepResult.Rejected(state, StepOutcome.BookmarkNotFound, $"Bookmark '{resume.BookmarkId}' is not on the instance (already resumed or cancelled).");
                s.Status = WorkflowStatus.Running;
                run.ResumeBookmark(bookmark, resume.Input);
                break;

            case Stimulus.SetVariables set:
                if (s.Status.IsTerminal())
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, $"The instance is {s.Status.ToString().ToLowerInvariant()}.");
                foreach (var (name, value) in set.Values) step.SetVariable(name, value?.DeepClone());
                break;

            case Stimulus.Retry:
                if (s.Status != WorkflowStatus.Faulted)
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, "Only a faulted instance can be retried.");
                s.Status = WorkflowStatus.Running;
                step.AddTrace(TraceKinds.Retried, s.Flow.Pending.FirstOrDefault()?.ActivityId, null, null);
                foreach (var item in s.Flow.Pending) run.Schedule(item);
                s.Flow.Pending.Clear();
                break;

            case Stimulus.Migrate:
                return StepResult.Rejected(state, StepOutcome.NotApplicable, "A migration is made by WorkflowMigration.Apply, not by a step.");

            case Stimulus.Cancel cancel:
                if (s.Status.IsTerminal())
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, $"The instance is already {s.Status.ToString().ToLowerInvariant()}.");
                run.RemoveAllBookmarks(cancel.Reason ?? "cancelled");
                s.Flow.Pending.Clear();
                s.Status = WorkflowStatus.Cancelled;
                s.FinishedAt = now;
                step.AddTrace(TraceKinds.Cancelled, null, null, cancel.Reason is null ? null : new JsonObject { ["reason"] = cancel.Reason });
                NotifyParent(step);
                Finish(state, step);
                return result;
        }

        run.Drain();

        if (run.Ended)
        {
            run.RemoveAllBookmarks("workflow finished");
            s.Status = WorkflowStatus.Finished;
        }
        else if (run.Faulted)
        {
            s.Status = WorkflowStatus.Faulted;
        }
        else if (s.Bookmarks.Count > 0)
        {
            s.Status = WorkflowStatus.Suspended;
            if (step.VariablesChanged) run.RecomputeBookmarks();
        }
        else if (s.Status == WorkflowStatus.Running)
        {
            s.Status = WorkflowStatus.Finished;
        }

        if (s.Status == WorkflowStatus.Finished)
        {
            s.FinishedAt = now;
            step.AddTrace(TraceKinds.Finished, null, null, null);
            NotifyParent(step);
        }
        Finish(state, step);
        return result;
    }

    /// <summary>
    /// A child instance that finished (or was cancelled) tells its parent through the outbox, in the same commit as its
    /// final state: the parent's waiting bookmark is resumed after that commit, exactly once, even across a restart.
    /// </summary>
    private static void NotifyParent(StepContext step)
    {
        var s = step.State;
        if (s.ParentInstanceId is null) return;
        step.Result.Effects.Add(new PublishEventEffect(ChildWorkflows.FinishedEventName(s.Id), null, ChildWorkflows.Result(s)));
    }

    private static void Finish(WorkflowState before, StepContext step)
    {
        var s = step.State;
        s.Version = before.Version + 1;
        s.UpdatedAt = step.Now;
        // The diff, not the history: a bookmark made and dropped within one step is neither added nor removed.
        var beforeIds = before.Bookmarks.Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        var afterIds = s.Bookmarks.Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        step.Result.BookmarksAdded.AddRange(s.Bookmarks.Where(b => !beforeIds.Contains(b.Id)));
        step.Result.BookmarksRemoved.AddRange(before.Bookmarks.Where(b => !afterIds.Contains(b.Id)));
    }
}
