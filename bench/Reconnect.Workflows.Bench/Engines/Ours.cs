using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Bench.Engines;

/// <summary>Our engine as a host runs it: <see cref="WorkflowRuntime"/> (load → step → commit) over a store.</summary>
public sealed class OursHost
{
    public required WorkflowRuntime Runtime { get; init; }
    public required InMemoryWorkflowStore Store { get; init; }

    /// <summary>A fresh runtime over a fresh in-memory store, with <paramref name="definitions"/> saved (published).</summary>
    public static async Task<OursHost> CreateInMemoryAsync(WorkflowRunner runner, params WorkflowDefinition[] definitions)
    {
        var store = new InMemoryWorkflowStore();
        foreach (var d in definitions) await store.SaveAsync(d);
        return new OursHost { Store = store, Runtime = new WorkflowRuntime(runner, store, store, TimeProvider.System) };
    }
}

/// <summary>The definitions the scenarios run, built in code with the model classes (no JavaScript: we measure the engine, not Jint).</summary>
public static class OursDefinitions
{
    public const string SequentialId = "bench-sequential-10";
    public const string EventResumeId = "bench-event-resume";
    public const string EventName = "go";

    /// <summary>
    /// Ten activities in a line: Start, four SetVariable and four WriteLine alternating (Literal expressions), End.
    /// </summary>
    public static WorkflowDefinition Sequential10()
    {
        var d = NewDefinition(SequentialId, "Benchmark: 10 sequential steps");
        for (var v = 1; v <= 4; v++)
            d.Variables.Add(new VariableDefinition { Id = $"v{v}", Name = $"v{v}", TypeName = "String" });

        var nodes = new List<ActivityNode> { new() { Id = "start", Type = "Elsa.Start" } };
        for (var i = 1; i <= 4; i++)
        {
            var set = new ActivityNode { Id = $"set{i}", Type = "Elsa.SetVariable" };
            set.SetInputRaw("variable", new JsonObject { ["id"] = $"v{i}", ["name"] = $"v{i}" });
            set.SetInput("value", "Object", Expression.OfLiteral($"value {i}"));
            nodes.Add(set);
            var write = new ActivityNode { Id = $"write{i}", Type = "Elsa.WriteLine" };
            write.SetInput("text", "String", Expression.OfLiteral($"line {i}"));
            nodes.Add(write);
        }
        nodes.Add(new ActivityNode { Id = "end", Type = "Elsa.End" });
        return Chain(d, nodes);
    }

    /// <summary>Start → Event (<c>eventName</c> "go", matched on the instance's correlation id) → Finish.</summary>
    public static WorkflowDefinition EventResume()
    {
        var d = NewDefinition(EventResumeId, "Benchmark: start, wait for an event, finish");
        var wait = new ActivityNode { Id = "wait", Type = "Elsa.Event" };
        wait.SetInput("eventName", "String", Expression.OfLiteral(EventName));
        return Chain(d, [new ActivityNode { Id = "start", Type = "Elsa.Start" }, wait, new ActivityNode { Id = "finish", Type = "Elsa.Finish" }]);
    }

    private static WorkflowDefinition NewDefinition(string definitionId, string name) => new()
    {
        Id = definitionId + "-v1",
        DefinitionId = definitionId,
        Name = name,
        Version = 1,
        IsPublished = true,
        IsLatest = true,
        Root = ActivityNode.EmptyFlowchart(),
    };

    private static WorkflowDefinition Chain(WorkflowDefinition d, List<ActivityNode> nodes)
    {
        d.Root.Activities!.AddRange(nodes);
        for (var i = 1; i < nodes.Count; i++) d.Root.Connections!.Add(new Connection(nodes[i - 1].Id, "Done", nodes[i].Id));
        return d;
    }

    /// <summary>Fails loudly when a definition does not validate, so a benchmark never measures a workflow that faults at once.</summary>
    public static WorkflowDefinition Validated(this WorkflowDefinition definition, WorkflowRunner runner)
    {
        var result = new WorkflowValidator(runner.Registry, runner.Evaluator).Validate(definition);
        if (!result.IsValid)
            throw new InvalidOperationException($"Benchmark workflow '{definition.DefinitionId}' is not valid: {string.Join("; ", result.Errors)}");
        return definition;
    }
}
