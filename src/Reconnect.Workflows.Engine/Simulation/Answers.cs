using System.Text.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;

namespace Reconnect.Workflows.Engine.Simulation;

/// <summary>
/// The answers file: <c>{"tasks": {"&lt;activity id or name&gt;": "Outcome" | ["1st visit", "2nd visit", …]},
/// "events": [{"after": "P3D", "name": "…", "payload": {…}}]}</c>. An unanswered task takes its first outcome.
/// </summary>
public sealed class Answers
{
    public Dictionary<string, List<string>> Tasks { get; } = new(StringComparer.Ordinal);
    public List<ScheduledEvent> Events { get; } = [];

    public static Answers Empty => new();

    public static Answers Parse(string json)
    {
        var answers = new Answers();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"answers file is not valid JSON: {ex.Message}", ex);
        }
        if (root is not JsonObject o) throw new FormatException("answers file must be a JSON object with \"tasks\" and/or \"events\".");
        if (o["tasks"] is JsonObject tasks)
        {
            foreach (var (key, value) in tasks)
            {
                answers.Tasks[key] = value switch
                {
                    JsonArray list => list.Select(x => ValueConverter.ToText(x) ?? "").ToList(),
                    JsonValue v => [ValueConverter.ToText(v) ?? ""],
                    _ => throw new FormatException($"answers for task '{key}' must be an outcome or a list of outcomes."),
                };
            }
        }
        else if (o["tasks"] is not null) throw new FormatException("\"tasks\" must be an object of activity id or name → outcome(s).");
        if (o["events"] is JsonArray events)
        {
            foreach (var e in events)
            {
                if (e is not JsonObject eo) throw new FormatException("each event must be an object {after, name, payload}.");
                var name = ValueConverter.ToText(eo["name"]);
                if (string.IsNullOrWhiteSpace(name)) throw new FormatException("an event has no \"name\".");
                var afterText = ValueConverter.ToText(eo["after"]) ?? "PT0S";
                if (!ValueConverter.TryParseDuration(afterText, out var after) || after < TimeSpan.Zero)
                    throw new FormatException($"event '{name}': \"after\" '{afterText}' is not a duration such as P3D.");
                answers.Events.Add(new ScheduledEvent(after, name, eo["payload"]?.DeepClone()));
            }
        }
        else if (o["events"] is not null) throw new FormatException("\"events\" must be a list.");
        return answers;
    }

    /// <summary>The outcome for the <paramref name="visit"/>-th task (0-based) of an activity, looked up by id then by name.</summary>
    public string? OutcomeFor(string activityId, string? activityName, int visit)
    {
        if (!Tasks.TryGetValue(activityId, out var list) && (activityName is null || !Tasks.TryGetValue(activityName, out list))) return null;
        if (list.Count == 0) return null;
        return visit < list.Count ? list[visit] : list[^1];
    }
}

public sealed record ScheduledEvent(TimeSpan After, string Name, JsonNode? Payload);
