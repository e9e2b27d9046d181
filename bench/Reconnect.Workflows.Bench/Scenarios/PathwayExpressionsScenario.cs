using System.Diagnostics;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// Issue 18: the referral pathway's own JavaScript expressions (every one in workflows/reconnect-referral-pathway.json),
/// evaluated against an instance's 19 variables as a step does. Ours binds only the names a script mentions; the
/// baseline binds every variable, accessor and helper for each script (<see cref="JavaScriptOptions.BindEverything"/>,
/// the way every expression was evaluated before). Rounds alternate. No goal: the figure is a step's expression cost.
/// </summary>
public sealed class PathwayExpressionsScenario : IScenario
{
    public string Name => "pathway-expressions";

    public string Description => "the referral pathway's JavaScript expressions: only the named globals bound vs everything bound (evaluations/s)";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var path = Path.Combine(ServerNode.RepositoryRoot(), "workflows", "reconnect-referral-pathway.json");
        var definition = WorkflowJson.Parse(await File.ReadAllTextAsync(path));
        var scripts = definition.Activities
            .SelectMany(a => a.Extra ?? [])
            .Select(p => Expression.FromInput(p.Value))
            .Where(e => e is { Type: Expression.JavaScript } && e.Value is JsonValue)
            .Select(e => e!)
            .ToList();
        log.WriteLine($"    {scripts.Count} JavaScript expressions, {definition.Variables.Count} variables");

        var named = new ExpressionEvaluator(new JavaScriptOptions());
        var everything = new ExpressionEvaluator(new JavaScriptOptions { BindEverything = true });
        var n = Math.Max(1_000, options.OursN / 4);
        var (ours, baseline) = await Measure.AlternatingAsync(
            "named only", k => Task.FromResult(Round(named, scripts, definition, k)),
            "everything", k => Task.FromResult(Round(everything, scripts, definition, k)),
            n, options.WarmupRounds, options.Rounds, log);
        var result = ScenarioResult.Ratio(Name, ours, "everything bound", baseline, goalRatio: 1);
        return result with { Goal = null, Pass = null };
    }

    private static RoundOutcome Round(ExpressionEvaluator evaluator, List<Expression> scripts, WorkflowDefinition definition, int n)
    {
        var context = new PathwayContext(definition);
        Measure.Settle();
        var done = 0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            try
            {
                evaluator.Evaluate(scripts[i % scripts.Count], context);
            }
            catch (ExpressionException)
            {
                // An expression that needs an activity's output this context has not got; it was still bound and run.
            }
            done++;
        }
        sw.Stop();
        return new RoundOutcome(n, done, sw.Elapsed);
    }

    /// <summary>An instance part-way along the pathway: released a week ago, every variable set.</summary>
    private sealed class PathwayContext : IExpressionContext
    {
        private readonly Dictionary<string, JsonNode?> _variables = new(StringComparer.Ordinal);

        public PathwayContext(WorkflowDefinition definition)
        {
            foreach (var v in definition.Variables) _variables[v.Name] = v.Value?.DeepClone();
            _variables["Site"] = "LEI";
            _variables["ReferralDate"] = "2026-10-01";
            _variables["ReleaseDate"] = "2026-11-29";
            _variables["ReleasedOn"] = "2026-11-29";
            _variables["Stage"] = "PostRelease";
        }

        public IEnumerable<string> VariableNames => _variables.Keys;
        public bool TryGetVariable(string name, out JsonNode? value) => _variables.TryGetValue(name, out value);
        public void SetVariable(string name, JsonNode? value) => _variables[name] = value;
        public JsonObject Input { get; } = new() { ["site"] = "LEI", ["releaseDate"] = "2026-11-29", ["date"] = "2026-11-29" };
        public string InstanceId => "bench-instance";
        public string? CorrelationId => "A1234BC";
        public DateTimeOffset Now => new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
        public JsonNode? LastResult => null;
        public JsonNode? GetOutput(string activityIdOrName) => null;
    }
}
