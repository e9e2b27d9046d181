using System.Text.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>Evaluates every expression kind to a JSON value (the one value model used for variables, inputs and state).</summary>
public sealed class ExpressionEvaluator
{
    private readonly JavaScriptEvaluator _javaScript;
    private readonly LiquidEvaluator _liquid;

    public ExpressionEvaluator(JavaScriptOptions? javaScriptOptions = null)
    {
        _javaScript = new JavaScriptEvaluator(javaScriptOptions ?? new JavaScriptOptions());
        _liquid = new LiquidEvaluator();
    }

    public JavaScriptEvaluator JavaScript => _javaScript;
    public LiquidEvaluator Liquid => _liquid;

    public JsonNode? Evaluate(Expression? expression, IExpressionContext context)
    {
        if (expression is null) return null;
        switch (expression.Type)
        {
            case Expression.Literal:
                return expression.Value?.DeepClone();
            case Expression.Object:
                return ParseObject(expression.Value);
            case Expression.Variable:
                var name = expression.Text ?? "";
                if (!context.TryGetVariable(name, out var value))
                    throw new ExpressionException($"Variable '{name}' is not defined.");
                return value?.DeepClone();
            case Expression.JavaScript:
                return _javaScript.Evaluate(expression.Text ?? "", context);
            case Expression.Liquid:
                return JsonValue.Create(_liquid.Render(expression.Text ?? "", context));
            default:
                throw new ExpressionException($"Expression type '{expression.Type}' is not supported (supported: {string.Join(", ", Expression.SupportedTypes)}).");
        }
    }

    /// <summary>Checks that an expression parses, without running it. Returns null when it does, else the message.</summary>
    public string? CheckSyntax(Expression expression) => expression.Type switch
    {
        Expression.Literal or Expression.Variable => null,
        Expression.Object => TryParseObject(expression.Value, out var error) ? null : error,
        Expression.JavaScript => _javaScript.CheckSyntax(expression.Text ?? ""),
        Expression.Liquid => _liquid.CheckSyntax(expression.Text ?? ""),
        "CSharp" or "C#" => "C# expressions are refused: they run with the server's full rights and there is no sandbox we trust; use JavaScript",
        "Python" => "Python expressions are refused: there is no sandbox we trust for them; use JavaScript",
        _ => $"expression type '{expression.Type}' is not supported (supported: {string.Join(", ", Expression.SupportedTypes)})",
    };

    private static JsonNode? ParseObject(JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return JsonNode.Parse(text); }
            catch (JsonException ex) { throw new ExpressionException($"Object expression is not valid JSON: {ex.Message}", ex); }
        }
        return value?.DeepClone();
    }

    private static bool TryParseObject(JsonNode? value, out string? error)
    {
        try { ParseObject(value); error = null; return true; }
        catch (ExpressionException ex) { error = ex.Message; return false; }
    }
}
