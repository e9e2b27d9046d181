using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Primitives;
using Reconnect.Workflows.Engine.Activities.Tasks;
using Reconnect.Workflows.Engine.Execution;

namespace Reconnect.Workflows.Engine.Migration;

/// <summary>
/// Moves an instance from one version of its definition to another, as a pure function like the step: the waiting
/// points move to their mapped activities, variables follow the keep/new rule, timers and due dates are computed again
/// from the new version's expressions, and nothing that already ran runs again (no activity is executed: the state is
/// rewritten, never replayed — Elsa #6620). The result is a <see cref="StepResult"/> that the store commits as any step.
/// docs/engine.md, "Migration".
/// </summary>
public static class WorkflowMigration
{
    /// <summary>
    /// What migrating instances waiting at <paramref name="waitingCounts"/> (activity id → how many instances wait there)
    /// would do: where each waiting activity maps, which have no counterpart, and which variables' defaults changed.
    /// </summary>
    public static MigrationPlan Plan(CompiledWorkflow from, CompiledWorkflow to, IReadOnlyDictionary<string, int> waitingCounts, MigrationMapping mapping)
    {
        var waiting = new List<WaitingActivity>();
        var unmapped = new List<string>();
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (activityId, count) in waitingCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var target = Target(from, to, mapping, activityId, from.Find(activityId)?.Node.Type, out var problem);
            waiting.Add(new WaitingActivity(activityId, count, target));
            if (problem is not null)
            {
                unmapped.Add(activityId);
                problems[activityId] = problem;
            }
        }
        return new MigrationPlan(waiting, unmapped, problems, VariableChanges(from, to, mapping));
    }

    /// <summary>Problems with the request's map itself, by field (<c>activityMap.&lt;id&gt;</c>): ids that are in neither version.</summary>
    public static Dictionary<string, string> CheckMap(CompiledWorkflow from, CompiledWorkflow to, MigrationMapping mapping)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (source, target) in mapping.ActivityMap)
        {
            if (from.Find(source) is null) errors[$"activityMap.{source}"] = $"'{source}' is not an activity of version {from.Definition.Version}";
            else if (to.Find(target) is null) errors[$"activityMap.{source}"] = $"'{target}' is not an activity of version {to.Definition.Version}";
        }
        foreach (var name in mapping.Variables.Keys)
            if (to.Definition.Variables.All(v => v.Name != name) && from.Definition.Variables.All(v => v.Name != name))
                errors[$"variables.{name}"] = $"'{name}' is not a variable of either version";
        return errors;
    }

    /// <summary>The variables whose declared default differs between the versions (a variable new in v2 too: from null).</summary>
    public static IReadOnlyList<VariableChange> VariableChanges(CompiledWorkflow from, CompiledWorkflow to, MigrationMapping mapping)
    {
        var changes = new List<VariableChange>();
        foreach (var variable in to.Definition.Variables)
        {
            var before = from.Definition.Variables.FirstOrDefault(v => v.Name == variable.Name);
            var oldDefault = before is null ? null : Typed(before.Value, before.TypeName);
            var newDefault = Typed(variable.Value, variable.TypeName);
            if (before is not null && JsonNode.DeepEquals(oldDefault, newDefault)) continue;
            var choice = before is null || mapping.Variables.GetValueOrDefault(variable.Name) == VariableChoice.New ? VariableChoice.New : VariableChoice.Keep;
            changes.Add(new VariableChange(variable.Name, oldDefault, newDefault, choice));
        }
        return changes;
    }

    /// <summary>
    /// The migrated instance as a step to commit (state version + 1), or a rejected result: <see cref="StepOutcome.NotApplicable"/>
    /// when the instance has ended, is not on <paramref name="from"/>'s version, or waits somewhere that has no counterpart.
    /// </summary>
    public static StepResult Apply(WorkflowRunner runner, CompiledWorkflow from, CompiledWorkflow to, WorkflowState state, MigrationMapping mapping, DateTimeOffset now)
    {
        if (state.Status.IsTerminal())
            return StepResult.Rejected(state, StepOutcome.NotApplicable, $"The instance is {state.Status.ToString().ToLowerInvariant()}.");
        if (state.DefinitionId != from.Definition.DefinitionId || state.DefinitionVersion != from.Definition.Version)
            return StepResult.Rejected(state, StepOutcome.NotApplicable,
                $"The instance runs version {state.DefinitionVersion} of '{state.DefinitionId}', not version {from.Definition.Version} of '{from.Definition.DefinitionId}'.");

        // Every activity the instance is inside of must have a counterpart, or nothing changes.
        var refusals = new List<string>();
        var active = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var b in state.Bookmarks) active.TryAdd(b.ActivityId, b.ActivityType);
        foreach (var key in state.Flow.Scopes.Keys) active.TryAdd(Frames.Split(key).Id, from.Find(Frames.Split(key).Id)?.Node.Type);
        foreach (var item in state.Flow.Pending) active.TryAdd(item.ActivityId, from.Find(item.ActivityId)?.Node.Type);
        foreach (var (id, type) in active)
        {
            Target(from, to, mapping, id, type, out var problem);
            if (problem is not null) refusals.Add(problem);
        }
        if (refusals.Count > 0) return StepResult.Rejected(state, StepOutcome.NotApplicable, string.Join(" ", refusals));

        var s = state.Clone();
        var result = new StepResult { Outcome = StepOutcome.Applied, State = s };
        var step = new StepContext(runner, to, s, now, result);
        string Rename(string id) => mapping.ActivityMap.TryGetValue(id, out var mapped) ? mapped : id;

        // 1. Variables: kept, unless the request says "new" for one still at the old default; new ones take their default.
        var changed = new JsonArray();
        foreach (var variable in to.Definition.Variables)
        {
            var newDefault = Typed(variable.Value, variable.TypeName);
            if (!s.Variables.TryGetValue(variable.Name, out var current))
            {
                s.Variables[variable.Name] = newDefault;
                changed.Add(variable.Name);
                continue;
            }
            if (mapping.Variables.GetValueOrDefault(variable.Name) != VariableChoice.New) continue;
            var old = from.Definition.Variables.FirstOrDefault(v => v.Name == variable.Name);
            if (old is null || !JsonNode.DeepEquals(current, Typed(old.Value, old.TypeName)) || JsonNode.DeepEquals(current, newDefault)) continue;
            s.Variables[variable.Name] = newDefault;
            changed.Add(variable.Name);
        }

        s.DefinitionVersion = to.Definition.Version;
        s.DefinitionVersionId = to.Definition.Id;

        // 2. The bookmarks move; an open task keeps its id (and so its row and assignee) and takes the new version's shape.
        var moved = new JsonObject();
        for (var i = 0; i < s.Bookmarks.Count; i++)
        {
            var b = s.Bookmarks[i];
            var targetId = Rename(b.ActivityId);
            var node = to.Find(targetId)!;
            var payload = (JsonObject?)b.Payload?.DeepClone();
            var frame = RenameFrame(Frames.Of(b), Rename);
            if (frame is not null) payload!["frame"] = frame;
            if (targetId != b.ActivityId) moved[b.ActivityId] = targetId;
            if (node.Activity is HumanTaskActivity task && b.Name == StimulusNames.Task && b.TaskId is { } taskId && payload is not null)
            {
                TaskShape shape;
                try
                {
                    var context = new ActivityContext(step, node.Node, frame: frame);
                    shape = task.Describe(payload["createdAt"] is { } created ? context.AsOf(ValueConverter.ToInstant(created)) : context);
                }
                catch (Exception ex) when (ex is Expressions.ExpressionException or FormatException or InvalidOperationException or ArgumentException)
                {
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, $"Task '{taskId}' at '{targetId}' cannot take version {to.Definition.Version}'s shape: {ex.Message}");
                }
                payload["title"] = shape.Title;
                payload["outcomes"] = new JsonArray([.. shape.Outcomes.Select(o => (JsonNode?)JsonValue.Create(o))]);
                if (shape.DueAt is { } due) payload["due"] = Time.LondonTime.Format(due);
                else payload.Remove("due");
                result.Effects.Add(new MigrateTaskEffect(taskId, targetId, node.Node.Type, shape.Title, shape.Outcomes, shape.DueAt));
            }
            var hash = b.Hash;
            if (node.Activity is EventActivity && b.Name == StimulusNames.Event)
            {
                // v2 may listen for another event name: the bookmark must wait for the name v2 waits for, or the
                // events senders now publish would never reach the migrated instance.
                string? eventName;
                try { eventName = new ActivityContext(step, node.Node, frame: frame).GetString("eventName"); }
                catch (Exception ex) when (ex is Expressions.ExpressionException or FormatException or InvalidOperationException or ArgumentException)
                {
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, $"The event at '{targetId}' cannot take version {to.Definition.Version}'s event name: {ex.Message}");
                }
                if (string.IsNullOrWhiteSpace(eventName))
                    return StepResult.Rejected(state, StepOutcome.NotApplicable, $"The event at '{targetId}' has no event name in version {to.Definition.Version}.");
                hash = BookmarkKey.Compute(StimulusNames.Event, eventName);
                if (payload is not null) payload["eventName"] = eventName;
            }
            s.Bookmarks[i] = b with { ActivityId = targetId, ActivityType = node.Node.Type, Hash = hash, Payload = payload };
        }

        // 3. The flowchart's bookkeeping follows the map: containers in flight, half-counted joins, queued work, counts, outputs.
        var flow = s.Flow;
        flow.Scopes = RenameKeys(flow.Scopes, Rename);
        var visits = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (key, sources) in flow.Visits)
        {
            var (id, frame) = Frames.Split(key);
            var target = Rename(id);
            if (to.Find(target) is null) continue; // a join that is not in the new version is never reached
            var renamed = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var (edge, taken) in sources)
            {
                var colon = edge.IndexOf(':', StringComparison.Ordinal);
                renamed[colon < 0 ? Rename(edge) : Rename(edge[..colon]) + edge[colon..]] = taken;
            }
            visits[Frames.Key(target, RenameFrame(frame, Rename))] = renamed;
        }
        flow.Visits = visits;
        flow.FiredJoins = new HashSet<string>(flow.FiredJoins.Select(k => { var (id, f) = Frames.Split(k); return Frames.Key(Rename(id), RenameFrame(f, Rename)); }), StringComparer.Ordinal);
        flow.Pending = [.. flow.Pending.Select(w => w with { ActivityId = Rename(w.ActivityId), Frame = RenameFrame(w.Frame, Rename) })];
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, n) in flow.ExecutionCounts) counts[Rename(id)] = counts.GetValueOrDefault(Rename(id)) + n;
        flow.ExecutionCounts = counts;
        s.Outputs = RenameKeys(s.Outputs, Rename);

        // 4. The journal line, then timers and due dates computed from variables, with the new version's expressions.
        var detail = new JsonObject
        {
            ["from"] = from.Definition.Version,
            ["to"] = to.Definition.Version,
            ["fromVersionId"] = from.Definition.Id,
            ["toVersionId"] = to.Definition.Id,
            ["activityMap"] = moved,
        };
        if (changed.Count > 0) detail["variables"] = changed;
        step.AddTrace(TraceKinds.Migrated, null, null, detail);
        new FlowRun(step).RecomputeBookmarks();

        s.Version = state.Version + 1;
        s.UpdatedAt = now;
        // The diff: a bookmark that moved or changed is removed and added again under its id (its row is rewritten).
        var before = state.Bookmarks.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var after = s.Bookmarks.ToDictionary(b => b.Id, StringComparer.Ordinal);
        foreach (var b in state.Bookmarks)
            if (!after.TryGetValue(b.Id, out var now2) || !Same(b, now2)) result.BookmarksRemoved.Add(b);
        foreach (var b in s.Bookmarks)
            if (!before.TryGetValue(b.Id, out var was) || !Same(was, b)) result.BookmarksAdded.Add(b);
        return result;
    }

    /// <summary>Where a waiting activity goes: the map's target, else the same id; null with a problem when there is none (or it is another kind).</summary>
    private static string? Target(CompiledWorkflow from, CompiledWorkflow to, MigrationMapping mapping, string activityId, string? type, out string? problem)
    {
        problem = null;
        var mapped = mapping.ActivityMap.TryGetValue(activityId, out var m);
        var targetId = mapped ? m! : activityId;
        var target = to.Find(targetId);
        if (target is null)
        {
            problem = mapped
                ? $"'{activityId}' maps to '{targetId}', which is not in version {to.Definition.Version}."
                : $"'{activityId}' has no counterpart in version {to.Definition.Version}: map it to an activity of that version.";
            return null;
        }
        if (type is not null && target.Node.Type != type)
        {
            problem = $"'{activityId}' ({type}) maps to '{targetId}', which is a {target.Node.Type}: a waiting activity maps only to one of its own type.";
            return null;
        }
        return targetId;
    }

    private static bool Same(Bookmark a, Bookmark b) =>
        a.ActivityId == b.ActivityId && a.ActivityType == b.ActivityType && a.DueAt == b.DueAt && a.Hash == b.Hash
        && JsonNode.DeepEquals(a.Payload, b.Payload);

    private static Dictionary<string, T> RenameKeys<T>(Dictionary<string, T> source, Func<string, string> rename)
    {
        var renamed = new Dictionary<string, T>(source.Count, StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            var (id, frame) = Frames.Split(key);
            renamed[Frames.Key(rename(id), RenameFrame(frame, rename))] = value;
        }
        return renamed;
    }

    /// <summary>A frame names its iterations' owners ("owner#n/…"): they follow the map too.</summary>
    private static string? RenameFrame(string? frame, Func<string, string> rename)
    {
        if (frame is null) return null;
        return string.Join('/', frame.Split('/').Select(segment =>
        {
            var hash = segment.LastIndexOf('#');
            return hash < 0 ? segment : rename(segment[..hash]) + segment[hash..];
        }));
    }

    private static JsonNode? Typed(JsonNode? value, string? typeName)
    {
        try { return ValueConverter.ToVariableType(value?.DeepClone(), typeName); }
        catch (FormatException) { return value?.DeepClone(); }
    }
}

