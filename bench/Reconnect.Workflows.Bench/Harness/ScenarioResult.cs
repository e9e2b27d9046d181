using System.Globalization;

namespace Reconnect.Workflows.Bench.Harness;

/// <summary>A benchmark scenario: measures, then says what it measured and whether the goal was met.</summary>
public interface IScenario
{
    /// <summary>The name used on the command line and in the table, e.g. <c>sequential-10</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>--list</c>.</summary>
    string Description { get; }

    Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log);
}

/// <summary>One figure of a result line: <c>ours 25,000/s</c>.</summary>
public sealed record Figure(string Label, string Text);

/// <summary>A scenario's line in the summary table. <see cref="Pass"/> is null when there is no goal to meet.</summary>
public sealed record ScenarioResult(string Name, IReadOnlyList<Figure> Figures, string? Goal, bool? Pass, IReadOnlyList<string>? Notes = null)
{
    /// <summary>The figures as numbers, for <c>--json</c> (one object per scenario, with <c>"scenario"</c> added).</summary>
    public IReadOnlyDictionary<string, object>? Values { get; init; }

    public static ScenarioResult Failed(string name, string message) => new(name, [new Figure("error", message)], null, false);

    /// <summary>The usual shape: our throughput against a baseline's, as a ratio with a minimum.</summary>
    public static ScenarioResult Ratio(string name, Throughput ours, string baselineName, Throughput baseline, double goalRatio, IReadOnlyList<string>? notes = null)
    {
        var ratio = baseline.Median > 0 ? ours.Median / baseline.Median : double.PositiveInfinity;
        var complete = ours.Complete && baseline.Complete;
        var allNotes = new List<string>(notes ?? []);
        if (!ours.Complete) allNotes.Add("ours: a round did not complete every instance (see the log above)");
        if (!baseline.Complete) allNotes.Add($"{baselineName}: a round did not complete every instance (see the log above)");
        return new ScenarioResult(name,
            [
                new Figure("ours", Format.Rate(ours.Median)),
                new Figure(baselineName, Format.Rate(baseline.Median)),
                new Figure("ratio", Format.Ratio(ratio)),
            ],
            $"goal >= {goalRatio.ToString("0.#", CultureInfo.InvariantCulture)}x",
            complete && ratio >= goalRatio,
            allNotes)
        {
            Values = new Dictionary<string, object>
            {
                ["ours"] = Math.Round(ours.Median, 1), ["baseline"] = Math.Round(baseline.Median, 1),
                ["ratio"] = double.IsInfinity(ratio) ? -1 : Math.Round(ratio, 2),
            },
        };
    }
}

public static class Format
{
    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + "/s";

    public static string Ratio(double ratio) => double.IsInfinity(ratio) ? "inf" : ratio.ToString("0.0", CultureInfo.InvariantCulture) + "x";

    public static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("N1", CultureInfo.InvariantCulture) + " ms";

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
