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

    /// <summary>The flowchart's explicit start activity (older Elsa files).</summary>
    [JsonPropertyName("start")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Start { get; set; }

    [JsonIgnore] public bool IsFlowchart => Type == FlowchartType;

    /// <summary>A readable label for messages: the name when there is one, else the id.</summary>
    [JsonIgnore] public string Label => string.IsNullOrEmpty(Name) ? Id : Name!;

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
