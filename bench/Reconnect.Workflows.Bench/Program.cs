using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Bench.Scenarios;

namespace Reconnect.Workflows.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Reconnect.Workflows.Bench -- [--quick] [--n N] [--wc-n N] [--rounds R]
/// [--warmup W] [--workers P] [scenario…]</c>. Prints one line per scenario with PASS / BELOW GOAL; the exit code is 0
/// whatever was measured (2 only for a command line it cannot read).
/// </summary>
public static class Program
{
    /// <summary>Every scenario, in the order they run. A new scenario is one new file under Scenarios/ and one line here.</summary>
    private static readonly IScenario[] AllScenarios =
    [
        new SequentialScenario(),
        new EventResumeScenario(),
        new PersistedScenario(Persistence.DatabaseProviders.Sqlite),
        new InboxScenario(),
        new PathwayExpressionsScenario(),
    ];

    /// <summary>Heavy scenarios that start the real server process: run only when named (bench/README.md).</summary>
    private static readonly IScenario[] OnDemandScenarios =
    [
        new PersistedScenario(Persistence.DatabaseProviders.PostgreSql),
        new TimersAtScaleScenario(Persistence.DatabaseProviders.PostgreSql),
        new TimersAtScaleScenario(Persistence.DatabaseProviders.Sqlite),
        new ServerMemoryScenario(),
        new ReferralsApiScenario(),
        new MigrateScenario(),
    ];

    public static async Task<int> Main(string[] args)
    {
        if (!TryParse(args, out var options, out var selected, out var error, out var exit))
        {
            if (error is not null) Console.Error.WriteLine(error);
            return exit;
        }

        var log = Console.Out;
        PrintHeader(options, selected, log);

        var results = new List<ScenarioResult>();
        foreach (var scenario in selected)
        {
            log.WriteLine();
            log.WriteLine($"== {scenario.Name}: {scenario.Description}");
            var sw = Stopwatch.StartNew();
            try
            {
                results.Add(await scenario.RunAsync(options, log));
            }
            catch (Exception ex)
            {
                log.WriteLine($"    {scenario.Name} failed: {ex}");
                results.Add(ScenarioResult.Failed(scenario.Name, $"{ex.GetType().Name}: {ex.Message}"));
            }
            log.WriteLine($"    ({sw.Elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s)");
        }

        log.WriteLine();
        PrintTable(results, log);
        if (options.Json)
        {
            log.WriteLine();
            foreach (var r in results) log.WriteLine(JsonLine(r));
        }
        return 0;
    }

