using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>A variable's default value as typed in the designer and as stored in the definition (numbers as numbers).</summary>
public static class VariableValues
{
    /// <summary>The value typed for a type, or why it is not one. Empty text is no default (null).</summary>
    public static JsonNode? Parse(string typeName, string? text, out string? error)
    {
        error = null;
        text = text?.Trim() ?? "";
        if (text.Length == 0) return null;
        switch (typeName)
        {
            case "Int32" or "Int64":
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)) return JsonValue.Create(whole);
                error = "Not a whole number.";
                return null;
            case "Double" or "Decimal":
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return JsonValue.Create(number);
                error = "Not a number.";
                return null;
            case "Boolean":
                if (bool.TryParse(text, out var flag)) return JsonValue.Create(flag);
                error = "Give true or false.";
                return null;
            case "Object":
                try { return JsonNode.Parse(text); }
                catch (JsonException) { return JsonValue.Create(text); } // plain text is a string value
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>The stored value as it is typed (a string without quotes, anything else as JSON).</summary>
    public static string Format(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };
}
