using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Engine.Model;

/// <summary>
/// One activity of a flowchart (or the flowchart itself). Inputs are camelCase properties of the node
/// (<c>{"text": {"typeName": "String", "expression": {"type": "Literal", "value": "Hi"}}}</c>); they live in
/// <see cref="Extra"/> with every other field we do not model, and are read through <see cref="GetInput"/>.
/// </summary>
public sealed class ActivityNode : ExtensionFields
{
    public const string FlowchartType = "Elsa.Flowchart";

    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("version")] public int Version { get; set; } = 1;
    [JsonPropertyName("customProperties")] public JsonObject? CustomProperties { get; set; }
    [JsonPropertyName("metadata")] public JsonObject? Metadata { get; set; }

    [JsonPropertyName("activities")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ActivityNode>? Activities { get; set; }

    [JsonPropertyName("connections")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Connection>? Connections { get; set; }

    /// <summary>
    /// The flowchart's explicit start activity (older Elsa files). Kept in <see cref="ExtensionFields.Extra"/>: on other
    /// activities <c>start</c> is an input (<c>Elsa.For</c>'s), not an activity id.
    /// </summary>
    [JsonIgnore]
    public string? StartActivityId
    {
        get => IsFlowchart && Extra?["start"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : null;
        set
        {
            Extra ??= [];
            if (value is null) Extra.Remove("start");
            else Extra["start"] = value;
        }
    }

    [JsonIgnore] public bool IsFlowchart => Type == FlowchartType;

    /// <summary>A readable label for messages: the name when there is one, else the id.</summary>
    [JsonIgnore] public string Label => string.IsNullOrEmpty(Name) ? Id : Name!;

    /// <summary>Activity slots of containers other than <c>activities</c>: <c>body</c>, <c>then</c>, <c>else</c>, <c>default</c>.</summary>
    public static readonly IReadOnlyList<string> SingleSlotNames = ["body", "then", "else", "default"];

    /// <summary><c>Elsa.SendHttpRequest</c>'s single slots, visited after its status-code cases.</summary>
    public static readonly IReadOnlyList<string> HttpSlotNames = ["unmatchedStatusCode", "failedToConnect", "timeout"];

    /// <summary>
    /// Activities held in slots other than <see cref="Activities"/>, by slot path (<c>body</c>, <c>then</c>, <c>else</c>,
    /// <c>default</c>, <c>branches/0</c>, <c>cases/1/activity</c>, <c>expectedStatusCodes/0/activity</c>, <c>timeout</c>), in the order Elsa visits them. Read from and written
    /// back to <see cref="ExtensionFields.Extra"/>, so a round trip keeps them as they were.
    /// </summary>
    [JsonIgnore] public List<KeyValuePair<string, ActivityNode>> Slots { get; } = [];

    /// <summary>Every activity this node holds directly: its <c>activities</c>, then its slots.</summary>
    [JsonIgnore] public IEnumerable<ActivityNode> Children => (Activities ?? []).Concat(Slots.Select(s => s.Value)).Where(c => c is not null);

    /// <summary>The activity in a slot, or null.</summary>
    public ActivityNode? Slot(string path)
    {
        foreach (var (key, node) in Slots)
            if (key == path) return node;
        return null;
    }

    /// <summary>This node and everything it holds, depth first (Elsa's order for naming activities).</summary>
    public IEnumerable<ActivityNode> Flatten()
    {
        var stack = new Stack<ActivityNode>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            foreach (var child in node.Children.Reverse()) stack.Push(child);
        }
    }

    private static bool IsActivityJson(JsonNode? node) =>
        node is JsonObject o && o["type"] is JsonValue t && t.TryGetValue<string>(out _) && !o.ContainsKey("expression");

    protected override void OnExtraLoaded()
    {
        Slots.Clear();
        if (Extra is null) return;
        foreach (var name in SingleSlotNames)
            if (Extra[name] is JsonObject o && IsActivityJson(o))
                Slots.Add(new(name, o.Deserialize<ActivityNode>(WorkflowJson.Options)!));
        if (Extra["branches"] is JsonArray branches)
            for (var i = 0; i < branches.Count; i++)
                if (IsActivityJson(branches[i])) Slots.Add(new($"branches/{i}", branches[i]!.Deserialize<ActivityNode>(WorkflowJson.Options)!));
        if (Extra["cases"] is JsonArray cases)
            for (var i = 0; i < cases.Count; i++)
                if (cases[i] is JsonObject c && IsActivityJson(c["activity"])) Slots.Add(new($"cases/{i}/activity", c["activity"]!.Deserialize<ActivityNode>(WorkflowJson.Options)!));
        // Elsa.SendHttpRequest's status-code cases: {statusCode, activity}.
        if (Extra["expectedStatusCodes"] is JsonArray statusCases)
            for (var i = 0; i < statusCases.Count; i++)
                if (statusCases[i] is JsonObject c && IsActivityJson(c["activity"])) Slots.Add(new($"expectedStatusCodes/{i}/activity", c["activity"]!.Deserialize<ActivityNode>(WorkflowJson.Options)!));
        foreach (var name in HttpSlotNames)
            if (Extra[name] is JsonObject o && IsActivityJson(o))
                Slots.Add(new(name, o.Deserialize<ActivityNode>(WorkflowJson.Options)!));
    }

    protected override void OnExtraSaving()
    {
        if (Slots.Count == 0 || Extra is null) return;
        foreach (var (path, node) in Slots)
        {
            var json = JsonSerializer.SerializeToNode(node, WorkflowJson.Options);
            var parts = path.Split('/');
            JsonNode? target = Extra;
            for (var i = 0; i < parts.Length - 1; i++)
                target = target is JsonArray a ? a[int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture)] : target?[parts[i]];
            var last = parts[^1];
            if (target is JsonArray array) array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = json;
            else if (target is JsonObject obj) obj[last] = json;
        }
    }

    public static ActivityNode EmptyFlowchart() => new() { Id = "flowchart", Type = FlowchartType, Activities = [], Connections = [] };

    /// <summary>The raw JSON of an input, or null when the node does not set it.</summary>
    public JsonNode? GetInputRaw(string name)
    {
        if (Extra is null) return null;
        if (Extra.TryGetPropertyValue(name, out var node)) return node;
        // Elsa writes camelCase; be lenient with files written by hand in PascalCase.
        foreach (var (key, value) in Extra)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    /// <summary>The input as an expression (or null when absent/empty).</summary>
    public Expression? GetInput(string name) => Expression.FromInput(GetInputRaw(name));

    /// <summary>Sets an input in Elsa's wrapped form.</summary>
    public void SetInput(string name, string typeName, Expression expression)
    {
        Extra ??= [];
        Extra[name] = new JsonObject
        {
            ["typeName"] = typeName,
            ["expression"] = new JsonObject { ["type"] = expression.Type, ["value"] = expression.Value?.DeepClone() },
        };
    }

    /// <summary>Sets a raw (unwrapped) input value, e.g. <c>cases</c> or <c>variable</c>.</summary>
    public void SetInputRaw(string name, JsonNode? value)
    {
        Extra ??= [];
        Extra[name] = value;
    }

    public string? GetCustomProperty(string name)
    {
        if (CustomProperties is null) return null;
        foreach (var (key, value) in CustomProperties)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString();
        return null;
    }

    /// <summary>Designer position (<c>metadata.designer.position</c>).</summary>
    [JsonIgnore]
    public (double X, double Y)? Position
    {
        get
        {
            var p = Metadata?["designer"]?["position"];
            if (p is null) return null;
            return (p["x"]?.GetValue<double>() ?? 0, p["y"]?.GetValue<double>() ?? 0);
        }
        set
        {
            Metadata ??= [];
            if (Metadata["designer"] is not JsonObject designer)
            {
                designer = [];
                Metadata["designer"] = designer;
            }
            designer["position"] = value is null ? null : new JsonObject { ["x"] = value.Value.X, ["y"] = value.Value.Y };
        }
    }
}