public enum VariableChoice
{
    /// <summary>The instance keeps its value (the default).</summary>
    Keep,
    /// <summary>The new version's default, when the instance's value is still the old default.</summary>
    New,
}

/// <summary>How to migrate: waiting activities that move to another id, and the keep/new choice per variable.</summary>
public sealed record MigrationMapping(IReadOnlyDictionary<string, string> ActivityMap, IReadOnlyDictionary<string, VariableChoice> Variables)
{
    public static readonly MigrationMapping ById = new(new Dictionary<string, string>(), new Dictionary<string, VariableChoice>());
}

/// <summary>How many instances wait at an activity, and where it maps (null: nowhere).</summary>
public sealed record WaitingActivity(string ActivityId, int Count, string? MappedTo);

/// <summary>A variable whose default differs between the versions, and the choice that will apply.</summary>
public sealed record VariableChange(string Name, JsonNode? From, JsonNode? To, VariableChoice Default);

/// <summary>A dry run's answer: where the waiting activities go; <see cref="Unmapped"/> ones make it impossible.</summary>
public sealed record MigrationPlan(
    IReadOnlyList<WaitingActivity> WaitingAt,
    IReadOnlyList<string> Unmapped,
    IReadOnlyDictionary<string, string> Problems,
    IReadOnlyList<VariableChange> VariableChanges)
{
    public bool CanMigrate => Unmapped.Count == 0;
}

/// <summary>An open task moved with its instance: same row, id and assignee; the new version's title, outcomes, due date and activity.</summary>
public sealed record MigrateTaskEffect(string TaskId, string ActivityId, string ActivityType, string Title, IReadOnlyList<string> Outcomes, DateTimeOffset? DueAt) : WorkflowEffect;
