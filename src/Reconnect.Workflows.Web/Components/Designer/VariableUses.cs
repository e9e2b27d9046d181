using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>One place a variable is used: the activity (by id and label) and the input that names it.</summary>
public sealed record VariableUse(string ActivityId, string ActivityLabel, string Input)
{
    public override string ToString() => $"{ActivityLabel} ({ActivityId}), input '{Input}'";
}

/// <summary>
/// Where a workflow variable's name is used, so a rename or a delete that would break an expression is refused. It
/// looks at every input of every activity (nested ones included): a Variable expression naming it; JavaScript that
/// reads or writes it (<c>variables.X</c>, <c>variables["X"]</c>, <c>getVariable('X')</c>, <c>setVariable('X', …)</c>,
/// Elsa's generated <c>getX()</c>/<c>setX(…)</c>); Liquid's <c>Variables.X</c>; and a variable reference
/// (<c>{"id", "name": "X"}</c>, as Elsa.SetVariable's <c>variable</c> input). It errs on the side of finding a use:
/// the same text in a string literal counts too.
/// </summary>
public static class VariableUses
{
    public static IReadOnlyList<VariableUse> Find(WorkflowDefinition definition, string name)
    {
        if (string.IsNullOrEmpty(name)) return [];
        var pattern = Pattern(name);
        var uses = new List<VariableUse>();
        foreach (var activity in definition.Activities.Where(a => a is not null))
        {
            var json = System.Text.Json.JsonSerializer.SerializeToNode(activity, WorkflowJson.Options) as JsonObject;
            if (json is null) continue;
            foreach (var (input, value) in json)
            {
                if (input is "id" or "type" or "name" or "version" or "metadata" or "customProperties") continue;
                if (Uses(value, name, pattern)) uses.Add(new VariableUse(activity.Id, activity.Label, input));
            }
        }
        return uses;
    }

    private static Regex Pattern(string name)
    {
        var n = Regex.Escape(name);
        return new Regex(
            $@"\b[Vv]ariables\s*(\?)?\.\s*{n}\b|\b[Vv]ariables\s*\[\s*['""]{n}['""]\s*\]|\b(get|set)Variable\s*\(\s*['""]{n}['""]|\b(get|set){n}\s*\(",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static bool Uses(JsonNode? node, string name, Regex pattern)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["expression"] is JsonObject && Expression.FromInput(o) is { } expression)
                {
                    if (expression.Type == Expression.Variable && expression.Text == name) return true;
                    if (expression.Type is Expression.JavaScript or Expression.Liquid && expression.Text is { } text && pattern.IsMatch(text)) return true;
                }
                // A variable reference: {"id": "...", "name": "X"}.
                if (o.ContainsKey("id") && o["name"] is JsonValue v && v.TryGetValue<string>(out var referenced) && referenced == name
                    && !o.ContainsKey("type")) return true;
                foreach (var (_, child) in o)
                    if (Uses(child, name, pattern)) return true;
                return false;
            case JsonArray a:
                foreach (var child in a)
                    if (Uses(child, name, pattern)) return true;
                return false;
            default:
                return false;
        }
    }
}
