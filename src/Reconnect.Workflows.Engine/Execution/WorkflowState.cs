using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// Everything an instance is, between steps: serialisable as one JSON document. The runner never mutates the state it
/// is given; it works on a clone and returns the new one.
/// </summary>
public sealed class WorkflowState
{
    public string Id { get; set; } = "";
    public string DefinitionId { get; set; } = "";
    public int DefinitionVersion { get; set; }
    /// <summary>The identity of the exact definition version (Elsa's <c>id</c>).</summary>
    public string DefinitionVersionId { get; set; } = "";
    public string? CorrelationId { get; set; }
    /// <summary>The instance that started this one as its child, when one did; it hears when this one finishes.</summary>
    public string? ParentInstanceId { get; set; }
    /// <summary>The parent's activity that started this instance.</summary>
    public string? ParentActivityId { get; set; }
    public WorkflowStatus Status { get; set; } = WorkflowStatus.Running;
    public JsonObject Input { get; set; } = [];
    public Dictionary<string, JsonNode?> Variables { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Outputs of activities that produce one (event payload, task outcome), by activity id.</summary>
    public Dictionary<string, JsonNode?> Outputs { get; set; } = new(StringComparer.Ordinal);
    public JsonNode? LastResult { get; set; }
    /// <summary>The instance's name (Elsa's <c>SetName</c>), when a workflow gave itself one.</summary>
    public string? Name { get; set; }
    /// <summary>The workflow's outputs (Elsa's <c>SetOutput</c> outside any composite), by output name.</summary>
    public JsonObject Output { get; set; } = [];
    public List<Bookmark> Bookmarks { get; set; } = [];
    public FlowState Flow { get; set; } = new();
    public List<TraceEvent> Journal { get; set; } = [];
    public List<Incident> Incidents { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Steps committed so far; the optimistic-concurrency token the stores compare.</summary>
    public long Version { get; set; }

    public WorkflowState Clone()
    {
        var clone = (WorkflowState)MemberwiseClone();
        clone.Input = (JsonObject)Input.DeepClone();
        clone.Variables = new Dictionary<string, JsonNode?>(Variables.Count, StringComparer.Ordinal);
        foreach (var (k, v) in Variables) clone.Variables[k] = v?.DeepClone();
        clone.Outputs = new Dictionary<string, JsonNode?>(Outputs.Count, StringComparer.Ordinal);
        foreach (var (k, v) in Outputs) clone.Outputs[k] = v?.DeepClone();
        clone.LastResult = LastResult?.DeepClone();
        clone.Output = (JsonObject)Output.DeepClone();
        clone.Bookmarks = new List<Bookmark>(Bookmarks.Count);
        foreach (var b in Bookmarks) clone.Bookmarks.Add(b.DeepClone());
        clone.Flow = Flow.Clone();
        // Journal entries and incidents are immutable records: a shallow copy of the list is enough.
        clone.Journal = [.. Journal];
        clone.Incidents = [.. Incidents];
        return clone;
    }
}

/// <summary>The flowchart's bookkeeping: which inbound connections of a waiting join have been visited, and work left when a step faulted.</summary>
public sealed class FlowState
{
    /// <summary>Target activity id → (connection key → taken?) for forward connections visited since the target last ran.</summary>
    public Dictionary<string, Dictionary<string, bool>> Visits { get; set; } = new(StringComparer.Ordinal);
    /// <summary>WaitAny joins that already fired for the current round.</summary>
    public HashSet<string> FiredJoins { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Work that was scheduled when a step faulted, the faulting activity first; a retry runs it.</summary>
    public List<WorkItem> Pending { get; set; } = [];
    /// <summary>Executions per activity over the instance's life.</summary>
    public Dictionary<string, int> ExecutionCounts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Containers (sequences, loops, forks, nested flowcharts) that are running, by activity id, each with what it
    /// remembers between its children (the next index, the loop's current value, the branches done). Kept here so the
    /// step stays pure and a container survives a restart while a child waits.
    /// </summary>
    public Dictionary<string, JsonObject> Scopes { get; set; } = new(StringComparer.Ordinal);

    public FlowState Clone()
    {
        var clone = new FlowState
        {
            FiredJoins = new HashSet<string>(FiredJoins, StringComparer.Ordinal),
            Pending = [.. Pending],
            ExecutionCounts = new Dictionary<string, int>(ExecutionCounts, StringComparer.Ordinal),
        };
        foreach (var (k, v) in Visits) clone.Visits[k] = new Dictionary<string, bool>(v, StringComparer.Ordinal);
        foreach (var (k, v) in Scopes) clone.Scopes[k] = (JsonObject)v.DeepClone();
        return clone;
    }
}

/// <summary>An activity scheduled to run (or to be skipped along a dead path), in a frame (null at the top; a ParallelForEach iteration's otherwise).</summary>
public sealed record WorkItem(string ActivityId, bool Skip = false, string? Frame = null);

/// <summary>
/// Frames let the same activities run side by side (ParallelForEach's iterations). A frame is a path of iterations,
/// "&lt;owner id&gt;#&lt;n&gt;" joined by "/"; state kept per activity (joins, containers) is keyed "&lt;id&gt;@&lt;frame&gt;" inside one.
/// </summary>
public static class Frames
{
    public static string Key(string id, string? frame) => frame is null ? id : id + "@" + frame;

    public static (string Id, string? Frame) Split(string key)
    {
        var at = key.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (key, null) : (key[..at], key[(at + 1)..]);
    }

    public static string Child(string? frame, string ownerId, int index) => (frame is null ? "" : frame + "/") + ownerId + "#" + index;

    /// <summary>True when <paramref name="frame"/> is <paramref name="outer"/> or inside it (everything is inside the top, null).</summary>
    public static bool Within(string? frame, string? outer) =>
        outer is null || frame == outer || (frame is not null && frame.StartsWith(outer + "/", StringComparison.Ordinal));

    /// <summary>The leading iterations of <paramref name="frame"/> whose owners <paramref name="keep"/> accepts.</summary>
    public static string? Trim(string? frame, Func<string, bool> keep)
    {
        if (frame is null) return null;
        var kept = new List<string>();
        foreach (var segment in frame.Split('/'))
        {
            var owner = segment[..segment.LastIndexOf('#')];
            if (!keep(owner)) break;
            kept.Add(segment);
        }
        return kept.Count == 0 ? null : string.Join('/', kept);
    }

    public static string? Of(Bookmark bookmark) => bookmark.Payload?["frame"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var f) ? f : null;
}
