using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Engine.Model;

/// <summary>Reads and writes definitions in Elsa 3's JSON shape.</summary>
public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
        MaxDepth = 128,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Compact options for state and wire formats.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    /// <summary>Parses a definition; a bare-activity root is kept as is (it runs as a flowchart of one).</summary>
    /// <exception cref="WorkflowJsonException">The text is not a workflow definition.</exception>
    public static WorkflowDefinition Parse(string json)
    {
        if (json.Length > 0 && json[0] == '\uFEFF') json = json[1..];
        WorkflowDefinition? definition;
        try
        {
            var node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = Options.MaxDepth });
            if (node is not JsonObject obj) throw new WorkflowJsonException("A workflow definition must be a JSON object.");
            if (obj["root"] is not JsonObject) throw new WorkflowJsonException("The definition has no 'root' activity.");
            definition = obj.Deserialize<WorkflowDefinition>(Options);
        }
        catch (JsonException ex)
        {
            throw new WorkflowJsonException($"Not valid workflow JSON: {ex.Message}", ex);
        }
        if (definition is null) throw new WorkflowJsonException("Not valid workflow JSON: the document is null.");
        if (definition.Root is null || string.IsNullOrEmpty(definition.Root.Type))
            throw new WorkflowJsonException("The definition has no 'root' activity.");
        if (string.IsNullOrEmpty(definition.DefinitionId)) definition.DefinitionId = definition.Id;
        // Elsa imports a file without ids (its ImportAndPublishHttpEndpointsTests rely on it): one is made from the name,
        // made unique by a hash of the file, so importing the same file again gives the same id.
        if (string.IsNullOrEmpty(definition.DefinitionId)) definition.DefinitionId = MakeDefinitionId(definition.Name, json);
        if (string.IsNullOrEmpty(definition.Id)) definition.Id = definition.DefinitionId;
        definition.Root.Activities ??= definition.Root.IsFlowchart ? [] : null;
        definition.Root.Connections ??= definition.Root.IsFlowchart ? [] : null;
        AssignActivityIds(definition.Root);
        return definition;
    }

    /// <summary>A definition id from a name: lower-case letters and digits joined by hyphens, then 8 hex characters of the file's SHA-256.</summary>
    public static string MakeDefinitionId(string? name, string source)
    {
        var slug = new StringBuilder();
        foreach (var c in (name ?? "").Normalize(NormalizationForm.FormKD))
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(char.ToLowerInvariant(c));
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
            if (slug.Length >= 60) break;
        }
        var text = slug.ToString().Trim('-');
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..8];
        return text.Length == 0 ? $"workflow-{hash}" : $"{text}-{hash}";
    }

    /// <summary>
    /// Elsa's rule for activities without an id: the short type name (after the last dot) and a counter per short type
    /// starting at 1, skipping ids already taken, visiting the tree depth first from the root.
    /// </summary>
    public static void AssignActivityIds(ActivityNode root)
    {
        var all = root.Flatten().ToList();
        if (all.All(a => !string.IsNullOrWhiteSpace(a.Id))) return;
        var taken = all.Where(a => !string.IsNullOrWhiteSpace(a.Id)).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        if (all.All(a => !string.IsNullOrWhiteSpace(a.Id) || string.IsNullOrWhiteSpace(a.Type))) return;
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in all)
        {
            // A node with no type is left alone: validation names it.
            if (!string.IsNullOrWhiteSpace(node.Id) || string.IsNullOrWhiteSpace(node.Type)) continue;
            var shortType = node.Type.Split('.')[^1];
            string id;
            do
            {
                var n = counters.GetValueOrDefault(shortType) + 1;
                counters[shortType] = n;
                id = $"{shortType}{n}";
            } while (!taken.Add(id));
            node.Id = id;
        }
    }

    public static WorkflowDefinition ParseFile(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    // Serialising fills each node's wire-side extension fields for the duration of the call: one writer at a time per definition.
    public static string Serialize(WorkflowDefinition definition, bool indented = true)
    {
        lock (definition) return JsonSerializer.Serialize(definition, indented ? Options : Compact);
    }

    public static JsonNode? ToNode(WorkflowDefinition definition)
    {
        lock (definition) return JsonSerializer.SerializeToNode(definition, Options);
    }
}

public sealed class WorkflowJsonException(string message, Exception? inner = null) : Exception(message, inner);
