using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Persistence.Tests.Infrastructure;

/// <summary>Builds definitions in code: <c>new Flow("id").Add("a", "Elsa.Event", ("eventName", Lit("go"))).Chain("a", "b")</c>.</summary>
public sealed class Flow
{
    private readonly WorkflowDefinition _definition;

    public Flow(string definitionId = "test", int version = 1)
    {
        _definition = new WorkflowDefinition
        {
            Id = $"{definitionId}-v{version}", DefinitionId = definitionId, Name = definitionId, Version = version,
            IsPublished = true, IsLatest = true, Root = ActivityNode.EmptyFlowchart(),
        };
    }

    public static Expression Lit(string value) => Expression.OfLiteral(value);
    public static Expression Js(string script) => Expression.OfJavaScript(script);

    public Flow Variable(string name, string typeName = "Object", JsonNode? value = null)
    {
        _definition.Variables.Add(new VariableDefinition { Id = name, Name = name, TypeName = typeName, Value = value });
        return this;
    }

    public Flow Add(string id, string type, params (string Name, Expression Value)[] inputs)
    {
        var node = new ActivityNode { Id = id, Type = type, Name = id };
        foreach (var (name, value) in inputs) node.SetInput(name, "Object", value);
        _definition.Root.Activities!.Add(node);
        return this;
    }

    public Flow SetVariable(string id, string variable, Expression value)
    {
        Add(id, "Elsa.SetVariable", ("value", value));
        _definition.Root.Activities![^1].SetInputRaw("variable", new JsonObject { ["id"] = variable, ["name"] = variable });
        return this;
    }

    public Flow Connect(string source, string target, string port = "Done")
    {
        _definition.Root.Connections!.Add(new Connection(source, port, target));
        return this;
    }

    public Flow Chain(params string[] ids)
    {
        for (var i = 0; i + 1 < ids.Length; i++) Connect(ids[i], ids[i + 1]);
        return this;
    }

    public WorkflowDefinition Build() => _definition;
}
