using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.Model;

/// <summary>Elsa's import rules: a definition id is made when missing, activities without ids get Elsa's names, validation looks inside every container.</summary>
public class ImportRuleTests
{
    private static ValidationResult Validate(WorkflowDefinition d) =>
        new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d);

    [Fact]
    public void Parse_NoDefinitionId_MakesOneFromTheNameThatIsStableAndUnique()
    {
        const string a = """{"name": "HTTP Hello World!", "root": {"type": "Elsa.Flowchart", "id": "f", "activities": []}}""";
        const string b = """{"name": "HTTP Hello World!", "root": {"type": "Elsa.Flowchart", "id": "g", "activities": []}}""";
        var first = WorkflowJson.Parse(a);
        Assert.StartsWith("http-hello-world-", first.DefinitionId);
        Assert.Equal(first.DefinitionId, first.Id);
        Assert.Equal(first.DefinitionId, WorkflowJson.Parse(a).DefinitionId);
        Assert.NotEqual(first.DefinitionId, WorkflowJson.Parse(b).DefinitionId);
        Assert.True(Validate(first).IsValid);
    }

    [Fact]
    public void Parse_NoNameNoId_MakesAWorkflowId()
    {
        var d = WorkflowJson.Parse("""{"root": {"type": "Elsa.WriteLine", "text": "hi"}}""");
        Assert.Matches("^workflow-[0-9a-f]{8}$", d.DefinitionId);
    }

    [Fact]
    public void Parse_ActivitiesWithoutIds_GetElsaShortTypeNamesCountedPerType()
    {
        var d = WorkflowJson.Parse("""
            {"definitionId": "x", "root": {"type": "Elsa.Sequence", "activities": [
              {"type": "Elsa.WriteLine", "text": "a"},
              {"type": "Elsa.WriteLine", "id": "WriteLine2", "text": "b"},
              {"type": "Elsa.If", "condition": true, "then": {"type": "Elsa.WriteLine", "text": "c"}},
              {"type": "Elsa.WriteLine", "text": "d"}]}}
            """);
        Assert.Equal(["Sequence1", "WriteLine1", "WriteLine2", "If1", "WriteLine3", "WriteLine4"], d.Root.Flatten().Select(a => a.Id));
        // The ids are written back where the activities live, so a round trip keeps them.
        var again = WorkflowJson.Parse(WorkflowJson.Serialize(d));
        Assert.Equal("WriteLine3", again.FindActivity("If1")!.Slot("then")!.Id);
    }

    [Fact]
    public void Parse_NestedActivities_RoundTripKeepsUnknownFields()
    {
        const string json = """
            {"definitionId": "x", "root": {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.ForEach", "id": "fe", "items": {"typeName": "Object", "expression": {"type": "Object", "value": "[1,2]"}},
               "body": {"type": "Elsa.WriteLine", "id": "w", "text": "x", "someUnknownField": {"k": 1}}, "customProperties": {}}]}}
            """;
        var d = WorkflowJson.Parse(json);
        var node = JsonNode.Parse(WorkflowJson.Serialize(d))!;
        Assert.Equal(1, node["root"]!["activities"]![0]!["body"]!["someUnknownField"]!["k"]!.GetValue<int>());
        Assert.Equal("w", node["root"]!["activities"]![0]!["body"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Validate_SequenceHoldingUnsupportedTypes_NamesEveryInnerActivity()
    {
        var d = WorkflowJson.Parse("""
            {"definitionId": "x", "root": {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.WriteLine", "id": "ok", "text": "fine"},
              {"type": "Elsa.RunCSharp", "id": "cs"},
              {"type": "Elsa.If", "id": "if", "condition": {"typeName": "Boolean", "expression": {"type": "JavaScript", "value": "(("}},
               "then": {"type": "Elsa.Agents.CodeFirstAgentActivity", "id": "agent"}}]}}
            """);
        var errors = Validate(d).Errors;
        Assert.Contains(errors, e => e.ActivityId == "cs" && e.Message.Contains("Elsa.RunCSharp"));
        Assert.Contains(errors, e => e.ActivityId == "agent" && e.Message.Contains("Elsa.Agents.CodeFirstAgentActivity"));
        Assert.Contains(errors, e => e.ActivityId == "if" && e.Message.Contains("condition"));
        Assert.DoesNotContain(errors, e => e.ActivityId is "s" or "ok");
    }

    [Fact]
    public void Validate_DuplicateIdAcrossContainers_IsReported()
    {
        var d = WorkflowJson.Parse("""
            {"definitionId": "x", "root": {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.WriteLine", "id": "w", "text": "a"},
              {"type": "Elsa.FlowNode", "id": "n", "body": {"type": "Elsa.WriteLine", "id": "w", "text": "b"}}]}}
            """);
        Assert.Contains(Validate(d).Errors, e => e.ActivityId == "w" && e.Message.Contains("same id"));
    }

    [Fact]
    public void Validate_NestedFlowchartConnections_AreCheckedInsideIt()
    {
        var d = WorkflowJson.Parse("""
            {"definitionId": "x", "root": {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.Flowchart", "id": "inner", "activities": [
                {"type": "Elsa.WriteLine", "id": "a", "text": "a"}, {"type": "Elsa.WriteLine", "id": "b", "text": "b"},
                {"type": "Elsa.WriteLine", "id": "lost", "text": "c"}],
               "connections": [{"source": {"activity": "a", "port": "Nope"}, "target": {"activity": "b", "port": "In"}}]}]}}
            """);
        var errors = Validate(d).Errors;
        Assert.Contains(errors, e => e.ActivityId == "a" && e.Message.Contains("'Nope'"));
        Assert.Contains(errors, e => e.ActivityId == "lost" && e.Message.Contains("cannot be reached from the start activity 'a'"));
    }
}

/// <summary>What stays refused, by name.</summary>
public class RefusalTests
{
    [Theory]
    [InlineData("Elsa.RunCSharp", "C#")]
    [InlineData("Elsa.RunPython", "Python")]
    [InlineData("Elsa.Agents.AgentActivity", "agents")]
    public void Validate_RefusedActivityType_SaysWhyByName(string type, string why)
    {
        var d = WorkflowJson.Parse("""{"definitionId": "x", "root": {"type": "Elsa.Sequence", "id": "s", "activities": [{"type": "TYPE", "id": "r"}]}}""".Replace("TYPE", type));
        var error = Assert.Single(new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d).Errors);
        Assert.Equal("r", error.ActivityId);
        Assert.Contains($"'{type}' is refused", error.Message);
        Assert.Contains(why, error.Message);
    }

    [Theory]
    [InlineData("CSharp", "C# expressions are refused")]
    [InlineData("Python", "Python expressions are refused")]
    public void Validate_CSharpOrPythonExpression_IsRefusedByName(string language, string message)
    {
        var d = WorkflowJson.Parse("""{"definitionId": "x", "root": {"type": "Elsa.WriteLine", "id": "w", "text": {"typeName": "String", "expression": {"type": "LANG", "value": "1"}}}}""".Replace("LANG", language));
        var error = Assert.Single(new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d).Errors);
        Assert.Contains(message, error.Message);
    }
}

/// <summary>Hostile shapes inside containers are named, never a crash.</summary>
public class NestedShapeTests
{
    [Theory]
    [InlineData("""{"type": "Elsa.Sequence", "id": "s", "activities": [{"type": "Elsa.Sequence", "id": "inner", "activities": [null]}]}""", "null entry")]
    [InlineData("""{"type": "Elsa.Sequence", "id": "s", "activities": [{"type": "Elsa.Sequence", "id": "inner", "activities": [{"id": "x", "type": null}]}]}""", "no type")]
    [InlineData("""{"type": "Elsa.Flowchart", "id": "f", "activities": [null]}""", "null entry")]
    public void Validate_NestedNullsAndTypeless_AreErrorsNotCrashes(string root, string expected)
    {
        var d = WorkflowJson.Parse("{\"definitionId\": \"x\", \"root\": " + root + "}");
        var errors = new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d).Errors;
        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }
}
