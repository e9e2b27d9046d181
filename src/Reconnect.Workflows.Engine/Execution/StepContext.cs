using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>The mutable scratch space of one step: the state being built, the result being collected.</summary>
internal sealed class StepContext(WorkflowRunner runner, CompiledWorkflow workflow, WorkflowState state, DateTimeOffset now, StepResult result)
{
    public WorkflowRunner Runner { get; } = runner;
    public CompiledWorkflow Workflow { get; } = workflow;
    public WorkflowState State { get; } = state;
    public DateTimeOffset Now { get; } = now;
    public StepResult Result { get; } = result;
    public string? TriggerActivityId { get; set; }
    public bool VariablesChanged { get; private set; }

    /// <summary>The flowchart run of this step (set once it exists), for activities that stop other activities.</summary>
    public FlowRun? Run { get; set; }

    public void SetVariable(string name, JsonNode? value)
    {
        var declared = Workflow.Definition.Variables.FirstOrDefault(v => v.Name == name);
        var typed = ValueConverter.ToVariableType(value, declared?.TypeName);
        if (State.Variables.TryGetValue(name, out var current) && JsonNode.DeepEquals(current, typed)) return;
        State.Variables[name] = typed;
        VariablesChanged = true;
    }

    public void AddTrace(string kind, ActivityNode? node, JsonNode? detail) => AddTrace(kind, node?.Id, node?.Type, detail);

    public void AddTrace(string kind, string? activityId, string? activityType, JsonNode? detail)
    {
        var entry = new TraceEvent(Now, kind, activityId, activityType, detail);
        Result.Trace.Add(entry);
        State.Journal.Add(entry);
    }
}
