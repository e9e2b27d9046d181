using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>One changed value in "compare versions": what it was and what it is (null: not set).</summary>
public sealed record ValueChange(string Name, string? Before, string? After);

/// <summary>
/// The old and new values behind <c>DefinitionComparer</c>'s "inputs changed" and "variable default changed", in words a
/// manager reads ("7 → 10", "JavaScript: addDays(…)"), so compare says what changed, not only where.
/// </summary>
public static class CompareValues
{
    public const int MaxLength = 120;

    public static IReadOnlyList<ValueChange> Inputs(ActivityNode before, ActivityNode after, IEnumerable<string> inputs) =>
        inputs.Select(name => new ValueChange(name, Text(before.GetInputRaw(name)), Text(after.GetInputRaw(name)))).ToList();

    public static IReadOnlyList<ValueChange> Variables(WorkflowDefinition before, WorkflowDefinition after, IEnumerable<string> names) =>
        names.Select(name => new ValueChange(name,
            Text(before.Variables.FirstOrDefault(v => v.Name == name)?.Value),
            Text(after.Variables.FirstOrDefault(v => v.Name == name)?.Value))).ToList();

    /// <summary>An input or a value as read: a literal as its text, an expression with its syntax, cut to <see cref="MaxLength"/>.</summary>
    public static string? Text(JsonNode? raw)
    {
        if (raw is null) return null;
        var expression = raw is JsonObject o && o.ContainsKey("expression") ? Expression.FromInput(raw) : null;
        var text = expression is null
            ? (raw is JsonValue v && v.TryGetValue<string>(out var s) ? s : raw.ToJsonString())
            : expression.Type == Expression.Literal
                ? expression.Text ?? "(empty)"
                : $"{expression.Type}: {expression.Text}";
        return text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
    }

    /// <summary>"old → new", with "(not set)" for a missing side.</summary>
    public static string Describe(ValueChange change) => $"{change.Before ?? "(not set)"} → {change.After ?? "(not set)"}";
}
