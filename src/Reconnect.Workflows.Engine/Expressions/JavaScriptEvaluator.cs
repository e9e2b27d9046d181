using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Jint;
using JsEngine = Jint.Engine;
using Script = Acornima.Ast.Script;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>
/// JavaScript on Jint: an interpreter, so there is no compiler warm-up (Elsa #6496), and it runs inside limits on time,
/// memory, statements and recursion with no access to the CLR. Parsed scripts are cached by text. Each evaluation gets a
/// fresh engine so one instance's globals never leak into another's.
/// </summary>
public sealed class JavaScriptEvaluator(JavaScriptOptions options)
{
    private static readonly ScriptPreparationOptions PreparationOptions = new()
    {
        // Elsa scripts use top-level `return` ("return false;"); allow it as Elsa does.
        ParsingOptions = new ScriptParsingOptions { AllowReturnOutsideFunction = true },
    };

    private readonly ConcurrentDictionary<string, Prepared<Script>> _cache = new(StringComparer.Ordinal);

    public JsonNode? Evaluate(string script, IExpressionContext context)
    {
        var prepared = Prepare(script);
        var engine = CreateEngine();
        var variablesObject = Bind(engine, context);
        JsValue result;
        try
        {
            result = engine.Evaluate(prepared);
        }
        catch (JavaScriptException ex)
        {
            throw new ExpressionException($"Script error: {ex.Error}{Location(ex)}", ex);
        }
        catch (TimeoutException ex)
        {
            throw new ExpressionException($"Script ran longer than {options.Timeout.TotalSeconds:0.###} s and was stopped.", ex);
        }
        catch (MemoryLimitExceededException ex)
        {
            throw new ExpressionException($"Script used more than {options.MemoryLimitBytes / (1024 * 1024)} MB and was stopped.", ex);
        }
        catch (StatementsCountOverflowException ex)
        {
            throw new ExpressionException($"Script ran more than {options.MaxStatements} statements and was stopped.", ex);
        }
        catch (RecursionDepthOverflowException ex)
        {
            throw new ExpressionException("Script recursed too deeply and was stopped.", ex);
        }
        catch (JintException ex)
        {
            throw new ExpressionException($"Script error: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new ExpressionException($"Script error: {ex.Message}", ex);
        }
        SyncVariablesBack(engine, variablesObject, context);
        return ToJson(engine, result);
    }

    /// <summary>Null when the script parses, else the parser's message.</summary>
    public string? CheckSyntax(string script)
    {
        try
        {
            Prepare(script);
            return null;
        }
        catch (ExpressionException ex)
        {
            return ex.Message;
        }
    }

    private Prepared<Script> Prepare(string script)
    {
        if (script.Length > options.MaxScriptLength)
            throw new ExpressionException($"Script is longer than {options.MaxScriptLength} characters.");
        if (_cache.TryGetValue(script, out var cached)) return cached;
        try
        {
            var prepared = JsEngine.PrepareScript(script, options: PreparationOptions);
            // Bound the cache: scripts come from definitions, so the set is small; a flood of distinct texts (hostile input) must not grow memory without end.
            if (_cache.Count > 10_000) _cache.Clear();
            _cache[script] = prepared;
            return prepared;
        }
        catch (Exception ex) when (ex is not ExpressionException)
        {
            throw new ExpressionException($"Script does not parse: {ex.Message}", ex);
        }
    }

    private JsEngine CreateEngine() => new(o =>
    {
        o.LimitMemory(options.MemoryLimitBytes);
        o.TimeoutInterval(options.Timeout);
        o.MaxStatements(options.MaxStatements);
        o.LimitRecursion(options.MaxRecursionDepth);
        o.Strict = false;
        o.Culture = CultureInfo.InvariantCulture;
        o.TimeZone = LondonTime.TimeZoneInfo;
    });

    private static string Location(JavaScriptException ex) =>
        ex.Location.Start.Line > 0 ? $" (line {ex.Location.Start.Line}, column {ex.Location.Start.Column})" : "";

    private static JsValue Bind(JsEngine engine, IExpressionContext context)
    {
        var parser = new JsonParser(engine);
        JsValue FromJson(JsonNode? node) => node is null ? JsValue.Null : parser.Parse(node.ToJsonString());

        var variables = new JsonObject();
        foreach (var name in context.VariableNames)
        {
            context.TryGetVariable(name, out var value);
            variables[name] = value?.DeepClone();
        }
        var variablesObject = parser.Parse(variables.ToJsonString());
        engine.SetValue("variables", variablesObject);
        engine.SetValue("input", FromJson(context.Input));
        engine.SetValue("workflowInstanceId", context.InstanceId);
        engine.SetValue("correlationId", context.CorrelationId is null ? JsValue.Null : context.CorrelationId);

        engine.SetValue("getVariable", new Func<string, JsValue>(name =>
            context.TryGetVariable(name, out var v) ? FromJson(v) : JsValue.Undefined));
        engine.SetValue("setVariable", new Action<string, JsValue>((name, value) =>
        {
            var node = ToJson(engine, value);
            context.SetVariable(name, node);
            variablesObject.AsObject().Set(name, FromJson(node));
        }));
        engine.SetValue("getInput", new Func<string, JsValue>(name =>
            context.Input.TryGetPropertyValue(name, out var v) ? FromJson(v) : JsValue.Undefined));
        engine.SetValue("getLastResult", new Func<JsValue>(() => FromJson(context.LastResult)));
        engine.SetValue("getOutput", new Func<string, JsValue>(name => FromJson(context.GetOutput(name))));
        engine.SetValue("getWorkflowInstanceId", new Func<string>(() => context.InstanceId));
        engine.SetValue("getCorrelationId", new Func<JsValue>(() => context.CorrelationId is null ? JsValue.Null : context.CorrelationId));

        // Elsa's generated accessors: getCounter()/setCounter(v) for a variable Counter, getMessage() for an input Message.
        foreach (var (key, _) in context.Input)
            DefineAccessor(engine, "get", key, new Func<JsValue>(() => context.Input.TryGetPropertyValue(key, out var v) ? FromJson(v) : JsValue.Undefined));
        foreach (var name in context.VariableNames)
        {
            var captured = name;
            DefineAccessor(engine, "get", captured, new Func<JsValue>(() => context.TryGetVariable(captured, out var v) ? FromJson(v) : JsValue.Undefined));
            DefineAccessor(engine, "set", captured, new Action<JsValue>(value =>
            {
                var node = ToJson(engine, value);
                context.SetVariable(captured, node);
                variablesObject.AsObject().Set(captured, FromJson(node));
            }));
        }

        engine.SetValue("setOutcome", new Action<string>(outcome => context.SetOutcomes([outcome])));
        engine.SetValue("setOutcomes", new Action<JsValue>(outcomes => context.SetOutcomes(ValueConverterOutcomes(engine, outcomes))));

        DateHelpers.Register(engine, context.Now);
        return variablesObject;
    }

    private static List<string> ValueConverterOutcomes(JsEngine engine, JsValue value) =>
        Activities.ValueConverter.ToStringList(ToJson(engine, value));

    private static void DefineAccessor(JsEngine engine, string prefix, string name, Delegate accessor)
    {
        if (!IsIdentifier(name)) return;
        engine.SetValue(prefix + name, accessor);
        var capitalised = char.ToUpperInvariant(name[0]) + name[1..];
        if (capitalised != name) engine.SetValue(prefix + capitalised, accessor);
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$');

    /// <summary>Scripts may assign <c>variables.X = …</c>; copy such changes back to the instance.</summary>
    private static void SyncVariablesBack(JsEngine engine, JsValue variablesObject, IExpressionContext context)
    {
        if (!variablesObject.IsObject()) return;
        var obj = variablesObject.AsObject();
        foreach (var key in obj.GetOwnPropertyKeys())
        {
            var name = key.ToString();
            var node = ToJson(engine, obj.Get(key));
            context.TryGetVariable(name, out var current);
            if (!JsonNode.DeepEquals(node, current)) context.SetVariable(name, node);
        }
    }

    internal static JsonNode? ToJson(JsEngine engine, JsValue value)
    {
        if (value.IsNull() || value.IsUndefined()) return null;
        if (value.IsBoolean()) return JsonValue.Create(value.AsBoolean());
        if (value.IsString()) return JsonValue.Create(value.AsString());
        if (value.IsNumber())
        {
            var d = value.AsNumber();
            if (double.IsNaN(d) || double.IsInfinity(d)) return null;
            if (Math.Abs(d) < 9e15 && d == Math.Floor(d)) return JsonValue.Create((long)d);
            return JsonValue.Create(d);
        }
        if (value.IsDate())
            return JsonValue.Create(new DateTimeOffset(value.AsDate().ToDateTime().ToUniversalTime(), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture));
        var json = new JsonSerializer(engine).Serialize(value, JsValue.Undefined, JsValue.Undefined);
        return json.IsString() ? JsonNode.Parse(json.AsString()) : null;
    }
}
