using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Model;

/// <summary>An input's expression: <c>{type, value}</c>. Types: Literal, Object (JSON text), JavaScript, Liquid, Variable.</summary>
public sealed record Expression(string Type, JsonNode? Value)
{
    public const string Literal = "Literal";
    public const string Object = "Object";
    public const string JavaScript = "JavaScript";
    public const string Liquid = "Liquid";
    public const string Variable = "Variable";

    public static readonly IReadOnlySet<string> SupportedTypes =
        new HashSet<string>(StringComparer.Ordinal) { Literal, Object, JavaScript, Liquid, Variable };

    /// <summary>The expression's text (scripts, templates, variable names, literal text).</summary>
    public string? Text => Value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => Value.ToJsonString(),
    };

    public static Expression OfLiteral(JsonNode? value) => new(Literal, value);
    public static Expression OfLiteral(string value) => new(Literal, JsonValue.Create(value));
    public static Expression OfJavaScript(string script) => new(JavaScript, JsonValue.Create(script));
    public static Expression OfLiquid(string template) => new(Liquid, JsonValue.Create(template));
    public static Expression OfVariable(string name) => new(Variable, JsonValue.Create(name));

    /// <summary>Reads an input in Elsa's wrapped form (<c>{typeName, expression {type, value}}</c>) or a bare value (taken as a literal).</summary>
    public static Expression? FromInput(JsonNode? input)
    {
        switch (input)
        {
            case null:
                return null;
            case JsonObject o when o.TryGetPropertyValue("expression", out var e):
                if (e is not JsonObject eo) return null;
                var type = eo["type"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : Literal;
                var hasValue = eo.TryGetPropertyValue("value", out var value);
                return hasValue ? new Expression(type, value) : new Expression(type, null);
            default:
                return new Expression(Literal, input);
        }
    }
}
