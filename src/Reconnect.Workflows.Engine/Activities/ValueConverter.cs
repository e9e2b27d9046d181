using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Engine.Activities;

/// <summary>Conversions from expression results (JSON values) to what activities need, with messages a person can act on.</summary>
public static class ValueConverter
{
    public static string? ToText(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        _ => value.ToJsonString(),
    };

    public static bool ToBool(JsonNode? value) => value switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Trim().ToLowerInvariant() switch
        {
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" or "" => false,
            _ => throw new FormatException($"'{s}' is not a boolean."),
        },
        JsonValue v when TryGetNumber(v, out var d) => d != 0,
        _ => true,
    };

    /// <summary>A JSON number whatever CLR type backs it (a JsonValue made from an int does not answer TryGetValue&lt;long&gt;).</summary>
    public static bool TryGetNumber(JsonValue value, out double number)
    {
        number = 0;
        return value.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    public static long? ToInteger(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when TryGetNumber(v, out var d) => (long)d,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => p,
        _ => throw new FormatException($"'{ToText(value)}' is not a whole number."),
    };

    /// <summary>A duration: <c>"2.00:00:00"</c> (.NET), <c>"P2D"</c>/<c>"PT1H"</c> (ISO 8601), or a number of seconds.</summary>
    public static TimeSpan ToTimeSpan(JsonNode? value)
    {
        if (value is JsonValue number && TryGetNumber(number, out var seconds)) return TimeSpan.FromSeconds(seconds);
        var text = ToText(value)?.Trim();
        if (TryParseDuration(text, out var span)) return span;
        throw new FormatException($"'{text}' is not a duration (use \"2.00:00:00\" or ISO 8601 such as \"P2D\").");
    }

    public static bool TryParseDuration(string? text, out TimeSpan span)
    {
        span = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal))
        {
            try
            {
                span = XmlConvert.ToTimeSpan(text);
                return true;
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                return false;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out span);
    }

    /// <summary>An instant: ISO 8601 instant, or a date (start of that day in Europe/London).</summary>
    public static DateTimeOffset ToInstant(JsonNode? value)
    {
        var text = ToText(value);
        if (LondonTime.TryParseInstant(text, out var instant)) return instant;
        throw new FormatException($"'{text}' is not a date or instant (use ISO 8601, e.g. 2027-01-15 or 2027-01-15T09:00:00Z).");
    }

    /// <summary>A list of strings from a JSON array, a JSON text of an array, or a comma-separated text.</summary>
    public static List<string> ToStringList(JsonNode? value)
    {
        switch (value)
        {
            case null:
                return [];
            case JsonArray array:
                return array.Select(x => ToText(x) ?? "").ToList();
            default:
                var text = ToText(value)?.Trim() ?? "";
                if (text.StartsWith('['))
                {
                    try
                    {
                        if (JsonNode.Parse(text) is JsonArray parsed) return ToStringList(parsed);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        // fall through to comma-separated
                    }
                }
                return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }
    }

    /// <summary>Converts a value to a variable's declared type (Int32 "0" → 0), leaving it alone where the type is open.</summary>
    public static JsonNode? ToVariableType(JsonNode? value, string? typeName)
    {
        if (value is null) return null;
        switch (typeName)
        {
            case "Int32" or "Int64" or "Int16":
                return ToInteger(value) is { } l ? JsonValue.Create(l) : null;
            case "Double" or "Decimal" or "Single":
                if (value is JsonValue dv && TryGetNumber(dv, out var d)) return JsonValue.Create(d);
                return double.TryParse(ToText(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var pd) ? JsonValue.Create(pd) : value;
            case "Boolean":
                return JsonValue.Create(ToBool(value));
            case "String":
                return value is JsonValue ? JsonValue.Create(ToText(value)) : JsonValue.Create(value.ToJsonString());
            default:
                return value;
        }
    }
}
