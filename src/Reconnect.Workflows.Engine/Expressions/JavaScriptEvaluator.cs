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
/// fresh engine so one instance's globals never leak into another's. Only the names a script mentions are bound (found
/// once per script text): binding every variable and helper for a one-line condition was most of an expression's cost.
/// </summary>
public sealed partial class JavaScriptEvaluator(JavaScriptOptions options)
{
    private static readonly ScriptPreparationOptions PreparationOptions = new()
    {
        // Elsa scripts use top-level `return` ("return false;"); allow it as Elsa does.
        ParsingOptions = new ScriptParsingOptions { AllowReturnOutsideFunction = true },
    };

    private readonly ConcurrentDictionary<string, PreparedScript> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// A parsed script and the identifiers its text holds (null: it may reach any global, so bind them all).
    /// <paramref name="VariablesByName"/>: the script reads <c>variables</c> only as <c>variables.Name</c>, so the object
    /// needs just the variables it names.
    /// </summary>
    private sealed record PreparedScript(Prepared<Script> Script, HashSet<string>? Names, bool VariablesByName)
    {
        public bool Needs(string name) => Names is null || Names.Contains(name);

        public bool NeedsVariable(string name) => !VariablesByName || Names is null || Names.Contains(name);
    }

    // Names through which a script can reach a global it does not spell out.
    private static readonly string[] ReflectiveNames = ["eval", "globalThis", "this", "Function"];

    [System.Text.RegularExpressions.GeneratedRegex(@"[A-Za-z_$][A-Za-z0-9_$]*")]
    private static partial System.Text.RegularExpressions.Regex IdentifierPattern();

    // `variables` used other than as `variables.Name` (variables[x], Object.keys(variables), 'X' in variables, …).
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![A-Za-z0-9_$])variables(?![A-Za-z0-9_$])(?!\s*\.\s*[A-Za-z_$])")]
    private static partial System.Text.RegularExpressions.Regex VariablesAsAWholePattern();

    /// <summary>Every identifier-like word in the text (comments and strings too: binding one too many is harmless).</summary>
    private static HashSet<string>? NamesIn(string script)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match match in IdentifierPattern().Matches(script)) names.Add(match.Value);
        return ReflectiveNames.Any(names.Contains) ? null : names;
    }

    public JsonNode? Evaluate(string script, IExpressionContext context)
    {
        var prepared = Prepare(script);
        var engine = CreateEngine();
        var variablesObject = Bind(engine, context, prepared);
        JsValue result;
        try
        {
            result = engine.Evaluate(prepared.Script);
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
        if (variablesObject is not null) SyncVariablesBack(engine, variablesObject, context);
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

    private PreparedScript Prepare(string script)
    {
        if (script.Length > options.MaxScriptLength)
            throw new ExpressionException($"Script is longer than {options.MaxScriptLength} characters.");
        if (_cache.TryGetValue(script, out var cached)) return cached;
        try
        {
            var prepared = new PreparedScript(JsEngine.PrepareScript(script, options: PreparationOptions),
                options.BindEverything ? null : NamesIn(script),
                VariablesByName: !options.BindEverything && !VariablesAsAWholePattern().IsMatch(script));
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

    /// <summary>Binds what the script mentions; the <c>variables</c> object when it is bound (its changes are copied back).</summary>
    private static JsValue? Bind(JsEngine engine, IExpressionContext context, PreparedScript script)
    {
        var parser = new JsonParser(engine);
        JsValue FromJson(JsonNode? node) => node is null ? JsValue.Null : parser.Parse(node.ToJsonString());
        void Set(string name, Delegate value)
        {
            if (script.Needs(name)) engine.SetValue(name, value);
        }

        JsValue? variablesObject = null;
        if (script.Needs("variables"))
        {
            var variables = new JsonObject();
            foreach (var name in context.VariableNames)
            {
                if (!script.NeedsVariable(name)) continue;
                context.TryGetVariable(name, out var value);
                variables[name] = value?.DeepClone();
            }
            variablesObject = parser.Parse(variables.ToJsonString());
            engine.SetValue("variables", variablesObject);
        }
        void Mirror(string name, JsonNode? node) => variablesObject?.AsObject().Set(name, FromJson(node));

        if (script.Needs("input")) engine.SetValue("input", FromJson(context.Input));
        if (script.Needs("workflowInstanceId")) engine.SetValue("workflowInstanceId", context.InstanceId);
        if (script.Needs("correlationId")) engine.SetValue("correlationId", context.CorrelationId is null ? JsValue.Null : context.CorrelationId);

        Set("getVariable", new Func<string, JsValue>(name =>
            context.TryGetVariable(name, out var v) ? FromJson(v) : JsValue.Undefined));
        Set("setVariable", new Action<string, JsValue>((name, value) =>
        {
            var node = ToJson(engine, value);
            context.SetVariable(name, node);
            Mirror(name, node);
        }));
        Set("getInput", new Func<string, JsValue>(name =>
            context.Input.TryGetPropertyValue(name, out var v) ? FromJson(v) : JsValue.Undefined));
        Set("getLastResult", new Func<JsValue>(() => FromJson(context.LastResult)));
        Set("getOutput", new Func<string, JsValue>(name => FromJson(context.GetOutput(name))));
        Set("getWorkflowInstanceId", new Func<string>(() => context.InstanceId));
        Set("getCorrelationId", new Func<JsValue>(() => context.CorrelationId is null ? JsValue.Null : context.CorrelationId));

        // Elsa's generated accessors: getCounter()/setCounter(v) for a variable Counter, getMessage() for an input Message.
        foreach (var (key, _) in context.Input)
            DefineAccessor(engine, script, "get", key, () => new Func<JsValue>(() => context.Input.TryGetPropertyValue(key, out var v) ? FromJson(v) : JsValue.Undefined));
        foreach (var name in context.VariableNames)
        {
            var captured = name;
            DefineAccessor(engine, script, "get", captured, () => new Func<JsValue>(() => context.TryGetVariable(captured, out var v) ? FromJson(v) : JsValue.Undefined));
            DefineAccessor(engine, script, "set", captured, () => new Action<JsValue>(value =>
            {
                var node = ToJson(engine, value);
                context.SetVariable(captured, node);
                Mirror(captured, node);
            }));
        }

        Set("setOutcome", new Action<string>(outcome => context.SetOutcomes([outcome])));
        Set("setOutcomes", new Action<JsValue>(outcomes => context.SetOutcomes(ValueConverterOutcomes(engine, outcomes))));

        DateHelpers.Register(engine, context.Now, script.Needs);
        return variablesObject;
    }

    private static List<string> ValueConverterOutcomes(JsEngine engine, JsValue value) =>
        Activities.ValueConverter.ToStringList(ToJson(engine, value));

    private static void DefineAccessor(JsEngine engine, PreparedScript script, string prefix, string name, Func<Delegate> accessor)
    {
        if (!IsIdentifier(name)) return;
        var plain = prefix + name;
        var capitalised = prefix + char.ToUpperInvariant(name[0]) + name[1..];
        var needPlain = script.Needs(plain);
        var needCapitalised = capitalised != plain && script.Needs(capitalised);
        if (!needPlain && !needCapitalised) return;
        var value = accessor();
        if (needPlain) engine.SetValue(plain, value);
        if (needCapitalised) engine.SetValue(capitalised, value);
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
