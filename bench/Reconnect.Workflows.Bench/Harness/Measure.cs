using System.Diagnostics;
using System.Globalization;

namespace Reconnect.Workflows.Bench.Harness;

/// <summary>What one round did: how many instances it asked for, how many reached the end, and the time between.</summary>
public readonly record struct RoundOutcome(int Requested, int Completed, TimeSpan Elapsed, string? Detail = null)
{
    public double Rate => Elapsed > TimeSpan.Zero ? Completed / Elapsed.TotalSeconds : 0;
    public bool Complete => Completed == Requested;
}

/// <summary>The measured rounds of one contestant; the median is what the table reports.</summary>
public sealed record Throughput(string Label, IReadOnlyList<RoundOutcome> Rounds)
{
    public double Median
    {
        get
        {
            var rates = Rounds.Select(r => r.Rate).Order().ToArray();
            if (rates.Length == 0) return 0;
            var mid = rates.Length / 2;
            return rates.Length % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
        }
    }

    public double Min => Rounds.Count == 0 ? 0 : Rounds.Min(r => r.Rate);
    public double Max => Rounds.Count == 0 ? 0 : Rounds.Max(r => r.Rate);
    public bool Complete => Rounds.All(r => r.Complete);
}

/// <summary>
/// Runs warm-up rounds (discarded), then measured rounds, and reports the median rate. A round does its own set-up
/// (fresh store, fresh host) and times only the work itself with <see cref="Stopwatch"/>; call <see cref="Settle"/>
/// between set-up and the stopwatch so a garbage collection owed by the set-up is not billed to the round.
/// </summary>
public static class Measure
{
    public static async Task<Throughput> ThroughputAsync(
        string label, int n, int warmupRounds, int rounds, Func<int, Task<RoundOutcome>> round, TextWriter log)
    {
        var warmupN = Math.Max(1, Math.Min(n, Math.Max(n / 4, 500)));
        for (var i = 0; i < warmupRounds; i++)
        {
            var w = await round(warmupN);
            log.WriteLine($"    {label,-14} warm-up {i + 1}/{warmupRounds}: {Describe(w)}");
        }
        var results = new List<RoundOutcome>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            var r = await round(n);
            results.Add(r);
            log.WriteLine($"    {label,-14} round   {i + 1}/{rounds}: {Describe(r)}");
        }
        var t = new Throughput(label, results);
        log.WriteLine($"    {label,-14} median {Format.Rate(t.Median)} (min {Format.Rate(t.Min)}, max {Format.Rate(t.Max)})");
        return t;
    }

    /// <summary>Two contestants measured round by round in turn (A B, B A, A B, …) after their warm-ups, each with its own median.</summary>
    public static async Task<(Throughput A, Throughput B)> AlternatingAsync(
        string labelA, Func<int, Task<RoundOutcome>> roundA, string labelB, Func<int, Task<RoundOutcome>> roundB,
        int n, int warmupRounds, int rounds, TextWriter log)
    {
        var warmupN = Math.Max(1, Math.Min(n, Math.Max(n / 4, 500)));
        for (var i = 0; i < warmupRounds; i++)
        {
            log.WriteLine($"    {labelA,-14} warm-up {i + 1}/{warmupRounds}: {Describe(await roundA(warmupN))}");
            log.WriteLine($"    {labelB,-14} warm-up {i + 1}/{warmupRounds}: {Describe(await roundB(warmupN))}");
        }
        var a = new List<RoundOutcome>(rounds);
        var b = new List<RoundOutcome>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            // A B, B A, A B, …: neither always goes first.
            foreach (var first in i % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var r = first ? await roundA(n) : await roundB(n);
                (first ? a : b).Add(r);
                log.WriteLine($"    {(first ? labelA : labelB),-14} round   {i + 1}/{rounds}: {Describe(r)}");
            }
        }
        var ta = new Throughput(labelA, a);
        var tb = new Throughput(labelB, b);
        log.WriteLine($"    {labelA,-14} median {Format.Rate(ta.Median)} (min {Format.Rate(ta.Min)}, max {Format.Rate(ta.Max)})");
        log.WriteLine($"    {labelB,-14} median {Format.Rate(tb.Median)} (min {Format.Rate(tb.Min)}, max {Format.Rate(tb.Max)})");
        return (ta, tb);
    }

    private static string Describe(RoundOutcome r) =>
        $"{Format.Count(r.Completed)}/{Format.Count(r.Requested)} in {r.Elapsed.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)} ms = {Format.Rate(r.Rate)}"
        + (r.Detail is null ? "" : $"  ({r.Detail})") + (r.Complete ? "" : "  INCOMPLETE");

    /// <summary>Collects garbage left by set-up or the previous round, outside the timed section.</summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for indices 0..n-1 on <paramref name="workers"/> concurrent callers (each takes the next
    /// index from a shared counter) and returns how many calls answered true.
    /// </summary>
    public static async Task<int> ForEachAsync(int n, int workers, Func<int, ValueTask<bool>> body)
    {
        var next = -1;
        var succeeded = 0;
        var tasks = new Task[Math.Max(1, workers)];
        for (var w = 0; w < tasks.Length; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                var mine = 0;
                int i;
                while ((i = Interlocked.Increment(ref next)) < n)
                    if (await body(i)) mine++;
                Interlocked.Add(ref succeeded, mine);
            });
        }
        await Task.WhenAll(tasks);
        return succeeded;
    }
}
