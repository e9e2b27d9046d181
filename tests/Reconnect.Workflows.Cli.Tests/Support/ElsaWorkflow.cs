using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Cli.Tests.Support;

/// <summary>
/// Writes workflow definitions in Elsa 3's JSON shape (what the CLI reads from disk):
/// <c>new ElsaWorkflow("wf").Start().WriteLine("w", "hi").Chain("start", "w").ToJson()</c>.
/// </summary>
internal sealed class ElsaWorkflow(string definitionId = "test-workflow")
{
    private readonly JsonArray _activities = [];
    private readonly JsonArray _connections = [];
    private readonly JsonArray _variables = [];
    private int _x;

    public static JsonObject Lit(string value, string typeName = "String") => Input("Literal", value, typeName);

    public static JsonObject Js(string script, string typeName = "Object") => Input("JavaScript", script, typeName);

    public static JsonObject Liquid(string template) => Input("Liquid", template, "String");

    public static JsonObject Input(string expressionType, string value, string typeName) => new()
    {
        ["typeName"] = typeName,
        ["expression"] = new JsonObject { ["type"] = expressionType, ["value"] = value },
    };

    public ElsaWorkflow Activity(string id, string type, string? name = null, params (string Input, JsonNode Value)[] inputs)
    {
        var activity = new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["name"] = name ?? id,
            ["version"] = 1,
            ["customProperties"] = new JsonObject(),
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = _x += 200, ["y"] = 0 } } },
        };
        foreach (var (input, value) in inputs) activity[input] = value.DeepClone();
        _activities.Add(activity);
        return this;
    }

    public ElsaWorkflow Start(string id = "start") => Activity(id, "Elsa.Start");

    public ElsaWorkflow Finish(string id) => Activity(id, "Elsa.Finish");

    public ElsaWorkflow WriteLine(string id, string text) => Activity(id, "Elsa.WriteLine", null, ("text", Lit(text)));

    public ElsaWorkflow WriteLineJs(string id, string script) => Activity(id, "Elsa.WriteLine", null, ("text", Js(script, "String")));

    public ElsaWorkflow Delay(string id, string timeSpan) => Activity(id, "Elsa.Delay", null, ("timeSpan", Lit(timeSpan, "TimeSpan")));

    public ElsaWorkflow StartAt(string id, string dateTime) => Activity(id, "Elsa.StartAt", null, ("dateTime", Lit(dateTime, "DateTimeOffset")));

    public ElsaWorkflow Timer(string id, string interval) => Activity(id, "Elsa.Timer", null, ("interval", Lit(interval, "TimeSpan")));

    public ElsaWorkflow Event(string id, string eventName) => Activity(id, "Elsa.Event", null, ("eventName", Lit(eventName)));

    public ElsaWorkflow RunTask(string id, string taskName, string? name = null) => Activity(id, "Elsa.RunTask", name, ("taskName", Lit(taskName)));

    public ElsaWorkflow Fork(string id, params string[] branches) =>
        Activity(id, "Elsa.FlowFork", null, ("branches", Input("Object", new JsonArray([.. branches.Select(b => (JsonNode?)JsonValue.Create(b))]).ToJsonString(), "String[]")));

    public ElsaWorkflow Decision(string id, string condition) => Activity(id, "Elsa.FlowDecision", null, ("condition", Js(condition, "Boolean")));

    public ElsaWorkflow Variable(string name, string typeName = "Object")
    {
        _variables.Add(new JsonObject { ["id"] = name, ["name"] = name, ["typeName"] = typeName, ["value"] = null });
        return this;
    }

    public ElsaWorkflow Connect(string source, string target, string port = "Done")
    {
        _connections.Add(new JsonObject
        {
            ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
            ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
        });
        return this;
    }

    /// <summary>Connects each activity's Done port to the next one's In.</summary>
    public ElsaWorkflow Chain(params string[] ids)
    {
        for (var i = 0; i + 1 < ids.Length; i++) Connect(ids[i], ids[i + 1]);
        return this;
    }

    public string ToJson() => new JsonObject
    {
        ["id"] = definitionId + "-v1",
        ["definitionId"] = definitionId,
        ["name"] = definitionId,
        ["version"] = 1,
        ["isLatest"] = true,
        ["isPublished"] = true,
        ["createdAt"] = "2026-11-25T00:00:00+00:00",
        ["variables"] = _variables.DeepClone(),
        ["inputs"] = new JsonArray(),
        ["root"] = new JsonObject
        {
            ["id"] = "flowchart",
            ["type"] = "Elsa.Flowchart",
            ["version"] = 1,
            ["activities"] = _activities.DeepClone(),
            ["connections"] = _connections.DeepClone(),
        },
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
}
