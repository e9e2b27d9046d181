using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Engine.Model;

/// <summary>A flowchart edge: <c>{source {activity, port}, target {activity, port}}</c>. Older Elsa files write
/// <c>{source: "id", target: "id", sourcePort, targetPort}</c>; both are read, and each is written back in the form it came in.</summary>
[JsonConverter(typeof(ConnectionJsonConverter))]
public sealed class Connection
{
    public Endpoint Source { get; set; } = new("", "Done");
    public Endpoint Target { get; set; } = new("", "In");

    /// <summary>True when read from the older flat form, so that it is written back the same way.</summary>
    public bool FlatForm { get; set; }

    /// <summary>Fields we do not model (e.g. <c>vertices</c>).</summary>
    public JsonObject? Extra { get; set; }

    public Connection() { }

    public Connection(string sourceActivity, string sourcePort, string targetActivity, string targetPort = "In")
    {
        Source = new Endpoint(sourceActivity, sourcePort);
        Target = new Endpoint(targetActivity, targetPort);
    }

    public override string ToString() => $"{Source.Activity}:{Source.Port} -> {Target.Activity}:{Target.Port}";
}

public sealed record Endpoint(string Activity, string Port);

internal sealed class ConnectionJsonConverter : JsonConverter<Connection>
{
    public override Connection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var obj = JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("A connection must be a JSON object.");
        var connection = new Connection();
        var extra = new JsonObject();
        string? flatSourcePort = null, flatTargetPort = null;
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "source":
                    if (value is JsonObject s) connection.Source = ReadEndpoint(s, "Done");
                    else { connection.Source = new Endpoint(AsString(value) ?? "", "Done"); connection.FlatForm = true; }
                    break;
                case "target":
                    if (value is JsonObject t) connection.Target = ReadEndpoint(t, "In");
                    else { connection.Target = new Endpoint(AsString(value) ?? "", "In"); connection.FlatForm = true; }
                    break;
                case "sourcePort": flatSourcePort = AsString(value); break;
                case "targetPort": flatTargetPort = AsString(value); break;
                default: extra[key] = value?.DeepClone(); break;
            }
        }
        if (flatSourcePort is not null) connection.Source = connection.Source with { Port = flatSourcePort };
        if (flatTargetPort is not null) connection.Target = connection.Target with { Port = flatTargetPort };
        connection.Extra = extra.Count > 0 ? extra : null;
        return connection;
    }

    private static Endpoint ReadEndpoint(JsonObject o, string defaultPort) =>
        new(AsString(o["activity"]) ?? "", AsString(o["port"]) ?? defaultPort);

    private static string? AsString(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToString();

    public override void Write(Utf8JsonWriter writer, Connection value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.FlatForm)
        {
            writer.WriteString("source", value.Source.Activity);
            writer.WriteString("target", value.Target.Activity);
            writer.WriteString("sourcePort", value.Source.Port);
            writer.WriteString("targetPort", value.Target.Port);
        }
        else
        {
            writer.WritePropertyName("source");
            writer.WriteStartObject();
            writer.WriteString("activity", value.Source.Activity);
            writer.WriteString("port", value.Source.Port);
            writer.WriteEndObject();
            writer.WritePropertyName("target");
            writer.WriteStartObject();
            writer.WriteString("activity", value.Target.Activity);
            writer.WriteString("port", value.Target.Port);
            writer.WriteEndObject();
        }
        if (value.Extra is not null)
            foreach (var (key, node) in value.Extra)
            {
                writer.WritePropertyName(key);
                if (node is null) writer.WriteNullValue(); else node.WriteTo(writer, options);
            }
        writer.WriteEndObject();
    }
}
