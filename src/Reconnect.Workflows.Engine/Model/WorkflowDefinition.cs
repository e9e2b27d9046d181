using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Engine.Model;

/// <summary>A workflow definition in Elsa 3's JSON shape. Fields we do not model are kept in <see cref="Extra"/> so a round trip loses nothing.</summary>
public sealed class WorkflowDefinition : ExtensionFields
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("definitionId")] public string DefinitionId { get; set; } = "";
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("version")] public int Version { get; set; } = 1;
    [JsonPropertyName("isLatest")] public bool IsLatest { get; set; }
    [JsonPropertyName("isPublished")] public bool IsPublished { get; set; }
    [JsonPropertyName("createdAt")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("variables")] public List<VariableDefinition> Variables { get; set; } = [];
    [JsonPropertyName("inputs")] public List<InputDefinition> Inputs { get; set; } = [];
    [JsonPropertyName("root")] public ActivityNode Root { get; set; } = ActivityNode.EmptyFlowchart();

    /// <summary>When this version was first published (null: a draft that never was). Kept by the store, not in the JSON.</summary>
    [JsonIgnore] public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>SHA-256 of the workflow file this version was imported from, so start-up import is idempotent. Kept by the store.</summary>
    [JsonIgnore] public string? SourceHash { get; set; }

    /// <summary>A draft can be edited in place; a version that was ever published cannot (instances may run on it).</summary>
    [JsonIgnore] public bool IsDraft => PublishedAt is null && !IsPublished;

    /// <summary>The activities of the root flowchart (a bare-activity root counts as a flowchart of one).</summary>
    [JsonIgnore] public IReadOnlyList<ActivityNode> Activities => Root.IsFlowchart ? Root.Activities ?? [] : [Root];

    /// <summary>The connections of the root flowchart.</summary>
    [JsonIgnore] public IReadOnlyList<Connection> Connections => Root.IsFlowchart ? Root.Connections ?? [] : [];

    /// <summary>Every activity at any depth (inside sequences, loops, nested flowcharts), depth first; the root flowchart itself is left out.</summary>
    [JsonIgnore] public IEnumerable<ActivityNode> AllActivities => Activities.Where(a => a is not null).SelectMany(a => a.Flatten());

    /// <summary>An activity at any depth by id.</summary>
    public ActivityNode? FindActivity(string id)
    {
        foreach (var a in Activities)
            if (a.Id == id) return a;
        foreach (var a in AllActivities)
            if (a.Id == id) return a;
        return null;
    }

    public WorkflowDefinition Clone()
    {
        var clone = WorkflowJson.Parse(WorkflowJson.Serialize(this));
        clone.PublishedAt = PublishedAt;
        clone.SourceHash = SourceHash;
        return clone;
    }
}

public sealed class VariableDefinition : ExtensionFields
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("typeName")] public string TypeName { get; set; } = "Object";
    [JsonPropertyName("value")] public JsonNode? Value { get; set; }
}

public sealed class InputDefinition : ExtensionFields
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("displayName")] public string? DisplayName { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
}
