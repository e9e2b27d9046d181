using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Engine.Model;

/// <summary>
/// Keeps the JSON fields a model class does not know, so a round trip loses nothing. System.Text.Json writes a
/// <see cref="JsonObject"/> extension property wrongly when indenting, so the wire side is a dictionary of elements,
/// converted to and from the editable <see cref="Extra"/> object around (de)serialisation.
/// </summary>
public abstract class ExtensionFields : IJsonOnDeserialized, IJsonOnSerializing, IJsonOnSerialized
{
    [JsonIgnore] public JsonObject? Extra { get; set; }

    [JsonExtensionData]
    [JsonInclude]
    internal Dictionary<string, JsonElement>? WireExtra { get; set; }

    void IJsonOnDeserialized.OnDeserialized()
    {
        if (WireExtra is null) return;
        Extra = [];
        foreach (var (key, element) in WireExtra) Extra[key] = JsonNode.Parse(element.GetRawText());
        WireExtra = null;
        OnExtraLoaded();
    }

    /// <summary>Called after <see cref="Extra"/> was filled from JSON.</summary>
    protected virtual void OnExtraLoaded() { }

    /// <summary>Called before <see cref="Extra"/> is written to JSON.</summary>
    protected virtual void OnExtraSaving() { }

    void IJsonOnSerializing.OnSerializing()
    {
        OnExtraSaving();
        if (Extra is null || Extra.Count == 0) { WireExtra = null; return; }
        WireExtra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, node) in Extra)
            WireExtra[key] = node is null ? JsonNullElement : JsonSerializer.SerializeToElement(node);
    }

    void IJsonOnSerialized.OnSerialized() => WireExtra = null;

    private static readonly JsonElement JsonNullElement = JsonDocument.Parse("null").RootElement.Clone();
}
