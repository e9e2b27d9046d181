using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// SPEC §11: N waiting instances (default 100,000) cost the server no more than its idle working set + 100 MB. The
/// real server process on its default database (SQLite): its working set after a warm-up with nothing waiting; after
/// <c>--memory-api-n</c> instances were made through the API (the rest are SQL copies of one of them, because the API
/// makes only ~50/s on a busy 2-core machine); then restarted on the database holding all N, after the same warm-up.
/// </summary>
public sealed class ServerMemoryScenario : IScenario
{
    private const double BudgetMb = 100;

    public string Name => "server-memory";

    public string Description => "SPEC §11: working set of the server process with N waiting instances (default 100,000) vs idle + 100 MB (SQLite)";

    internal const string Workflow = """
    {
      "id": "bench-wait:v1", "definitionId": "bench-wait", "name": "Bench: wait for an event", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "go", "type": "Elsa.Event", "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "go" } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "go", "port": "In" } }
      ] }
    }
    """;

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var n = options.MemoryN;
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"memory-{Guid.NewGuid():N}.db");
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        var workflows = ServerNode.WorkflowsFolder(("bench-wait", Workflow));
        try
        {
            double idle, loaded, restarted, peakMb;
            var viaApi = Math.Min(n, options.MemoryApiN);
            string source;
            await using (var server = await ServerNode.StartAsync(options.ServerDll, "Sqlite", cs, workflows))
            {
                using var manager = await server.LoginAsync(ServerNode.ManagerEmail);
                // Warm-up: every path the measured phase uses, so JIT and pools are part of "idle" (then finished, so nothing waits).
                await ExerciseAsync(manager, "warm", 200, finish: true);
                idle = await SettledMbAsync(server);
                log.WriteLine($"    idle (after a warm-up of 200 started and finished instances): {idle:N0} MB");

                var clock = Stopwatch.StartNew();
                long peak = 0;
                using var sampling = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, server.WorkingSetBytes);
                        try { await Task.Delay(500, sampling.Token); } catch (OperationCanceledException) { }
                    }
                });
                await Parallel.ForEachAsync(Enumerable.Range(0, viaApi), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                    await ServerNode.StartInstanceAsync(manager, "bench-wait", $"m{i}"));
                await sampling.CancelAsync();
                await sampler;
                peakMb = peak / 1024.0 / 1024.0;
                log.WriteLine($"    {Format.Count(viaApi)} waiting instances made through the API in {clock.Elapsed.TotalSeconds:F0} s ({viaApi / clock.Elapsed.TotalSeconds:N0}/s); " +
                    $"largest working set while they were made: {peakMb:N0} MB");
                await ExerciseAsync(manager, "after", 20, finish: true);
                loaded = await SettledMbAsync(server);
                log.WriteLine($"    with those {Format.Count(viaApi)} waiting, in the process that made them: {loaded:N0} MB (+{loaded - idle:N0} MB)");
                source = (await ServerNode.ScalarTextAsync("Sqlite", cs, """SELECT "Id" FROM "WorkflowInstances" WHERE "CorrelationId" = 'm0'"""))!;
            }
            if (n > viaApi)
            {
                var cloning = Stopwatch.StartNew();
                await using (var connection = ServerNode.Open("Sqlite", cs))
                    await Reconnect.Workflows.Testing.SqliteInstanceCloner.CloneWaitingInstanceAsync(connection, source, "m0", n - viaApi, "c");
                log.WriteLine($"    {Format.Count(n - viaApi)} more: SQL copies of m0 (own ids and correlation ids c1…), made in {cloning.Elapsed.TotalSeconds:F0} s");
            }
            var waiting = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "WorkflowInstances" WHERE "Status" = 'Suspended'""");
            await using (var server = await ServerNode.StartAsync(options.ServerDll, "Sqlite", cs, workflows))
            {
                using var manager = await server.LoginAsync(ServerNode.ManagerEmail);
                await ExerciseAsync(manager, "restart", 200, finish: true);
                // The copies are real waiting instances: an event resumes each of these.
                foreach (var correlation in n > viaApi ? new[] { "c1", $"c{(n - viaApi) / 2}", $"c{n - viaApi}" } : ["m1"])
                {
                    var answer = await manager.PostAsJsonAsync("/api/events/go", new { correlationId = correlation });
                    if ((await answer.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["resumed"]!.GetValue<int>() != 1)
                        throw new InvalidOperationException($"The event for {correlation} resumed nothing.");
                }
                restarted = await SettledMbAsync(server);
                log.WriteLine($"    restarted on that database ({Format.Count(waiting)} waiting), same warm-up: {restarted:N0} MB (+{restarted - idle:N0} MB)");
            }
            var worst = Math.Max(loaded, restarted) - idle;
            return new ScenarioResult(Name,
                [
                    new Figure("waiting", Format.Count(waiting)),
                    new Figure("idle", $"{idle:N0} MB"),
                    new Figure("loaded", $"{loaded:N0} MB"),
                    new Figure("restarted", $"{restarted:N0} MB"),
                    new Figure("worst delta", $"{worst:N0} MB"),
                ],
                $"goal: delta <= {BudgetMb:N0} MB",
                waiting >= n && worst <= BudgetMb,
                [$"largest working set while the instances were being made (8 clients at once): {peakMb:N0} MB; the goal is about the instances waiting, after the load"]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        }
    }

    /// <summary>Starts, lists and (when asked) finishes instances: the requests a working server serves.</summary>
    private static async Task ExerciseAsync(HttpClient client, string prefix, int count, bool finish)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await ServerNode.StartInstanceAsync(client, "bench-wait", $"{prefix}{i}"));
        (await client.GetAsync("/api/workflow-instances?status=Suspended&pageSize=200")).EnsureSuccessStatusCode();
        if (finish)
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                (await client.PostAsJsonAsync("/api/events/go", new { correlationId = $"{prefix}{i}" }, ct)).EnsureSuccessStatusCode());
    }

    /// <summary>The working set once the process has been left alone for a few seconds (the largest of three looks).</summary>
    private static async Task<double> SettledMbAsync(ServerNode server)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        var samples = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            samples.Add(server.WorkingSetBytes);
            await Task.Delay(1000);
        }
        return samples.Max() / 1024.0 / 1024.0;
    }
}
