namespace Reconnect.Workflows.Engine.Tests.Model;

public class WorkflowJsonTests
{
    public static TheoryData<string> ElsaFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Paths.ElsaSamples, "*.json", SearchOption.AllDirectories).Order()) data.Add(Path.GetRelativePath(Paths.ElsaSamples, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ElsaFiles))]
    public void RoundTrip_ElsaFile_KeepsEveryField(string file)
    {
        var text = File.ReadAllText(Path.Combine(Paths.ElsaSamples, file)).TrimStart('\uFEFF');
        var original = JsonNode.Parse(text)!;
        var written = JsonNode.Parse(WorkflowJson.Serialize(WorkflowJson.Parse(text)))!;
        var differences = new List<string>();
        Compare(original, written, "$", differences);
        Assert.True(differences.Count == 0, $"round trip of {file} lost or changed: {string.Join("; ", differences)}");
    }

    /// <summary>Every non-null field of the original must come back equal (instants compared as instants); defaults we add are fine.</summary>
    private static void Compare(JsonNode? original, JsonNode? written, string path, List<string> differences)
    {
        switch (original)
        {
            case null:
                return;
            case JsonObject o:
                if (written is not JsonObject w) { differences.Add($"{path} is no longer an object"); return; }
                foreach (var (key, value) in o)
                {
                    if (value is null) continue;
                    if (!w.TryGetPropertyValue(key, out var back)) differences.Add($"{path}.{key} missing");
                    else Compare(value, back, $"{path}.{key}", differences);
                }
                return;
            case JsonArray a:
                if (written is not JsonArray wa || wa.Count != a.Count) { differences.Add($"{path} array changed"); return; }
                for (var i = 0; i < a.Count; i++) Compare(a[i], wa[i], $"{path}[{i}]", differences);
                return;
            default:
                if (JsonNode.DeepEquals(original, written)) return;
                if (original is JsonValue ov && ov.TryGetValue<string>(out var os) && written is JsonValue wv && wv.TryGetValue<string>(out var ws)
                    && DateTimeOffset.TryParse(os, System.Globalization.CultureInfo.InvariantCulture, out var od)
                    && DateTimeOffset.TryParse(ws, System.Globalization.CultureInfo.InvariantCulture, out var wd) && od == wd) return;
                differences.Add($"{path}: {original.ToJsonString()} became {written?.ToJsonString()}");
                return;
        }
    }

    [Fact]
    public void Parse_FlatConnections_ReadsPortsAndWritesSameForm()
    {
        var definition = WorkflowJson.ParseFile(Path.Combine(Paths.ElsaSamples, "corpus", "FlowchartCompletion__workflow1.json"));
        var c = definition.Connections[0];
        Assert.Equal(("WriteLine1", "Done", "WriteLine2", "In"), (c.Source.Activity, c.Source.Port, c.Target.Activity, c.Target.Port));
        Assert.Contains("\"sourcePort\": \"Done\"", WorkflowJson.Serialize(definition));
    }

    [Fact]
    public void Parse_BareActivityRoot_RunsAsFlowchartOfOne()
    {
        var definition = WorkflowJson.ParseFile(Path.Combine(Paths.ElsaSamples, "corpus", "WorkflowDefinitionActivities__child-published-version.json"));
        Assert.False(definition.Root.IsFlowchart);
        Assert.Single(definition.Activities);
    }

    [Fact]
    public void Parse_Inputs_ReadsWrappedExpression()
    {
        var definition = WorkflowJson.ParseFile(Path.Combine(Paths.ElsaSamples, "corpus", "ImportAndExecute__implicit-loop.json"));
        var decision = definition.FindActivity("FlowDecision1")!;
        var condition = decision.GetInput("condition")!;
        Assert.Equal(Expression.JavaScript, condition.Type);
        Assert.Equal("getCounter() > 1", condition.Text);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"id\": \"x\"}")]
    public void Parse_NotAWorkflow_ThrowsClearException(string text) =>
        Assert.Throws<WorkflowJsonException>(() => WorkflowJson.Parse(text));

    [Fact]
    public void DesignerPosition_ReadsAndWrites()
    {
        var node = new ActivityNode { Id = "a", Type = "Elsa.WriteLine" };
        node.Position = (10, 20);
        Assert.Equal((10d, 20d), node.Position);
        var definition = new TestFlow().Build();
        definition.Root.Activities!.Add(node);
        var back = WorkflowJson.Parse(WorkflowJson.Serialize(definition));
        Assert.Equal((10d, 20d), back.FindActivity("a")!.Position);
    }
}