    private static void PrintHeader(BenchOptions options, IReadOnlyList<IScenario> selected, TextWriter log)
    {
        var optimized = Assembly.GetExecutingAssembly().GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
        log.WriteLine("Reconnect.Workflows benchmarks (ratios measured in this run)");
        log.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, "
            + $"{(optimized ? "optimized (Release)" : "NOT OPTIMIZED: run with -c Release")}, GC server={System.Runtime.GCSettings.IsServerGC}");
        log.WriteLine($"  N ours={Format.Count(options.OursN)}, N WorkflowCore={Format.Count(options.WorkflowCoreN)}, warm-up rounds={options.WarmupRounds}, "
            + $"N persisted={Format.Count(options.PersistedN)}, measured rounds={options.Rounds} (median reported), workers driving ours={options.Workers}{(options.Quick ? ", --quick" : "")}");
        log.WriteLine($"  WorkflowCore options used: {WorkflowCoreHost.DescribeSettings(options.WorkflowCore)}");
        log.WriteLine($"  WorkflowCore defaults:     {WorkflowCoreHost.DescribeSettings(null)}");
        log.WriteLine($"  scenarios: {string.Join(", ", selected.Select(s => s.Name))}");
    }

    /// <summary><c>{"scenario": name, …figures}</c> on one line, numbers as numbers (bench/README.md, "--json").</summary>
    private static string JsonLine(ScenarioResult r)
    {
        var line = new System.Text.Json.Nodes.JsonObject { ["scenario"] = r.Name };
        foreach (var (key, value) in r.Values ?? new Dictionary<string, object>())
            line[key] = System.Text.Json.Nodes.JsonValue.Create(value);
        if (r.Pass is { } pass) line["pass"] = pass;
        if (r.Values is null && r.Figures.FirstOrDefault(f => f.Label == "error") is { } error) line["error"] = error.Text;
        return line.ToJsonString();
    }

    private static void PrintTable(IReadOnlyList<ScenarioResult> results, TextWriter log)
    {
        log.WriteLine("Results");
        var nameWidth = Math.Max(14, results.Count == 0 ? 0 : results.Max(r => r.Name.Length) + 2);
        foreach (var r in results)
        {
            var figures = string.Join("  ", r.Figures.Select(f => $"{f.Label} {f.Text,9}"));
            var goal = r.Goal is null ? "" : $"  ({r.Goal})";
            var verdict = r.Pass switch { true => "PASS", false => "BELOW GOAL", null => "" };
            log.WriteLine($"{r.Name.PadRight(nameWidth)}{figures}{goal}  {verdict}");
            foreach (var note in r.Notes ?? []) log.WriteLine($"{"".PadRight(nameWidth)}note: {note}");
        }
    }

    private static bool TryParse(string[] args, out BenchOptions options, out IReadOnlyList<IScenario> selected, out string? error, out int exit)
    {
        options = BenchOptions.Default;
        selected = AllScenarios;
        error = null;
        exit = 0;
        var quick = args.Contains("--quick");
        var o = quick ? BenchOptions.QuickDefaults : BenchOptions.Default;
        int? n = null, wcN = null;
        var names = new List<string>();

        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            switch (a)
            {
                case "--quick":
                    break;
                case "--json":
                    o = o with { Json = true };
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage());
                    return false;
                case "--list":
                    foreach (var s in AllScenarios.Concat(OnDemandScenarios)) Console.WriteLine($"{s.Name,-16} {s.Description}");
                    return false;
                case "--server-dll" or "--postgres":
                    if (i + 1 >= args.Length)
                    {
                        error = $"{a} needs a value.\n{Usage()}";
                        exit = 2;
                        return false;
                    }
                    o = a == "--server-dll" ? o with { ServerDll = Path.GetFullPath(args[++i]) } : o with { PostgresAdmin = args[++i] };
                    break;
                case "--n" or "--wc-n" or "--persisted-n" or "--timers-n" or "--memory-n" or "--memory-api-n" or "--referrals-n" or "--clients" or "--complete-n" or "--check-n" or "--rounds" or "--warmup" or "--workers" or "--wc-idle-ms" or "--wc-poll-ms" or "--wc-max-concurrent":
                    if (i + 1 >= args.Length || !int.TryParse(args[i + 1].Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0
                        || (value == 0 && a is not ("--warmup" or "--wc-idle-ms")))
                    {
                        error = $"{a} needs a positive whole number.\n{Usage()}";
                        exit = 2;
                        return false;
                    }
                    i++;
                    switch (a)
                    {
                        case "--n": n = value; break;
                        case "--wc-n": wcN = value; break;
                        case "--persisted-n": o = o with { PersistedN = value }; break;
                        case "--timers-n": o = o with { TimersN = value }; break;
                        case "--memory-n": o = o with { MemoryN = value }; break;
                        case "--memory-api-n": o = o with { MemoryApiN = value }; break;
                        case "--referrals-n": o = o with { ReferralsN = Math.Max(value, 1_000) }; break;
                        case "--clients": o = o with { ApiClients = value }; break;
                        case "--complete-n": o = o with { CompleteN = value }; break;
                        case "--check-n": o = o with { CheckN = value }; break;
                        case "--rounds": o = o with { Rounds = value }; break;
                        case "--warmup": o = o with { WarmupRounds = value }; break;
                        case "--workers": o = o with { Workers = value }; break;
                        case "--wc-idle-ms": o = o with { WorkflowCore = o.WorkflowCore with { IdleTime = TimeSpan.FromMilliseconds(value) } }; break;
                        case "--wc-poll-ms": o = o with { WorkflowCore = o.WorkflowCore with { PollInterval = TimeSpan.FromMilliseconds(value) } }; break;
                        case "--wc-max-concurrent": o = o with { WorkflowCore = o.WorkflowCore with { MaxConcurrentWorkflows = value } }; break;
                    }
                    break;
                default:
                    if (a.StartsWith('-'))
                    {
                        error = $"Unknown option '{a}'.\n{Usage()}";
                        exit = 2;
                        return false;
                    }
                    names.Add(a);
                    break;
            }
        }

        if (n is { } ours) o = o with { OursN = ours, WorkflowCoreN = wcN ?? Math.Max(1, ours / 4) };
        else if (wcN is { } theirs) o = o with { WorkflowCoreN = theirs };

        if (names.Count > 0)
        {
            var list = new List<IScenario>();
            foreach (var name in names)
            {
                var s = AllScenarios.Concat(OnDemandScenarios).FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
                if (s is null)
                {
                    error = $"Unknown scenario '{name}'. Scenarios: {string.Join(", ", AllScenarios.Concat(OnDemandScenarios).Select(x => x.Name))}";
                    exit = 2;
                    return false;
                }
                if (!list.Contains(s)) list.Add(s);
            }
            selected = list;
        }
        options = o;
        return true;
    }

    private static string Usage() =>
        """
        usage: dotnet run -c Release --project bench/Reconnect.Workflows.Bench -- [options] [scenario...]
          --quick        small rounds for a CI smoke run (N 2,000 ours / 500 WorkflowCore, 1 warm-up, 3 rounds)
          --n N          instances per round on our engine (WorkflowCore gets N/4 unless --wc-n is given)
          --wc-n N       instances per round on WorkflowCore
          --persisted-n N  instances per round of persisted-sqlite and persisted-postgres (default 5,000; --quick 1,000)
          --rounds R     measured rounds (the median is reported)
          --warmup W     warm-up rounds, discarded
          --workers P    concurrent callers driving our runtime, in every scenario that has callers (default: the number of cores)
          --json         after the table, one JSON object per scenario per line ("scenario" + its figures as numbers)
          --wc-idle-ms M, --wc-poll-ms M, --wc-max-concurrent K
                         WorkflowCore's IdleTime, PollInterval, MaxConcurrentWorkflows (see bench/README.md)
          --timers-n N   timers due in one minute for timers-postgres and timers-sqlite (default 10,000)
          --memory-n N   waiting instances for server-memory (default 100,000)
          --memory-api-n N  how many of them are made through the API (default 2,000; the rest are SQL copies)
          --referrals-n N  referrals-api: referrals created through the API by the clients (default 10,000; at least 1,000)
          --clients C    referrals-api: concurrent HTTP clients (default 4)
          --complete-n N referrals-api: tasks completed through the API (default 3,000)
          --check-n N    referrals-api: referrals in the database when the daily check runs (default 100,000)
          --server-dll P the built server for timers-postgres, server-memory and referrals-api
                         (default src/Reconnect.Workflows.Server/bin/Release/net10.0/Reconnect.Workflows.Server.dll)
          --postgres CS  PostgreSQL admin connection string for timers-postgres and persisted-postgres (default: $RECONNECT_TEST_POSTGRES)
          --list         list the scenarios
        Without scenario names every scenario runs except persisted-postgres, timers-postgres, timers-sqlite,
        server-memory and referrals-api (they need a PostgreSQL server or start the real server and take minutes: name them). Exit code 0 whatever was measured.
        """;
}
