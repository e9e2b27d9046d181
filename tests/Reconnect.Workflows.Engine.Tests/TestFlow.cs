using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Engine.Tests;

/// <summary>Builds definitions in code for tests: <c>new TestFlow().Add("a", "Elsa.WriteLine", ("text", Lit("hi"))).Connect("a", "b")</c>.</summary>
internal sealed class TestFlow
{
    private readonly WorkflowDefinition _definition = new()
    {
        Id = "test-v1", DefinitionId = "test", Name = "Test", Version = 1, IsPublished = true, IsLatest = true,
        Root = ActivityNode.EmptyFlowchart(),
    };

    public static Expression Lit(string value) => Expression.OfLiteral(value);
    public static Expression Js(string script) => Expression.OfJavaScript(script);
    public static Expression Liquid(string template) => Expression.OfLiquid(template);

    public TestFlow Variable(string name, string typeName = "Object", JsonNode? value = null)
    {
        _definition.Variables.Add(new VariableDefinition { Id = name, Name = name, TypeName = typeName, Value = value });
        return this;
    }

    public TestFlow Add(string id, string type, params (string Name, Expression Value)[] inputs)
    {
        var node = new ActivityNode { Id = id, Type = type, Name = id };
        foreach (var (name, value) in inputs) node.SetInput(name, "Object", value);
        _definition.Root.Activities!.Add(node);
        return this;
    }

    public TestFlow AddRaw(string id, string type, params (string Name, JsonNode Value)[] inputs)
    {
        var node = new ActivityNode { Id = id, Type = type, Name = id };
        foreach (var (name, value) in inputs) node.SetInputRaw(name, value);
        _definition.Root.Activities!.Add(node);
        return this;
    }

    public TestFlow WriteLine(string id, string text) => Add(id, "Elsa.WriteLine", ("text", Lit(text)));

    public TestFlow SetVariable(string id, string variable, Expression value)
    {
        Add(id, "Elsa.SetVariable", ("value", value));
        _definition.Root.Activities![^1].SetInputRaw("variable", new JsonObject { ["id"] = variable, ["name"] = variable });
        return this;
    }

    public TestFlow Node(string id, Action<ActivityNode> configure)
    {
        configure(_definition.Root.Activities!.Single(a => a.Id == id));
        return this;
    }

    public TestFlow Connect(string source, string target, string port = "Done")
    {
        _definition.Root.Connections!.Add(new Connection(source, port, target));
        return this;
    }

    /// <summary>Connects a chain with Done ports: Chain("a", "b", "c").</summary>
    public TestFlow Chain(params string[] ids)
    {
        for (var i = 0; i + 1 < ids.Length; i++) Connect(ids[i], ids[i + 1]);
        return this;
    }

    public WorkflowDefinition Build() => _definition;
}

/// <summary>Runs steps on the pure runner and keeps the state between them.</summary>
internal sealed class TestRun
{
    public WorkflowRunner Runner { get; }
    public WorkflowDefinition Definition { get; }
    public WorkflowState State { get; private set; }
    public DateTimeOffset Now { get; set; } = new(2027, 1, 4, 9, 0, 0, TimeSpan.Zero);
    public List<StepResult> Steps { get; } = [];

    public TestRun(WorkflowDefinition definition, WorkflowRunner? runner = null)
    {
        Runner = runner ?? new WorkflowRunner();
        Definition = definition;
        State = Runner.CreateInstance(definition, Now, "instance-1");
    }

    public StepResult Apply(Stimulus stimulus)
    {
        var result = Runner.Step(Definition, State, stimulus, Now);
        if (result.Applied) State = result.State;
        Steps.Add(result);
        return result;
    }

    public StepResult Start(JsonObject? input = null, string? correlationId = null) => Apply(new Stimulus.Start(input, correlationId));

    public StepResult Resume(Bookmark bookmark, JsonNode? input = null) => Apply(new Stimulus.Resume(bookmark.Id, input));

    public Bookmark Bookmark(string activityId) => State.Bookmarks.Single(b => b.ActivityId == activityId);

    public IReadOnlyList<string> Lines => State.Journal.Where(j => j.Kind == TraceKinds.Log).Select(j => j.Detail!["text"]!.GetValue<string>()).ToList();

    public IReadOnlyList<string> Executed => State.Journal.Where(j => j.Kind == TraceKinds.ActivityExecuted).Select(j => j.ActivityId!).ToList();
}

/// <summary>The runtime over an in-memory store with a fake clock.</summary>
internal sealed class TestRuntime
{
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
    public InMemoryWorkflowStore Store { get; } = new();
    public WorkflowRuntime Runtime { get; }

    public TestRuntime(WorkflowRunner? runner = null) => Runtime = new WorkflowRuntime(runner ?? new WorkflowRunner(), Store, Store, Clock);

    public async Task<WorkflowDefinition> PublishAsync(WorkflowDefinition definition)
    {
        definition.IsPublished = true;
        await Store.SaveAsync(definition);
        return definition;
    }
}
