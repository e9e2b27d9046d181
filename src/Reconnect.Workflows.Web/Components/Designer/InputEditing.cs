using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>What an input editor shows: the expression's syntax and its text (raw inputs: their JSON, syntax "Json").</summary>
public sealed record InputValue(string Syntax, string Text)
{
    public const string Json = "Json";
}

/// <summary>
/// Reading, writing and checking one input of an activity for the property panel: the typed editors show text, this
/// turns it into the Elsa JSON the engine reads (numbers as numbers, booleans as booleans, outcome lists as arrays)
/// and checks it as it is typed — JavaScript with Jint's parser (Acornima), Liquid with Fluid's, durations and dates
/// as the engine reads them.
/// </summary>
public static class InputEditing
{
    /// <summary>The syntaxes an editor offers for an input (raw inputs have none).</summary>
    public static IReadOnlyList<string> SyntaxesFor(InputDescriptor input) => input.Raw
        ? []
        : input.UiHint is "outcomes" ? [Expression.Literal, Expression.Object, Expression.JavaScript]
        : [Expression.Literal, Expression.JavaScript, Expression.Liquid, Expression.Variable, Expression.Object];

    public static InputValue Read(ActivityNode activity, InputDescriptor input)
    {
        var raw = activity.GetInputRaw(input.Name);
        if (input.Raw) return new InputValue(InputValue.Json, raw is null ? "" : raw.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var expression = Expression.FromInput(raw);
        if (expression is null) return new InputValue(input.DefaultSyntax, "");
        var text = expression.Value switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            JsonArray a when expression.Type == Expression.Literal => string.Join("\n", a.Select(x => ValueConverter.ToText(x) ?? "")),
            var other => other.ToJsonString(),
        };
        return new InputValue(expression.Type, text);
    }

    /// <summary>The items of a list input (a task's outcomes, a fork's branches), from a literal array or an Object JSON text.</summary>
    public static List<string> ReadList(ActivityNode activity, InputDescriptor input)
    {
        var expression = activity.GetInput(input.Name);
        JsonNode? value = expression?.Value;
        if (expression?.Type == Expression.Object && value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try { value = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text); }
            catch (JsonException) { value = null; }
        }
        return value is JsonArray array ? array.Select(x => ValueConverter.ToText(x) ?? "").ToList() : [];
    }

    /// <summary>Writes a list input in the form it was found in (an Object JSON text stays one), else a literal array.</summary>
    public static void WriteList(ActivityNode activity, InputDescriptor input, IReadOnlyList<string> items)
    {
        var array = new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);
        if (activity.GetInput(input.Name)?.Type == Expression.Object)
            activity.SetInput(input.Name, input.TypeName, new Expression(Expression.Object, JsonValue.Create(array.ToJsonString())));
        else activity.SetInput(input.Name, input.TypeName, new Expression(Expression.Literal, array));
    }

    /// <summary>Stores what the editor holds. Empty text removes the input, so "required" is checked by validation.</summary>
    public static void Write(ActivityNode activity, InputDescriptor input, InputValue value)
    {
        if (input.Raw)
        {
            if (string.IsNullOrWhiteSpace(value.Text)) { activity.Extra?.Remove(input.Name); return; }
            try { activity.SetInputRaw(input.Name, JsonNode.Parse(value.Text)); }
            catch (JsonException) { /* not JSON yet: the editor shows the error and keeps the old value */ }
            return;
        }
        if (string.IsNullOrEmpty(value.Text) && value.Syntax == Expression.Literal && input.UiHint is not "checkbox")
        {
            activity.Extra?.Remove(input.Name);
            return;
        }
        JsonNode? json = value.Syntax == Expression.Literal ? LiteralValue(input, value.Text) : JsonValue.Create(value.Text);
        activity.SetInput(input.Name, input.TypeName, new Expression(value.Syntax, json));
    }

    private static JsonNode? LiteralValue(InputDescriptor input, string text)
    {
        switch (input.TypeName)
        {
            case "Int32" or "Int64" when long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole):
                return JsonValue.Create(whole);
            case "Double" or "Decimal" when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return JsonValue.Create(number);
            case "Boolean" when bool.TryParse(text.Trim(), out var flag):
                return JsonValue.Create(flag);
            case "String[]":
                return new JsonArray([.. text.Split('\n').Select(s => s.Trim()).Where(s => s.Length > 0).Select(s => (JsonNode?)JsonValue.Create(s))]);
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>What is wrong with the text as typed, or null. Expressions are parsed, never run.</summary>
    public static string? Check(ExpressionEvaluator evaluator, InputDescriptor input, InputValue value)
    {
        var text = value.Text;
        if (value.Syntax == InputValue.Json)
        {
            if (string.IsNullOrWhiteSpace(text)) return input.Required ? $"{Label(input)} is required." : null;
            try { JsonNode.Parse(text); return null; }
            catch (JsonException ex) { return $"Not valid JSON: {ex.Message}"; }
        }
        if (string.IsNullOrWhiteSpace(text)) return input.Required ? $"{Label(input)} is required." : null;
        switch (value.Syntax)
        {
            case Expression.JavaScript:
            case Expression.Liquid:
            case Expression.Object:
                var error = evaluator.CheckSyntax(new Expression(value.Syntax, JsonValue.Create(text)));
                return error is null ? null : $"{value.Syntax}: {error}";
            case Expression.Variable:
                return null;
        }
        // Literals, by the kind of value the activity reads.
        return input.UiHint switch
        {
            "duration" when !ValueConverter.TryParseDuration(text.Trim(), out _) => "Not a duration: write e.g. P7D, PT12H or 7.00:00:00.",
            "date" when !IsDateOrInstant(text.Trim()) => "Not a date: write YYYY-MM-DD or an ISO 8601 instant.",
            "number" when !double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _) => "Not a number.",
            "dropdown" when input.Options is { } options && !options.Contains(text) => $"Choose one of {string.Join(", ", options)}.",
            _ => null,
        };
    }

    private static bool IsDateOrInstant(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    public static string Label(InputDescriptor input) => input.DisplayName ?? input.Name;
}
