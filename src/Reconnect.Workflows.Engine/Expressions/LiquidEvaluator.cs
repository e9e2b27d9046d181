using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fluid;
using Fluid.Values;

namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>
/// Liquid (Fluid) for task titles and texts. The model: <c>Variables</c>, <c>Input</c>, <c>CorrelationId</c>,
/// <c>WorkflowInstanceId</c>, <c>Today</c> (Europe/London date) and <c>Now</c>; each variable is also reachable by its bare name.
/// </summary>
public sealed partial class LiquidEvaluator
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\(\s*(-?\d{1,28})\s*\.\.\s*(-?\d{1,28})\s*\)")]
    private static partial System.Text.RegularExpressions.Regex LiteralRange();

    private static readonly FluidParser Parser = new();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _cache = new(StringComparer.Ordinal);
    private readonly TemplateOptions _options;
    private readonly LiquidLimits _limits;

    public LiquidEvaluator(LiquidLimits? limits = null)
    {
        _limits = limits ?? LiquidLimits.Default;
        _options = new TemplateOptions();
        _options.MemberAccessStrategy = new UnsafeMemberAccessStrategy();
        _options.MaxSteps = MaxSteps;
        _options.MaxRecursion = 50;
        _options.TimeZone = Time.LondonTime.TimeZoneInfo;
        LiquidFilterGuards.Apply(_options.Filters);
    }

    /// <summary>Statements (loop turns included) one render may run.</summary>
    public const int MaxSteps = 100_000;

    public string Render(string template, IExpressionContext context)
    {
        var parsed = Parse(template);
        var model = new Dictionary<string, object?>(StringComparer.Ordinal);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in context.VariableNames)
        {
            context.TryGetVariable(name, out var value);
            var plain = ToPlain(value);
            variables[name] = plain;
            model[name] = plain;
        }
        model["Variables"] = variables;
        model["Input"] = ToPlain(context.Input);
        model["CorrelationId"] = context.CorrelationId;
        model["WorkflowInstanceId"] = context.InstanceId;
        model["Today"] = Time.LondonTime.Today(context.Now).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        model["Now"] = context.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var templateContext = new TemplateContext(model, _options);
        templateContext.AmbientValues[LiquidBudget.Key] = new LiquidBudget(_limits);
        using var output = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // Synchronous underneath: no statement, filter or value in our model awaits anything.
            parsed.RenderAsync(output, NullEncoder.Default, templateContext).AsTask().GetAwaiter().GetResult();
            return output.ToString();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("maximum level of recursion", StringComparison.Ordinal))
        {
            // Fluid says "recursion" for its step counter too.
            throw new ExpressionException($"Liquid template ran more than {MaxSteps:N0} steps or nested too deeply.", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ParseException or ArgumentException or FormatException or OverflowException)
        {
            throw new ExpressionException($"Liquid error: {ex.Message}", ex);
        }
    }

    public string? CheckSyntax(string template)
    {
        try { Parse(template); return null; }
        catch (ExpressionException ex) { return ex.Message; }
    }

    private IFluidTemplate Parse(string template)
    {
        if (_cache.TryGetValue(template, out var cached)) return cached;
        if (!Parser.TryParse(template, out var parsed, out var error))
            throw new ExpressionException($"Liquid template does not parse: {error}");
        // Fluid builds a range before MaxSteps is counted, so (1..100000000) would run for many seconds first.
        foreach (System.Text.RegularExpressions.Match m in LiteralRange().Matches(template))
            if (Math.Abs(decimal.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) - decimal.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) + 1 > _limits.MaxRange)
                throw new ExpressionException($"Liquid range {m.Value} is longer than {_limits.MaxRange:N0}.");
        var guarded = new LiquidGuardRewriter().VisitTemplate(parsed);
        if (_cache.Count > 10_000) _cache.Clear();
        _cache[template] = guarded;
        return guarded;
    }

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => ToPlain(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when Activities.ValueConverter.TryGetNumber(v, out var d) => d,
        JsonValue v when v.TryGetValue<decimal>(out var m) => m,
        _ => node.ToJsonString(),
    };
}
