using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;
using Endpoint = Reconnect.Workflows.Engine.Model.Endpoint;

namespace Reconnect.Workflows.Application.Definitions;

/// <summary>What changed between two versions, for the designer's "compare versions" (see docs/api.md).</summary>
public sealed record DefinitionDiff(
    string DefinitionId,
    int From,
    int To,
    bool Identical,
    IReadOnlyList<string> WorkflowChanges,
    ActivityChanges Activities,
    ConnectionChanges Connections,
    VariableChanges Variables);

public sealed record ActivityRef(string Id, string Type, string? Name);

public sealed record ActivityChange(
    string Id,
    string Type,
    string? Name,
    string? PreviousType,
    string? PreviousName,
    IReadOnlyList<string> InputsChanged,
    bool CustomPropertiesChanged,
    bool Moved);

public sealed record ActivityChanges(IReadOnlyList<ActivityRef> Added, IReadOnlyList<ActivityRef> Removed, IReadOnlyList<ActivityChange> Changed);

public sealed record ConnectionRef(Endpoint Source, Endpoint Target);

public sealed record ConnectionChanges(IReadOnlyList<ConnectionRef> Added, IReadOnlyList<ConnectionRef> Removed);

public sealed record VariableRef(string Name, string TypeName);

public sealed record VariableChange(string Name, string TypeName, string? PreviousTypeName, bool ValueChanged);

public sealed record VariableChanges(IReadOnlyList<VariableRef> Added, IReadOnlyList<VariableRef> Removed, IReadOnlyList<VariableChange> Changed);

public static class DefinitionComparer
{
    /// <summary>Fields of an activity node that are bookkeeping, not behaviour.</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "nodeId" };

    public static DefinitionDiff Compare(WorkflowDefinition from, WorkflowDefinition to)
    {
        var workflow = new List<string>();
        if (from.Name != to.Name) workflow.Add("name");
        if (from.Description != to.Description) workflow.Add("description");
        if (!JsonEquals(ToNode(from.Inputs), ToNode(to.Inputs))) workflow.Add("inputs");

        var before = Index(from.Activities);
        var after = Index(to.Activities);
        var added = after.Values.Where(a => !before.ContainsKey(a.Id)).Select(Ref).ToList();
        var removed = before.Values.Where(a => !after.ContainsKey(a.Id)).Select(Ref).ToList();
        var changed = new List<ActivityChange>();
        foreach (var a in after.Values)
        {
            if (!before.TryGetValue(a.Id, out var b)) continue;
            var inputs = (a.Extra?.Select(p => p.Key) ?? []).Union(b.Extra?.Select(p => p.Key) ?? [], StringComparer.Ordinal)
                .Where(k => !Ignored.Contains(k) && !JsonEquals(a.Extra?[k], b.Extra?[k]))
                .Order(StringComparer.Ordinal).ToList();
            var custom = !JsonEquals(a.CustomProperties, b.CustomProperties);
            var moved = a.Position != b.Position;
            if (a.Type == b.Type && a.Name == b.Name && inputs.Count == 0 && !custom && !moved) continue;
            changed.Add(new ActivityChange(a.Id, a.Type, a.Name, a.Type == b.Type ? null : b.Type, a.Name == b.Name ? null : b.Name, inputs, custom, moved));
        }

        var connectionsBefore = from.Connections.Select(c => new ConnectionRef(c.Source, c.Target)).ToHashSet();
        var connectionsAfter = to.Connections.Select(c => new ConnectionRef(c.Source, c.Target)).ToHashSet();
        var connections = new ConnectionChanges(
            to.Connections.Select(c => new ConnectionRef(c.Source, c.Target)).Where(c => !connectionsBefore.Contains(c)).Distinct().ToList(),
            from.Connections.Select(c => new ConnectionRef(c.Source, c.Target)).Where(c => !connectionsAfter.Contains(c)).Distinct().ToList());

        var varsBefore = from.Variables.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var varsAfter = to.Variables.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var variables = new VariableChanges(
            varsAfter.Values.Where(v => !varsBefore.ContainsKey(v.Name)).Select(v => new VariableRef(v.Name, v.TypeName)).ToList(),
            varsBefore.Values.Where(v => !varsAfter.ContainsKey(v.Name)).Select(v => new VariableRef(v.Name, v.TypeName)).ToList(),
            varsAfter.Values.Where(v => varsBefore.ContainsKey(v.Name))
                .Select(v => (After: v, Before: varsBefore[v.Name]))
                .Where(p => p.After.TypeName != p.Before.TypeName || !JsonEquals(p.After.Value, p.Before.Value))
                .Select(p => new VariableChange(p.After.Name, p.After.TypeName, p.After.TypeName == p.Before.TypeName ? null : p.Before.TypeName, !JsonEquals(p.After.Value, p.Before.Value)))
                .ToList());

        var identical = workflow.Count == 0 && added.Count == 0 && removed.Count == 0 && changed.Count == 0 &&
                        connections.Added.Count == 0 && connections.Removed.Count == 0 &&
                        variables.Added.Count == 0 && variables.Removed.Count == 0 && variables.Changed.Count == 0;
        return new DefinitionDiff(to.DefinitionId, from.Version, to.Version, identical, workflow,
            new ActivityChanges(added, removed, changed), connections, variables);
    }

    private static Dictionary<string, ActivityNode> Index(IReadOnlyList<ActivityNode> activities)
    {
        var index = new Dictionary<string, ActivityNode>(StringComparer.Ordinal);
        foreach (var a in activities) index.TryAdd(a.Id, a);
        return index;
    }

    private static ActivityRef Ref(ActivityNode a) => new(a.Id, a.Type, a.Name);

    private static JsonNode? ToNode<T>(T value) => System.Text.Json.JsonSerializer.SerializeToNode(value, WorkflowJson.Compact);

    private static bool JsonEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}
