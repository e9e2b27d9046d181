using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// Our stored definition (already Elsa 3's JSON) ↔ what Studio reads and posts: the fields Elsa's server adds (tool
/// version, options, outputs, outcomes, materializer, read-only flag, links) are added on the way out and dropped on the
/// way in; every activity gets a <c>nodeId</c> (kept when Studio saved one) so the instance viewer can find it.
/// </summary>
public static class ElsaDefinitionMapping
{
    /// <summary>The Elsa version whose JSON we speak (what Studio 3.8 writes as <c>toolVersion</c>).</summary>
    public const string ToolVersion = "3.8.0";
    public const string Materializer = "Json";

    /// <summary>Fields only Elsa's server writes; never stored.</summary>
    private static readonly string[] ServerOnly = ["links", "isReadonly", "isSystem", "materializerName", "materializerContext", "isMaterializerAvailable", "providerName"];

    /// <summary>
    /// The definition as Elsa's <c>WorkflowDefinition</c>. <paramref name="mayEdit"/>: the caller may change definitions,
    /// so the latest version carries the <c>publish</c> link without which Studio opens the editor read-only.
    /// </summary>
    public static JsonObject ToElsa(WorkflowDefinition definition, bool mayEdit)
    {
        var node = (JsonObject)WorkflowJson.ToNode(definition)!;
        node["toolVersion"] ??= ToolVersion;
        node["options"] ??= new JsonObject();
        node["outputs"] ??= new JsonArray();
        node["outcomes"] ??= new JsonArray();
        node["customProperties"] ??= new JsonObject();
        node["materializerName"] = Materializer;
        node["isSystem"] = false;
        node["isReadonly"] = !(mayEdit && definition.IsLatest);
        if (node["root"] is JsonObject root) AssignNodeIds(root);
        var id = Uri.EscapeDataString(definition.DefinitionId);
        var links = new JsonArray(
            Link($"/workflow-definitions/by-definition-id/{id}", "self", "GET"),
            Link($"/workflow-definitions/by-id/{Uri.EscapeDataString(definition.Id)}", "self", "GET"));
        if (mayEdit)
        {
            links.Add(Link($"/workflow-definitions/{id}/publish", "publish", "POST"));
            links.Add(Link($"/workflow-definitions/{id}/retract", "retract", "POST"));
        }
        node["links"] = links;
        return node;
    }

    public static ElsaDefinitionSummary ToSummary(WorkflowDefinition d) =>
        new(d.Id, d.DefinitionId, d.Name ?? d.DefinitionId, d.Description, d.Version, ToolVersion, d.IsLatest, d.IsPublished,
            d.CreatedAt ?? DateTimeOffset.UnixEpoch, Materializer, true);

    /// <summary>The list's links: <c>bulk-publish</c> (which enables the list's actions) only for callers who may change definitions.</summary>
    public static IReadOnlyList<ElsaLink> ListLinks(bool mayEdit) => mayEdit
        ? [new("/workflow-definitions", "self", "GET"), new("/workflow-definitions/validation/is-name-unique", "is-name-unique", "GET"),
           new("/bulk-actions/publish/workflow-definitions/by-definition-ids", "bulk-publish", "POST"), new("/workflow-definitions", "create", "POST")]
        : [new("/workflow-definitions", "self", "GET"), new("/workflow-definitions/validation/is-name-unique", "is-name-unique", "GET")];

    /// <summary>A posted model made storable: the server-only fields removed (the rest, Studio's designer metadata included, is kept).</summary>
    public static JsonObject FromElsa(JsonObject model)
    {
        var copy = (JsonObject)model.DeepClone();
        foreach (var name in ServerOnly) copy.Remove(name);
        return copy;
    }

    /// <summary>Our version ids are <c>{definitionId}:v{version}</c>.</summary>
    public static bool TryParseVersionId(string id, out string definitionId, out int version)
    {
        definitionId = "";
        version = 0;
        var at = id.LastIndexOf(":v", StringComparison.Ordinal);
        if (at <= 0 || !int.TryParse(id.AsSpan(at + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version) || version < 1)
            return false;
        definitionId = id[..at];
        return true;
    }

    /// <summary>
    /// Gives every activity (any JSON object with string <c>id</c> and <c>type</c> under the root) a <c>nodeId</c>: its
    /// own when it has one, else the parent's node id, a colon and its id (the root's is its id). Returns activity id → node id.
    /// </summary>
    public static Dictionary<string, string> AssignNodeIds(JsonObject root)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        Visit(root, null, map);
        return map;
    }

    /// <summary>The node ids of a definition's activities (as <see cref="ToElsa"/> writes them), by activity id.</summary>
    public static Dictionary<string, string> NodeIds(WorkflowDefinition definition) =>
        WorkflowJson.ToNode(definition)?["root"] is JsonObject root ? AssignNodeIds(root) : new(StringComparer.Ordinal);

    private static void Visit(JsonNode? node, string? parentNodeId, Dictionary<string, string> map)
    {
        switch (node)
        {
            case JsonObject obj:
                var next = parentNodeId;
                if (Text(obj["id"]) is { Length: > 0 } id && Text(obj["type"]) is { Length: > 0 })
                {
                    var nodeId = Text(obj["nodeId"]) is { Length: > 0 } own ? own : parentNodeId is null ? id : $"{parentNodeId}:{id}";
                    obj["nodeId"] = nodeId;
                    map.TryAdd(id, nodeId);
                    next = nodeId;
                }
                foreach (var (key, child) in obj.ToList())
                    if (key is not ("metadata" or "customProperties")) Visit(child, next, map);
                break;
            case JsonArray array:
                foreach (var item in array) Visit(item, parentNodeId, map);
                break;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonObject Link(string href, string rel, string method) => new() { ["href"] = href, ["rel"] = rel, ["method"] = method };
}
