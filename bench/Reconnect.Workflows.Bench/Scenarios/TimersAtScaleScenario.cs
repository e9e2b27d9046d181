using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// SPEC §11 and issue #13: 10,000 timers due in the same minute fire each once, with lateness p99 ≤ 1 s and max ≤ 2 s.
/// The real server process with its configured dispatcher (Quartz: the wake-up at the next due instant, the safety poll
/// behind it; clustered on PostgreSQL, one node on SQLite); the instances are made through the API with a timer a day
/// ahead, then the workflow clock is moved so that the minute begins 10 s later. Lateness is the journal's
/// <c>timer-fired</c> instant minus the due instant (both on the workflow clock, whose offset is fixed).
/// </summary>
public sealed class TimersAtScaleScenario(string provider) : IScenario
{
    public const double GoalP99Seconds = 1;
    public const double GoalMaxSeconds = 2;

    public string Name => provider == Persistence.DatabaseProviders.PostgreSql ? "timers-postgres" : "timers-sqlite";

    public string Description => $"N timers (default 10,000) due in one minute on {(provider == Persistence.DatabaseProviders.PostgreSql ? "PostgreSQL" : "SQLite")} fire each once, lateness p99 <= 1 s, max <= 2 s (real server process)";

    internal const string Workflow = """
    {
      "id": "bench-timer:v1", "definitionId": "bench-timer", "name": "Bench: timer then task", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "wait", "type": "Elsa.StartAt", "dateTime": { "typeName": "DateTimeOffset", "expression": { "type": "JavaScript", "value": "getInput('dueAt')" } } },
        { "id": "review", "type": "Reconnect.ManagerTask",
          "title": { "typeName": "String", "expression": { "type": "Literal", "value": "Follow up" } },
          "outcomes": { "typeName": "String[]", "expression": { "type": "Literal", "value": ["Done"] } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "wait", "port": "In" } },
        { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "review", "port": "In" } }
      ] }
    }
    """;

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var n = options.TimersN;
        var postgres = provider == Persistence.DatabaseProviders.PostgreSql;
        var admin = postgres ? options.PostgresAdmin ?? throw new InvalidOperationException("timers-postgres needs PostgreSQL: --postgres \"Host=…;Username=…\" or RECONNECT_TEST_POSTGRES.") : null;
        var name = "reconnect_bench_" + Guid.NewGuid().ToString("N")[..12];
        string cs;
        if (postgres)
        {
            await ExecuteAsync(admin!, $"CREATE DATABASE \"{name}\"");
            cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        }
        else
        {
            var folderForDb = Path.Combine(Path.GetTempPath(), "reconnect-bench");
            Directory.CreateDirectory(folderForDb);
            cs = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(folderForDb, name + ".db") }.ToString();
        }
        try
        {
            var folder = ServerNode.WorkflowsFolder(("bench-timer", Workflow));
            await using var server = await ServerNode.StartAsync(options.ServerDll, provider, cs, folder);
            using var manager = await server.LoginAsync(ServerNode.ManagerEmail);
            using var adminClient = await server.LoginAsync(ServerNode.AdminEmail);

            var anchor = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
            var dueAt = Enumerable.Range(0, n).Select(i => anchor + TimeSpan.FromSeconds(60) * i / n).ToArray();
            var creating = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                await ServerNode.StartInstanceAsync(manager, "bench-timer", $"t{i}", new { dueAt = dueAt[i].ToString("O", CultureInfo.InvariantCulture) }));
            log.WriteLine($"    {Format.Count(n)} instances made through the API in {creating.Elapsed.TotalSeconds:F1} s ({n / creating.Elapsed.TotalSeconds:N0}/s)");

            var advance = (long)Math.Floor((anchor - DateTimeOffset.UtcNow).TotalSeconds) - 10;
            (await adminClient.PostAsJsonAsync("/api/testing/clock", new { advanceBy = $"PT{advance}S" })).EnsureSuccessStatusCode();
            var minuteStarts = anchor - TimeSpan.FromSeconds(advance); // real time
            log.WriteLine($"    the minute begins at {minuteStarts:HH:mm:ss} (real time); waiting for the timers");

            var deadline = minuteStarts + TimeSpan.FromSeconds(60 + 180);
            long fired;
            while ((fired = await ServerNode.ScalarAsync(provider, cs, """SELECT COUNT(*) FROM "JournalEntries" WHERE "Kind" = 'timer-fired'""")) < n
                   && DateTimeOffset.UtcNow < deadline)
                await Task.Delay(500);

            var rows = new List<(string Correlation, DateTimeOffset At)>();
            await using (var connection = ServerNode.Open(provider, cs))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    SELECT i."CorrelationId", j."At" FROM "JournalEntries" j JOIN "WorkflowInstances" i ON i."Id" = j."InstanceId"
                    WHERE j."Kind" = 'timer-fired'
                    """;
                await using var reader = await command.ExecuteReaderAsync();
                // PostgreSQL: timestamptz; SQLite: UTC ticks (DateTimeOffsetToUtcTicksConverter).
                while (await reader.ReadAsync())
                    rows.Add((reader.GetString(0), postgres
                        ? new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc))
                        : new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero)));
            }
            var perInstance = rows.GroupBy(r => r.Correlation).ToDictionary(g => g.Key, g => g.ToList());
            var twice = perInstance.Count(p => p.Value.Count > 1);
            var missing = n - perInstance.Count;
            var lateness = Enumerable.Range(0, n).Where(i => perInstance.ContainsKey($"t{i}"))
                .Select(i => (perInstance[$"t{i}"][0].At - dueAt[i]).TotalSeconds).Order().ToList();
            var lastFired = rows.Count == 0 ? TimeSpan.Zero : rows.Max(r => r.At) - anchor;
            var tasks = await ServerNode.ScalarAsync(provider, cs, """SELECT COUNT(*) FROM "Tasks" """);
            double P(double p) => lateness.Count == 0 ? double.NaN : lateness[Math.Clamp((int)Math.Ceiling(p / 100 * lateness.Count) - 1, 0, lateness.Count - 1)];
            log.WriteLine($"    fired {Format.Count(rows.Count)} (instances fired twice: {twice}, never: {missing}); tasks created {Format.Count(tasks)}; " +
                $"the last fired {lastFired.TotalSeconds:F1} s after the minute began");
            var pass = twice == 0 && missing == 0 && tasks == n && lateness.Count > 0 && P(99) <= GoalP99Seconds && lateness[^1] <= GoalMaxSeconds;
            return new ScenarioResult(Name,
                [
                    new Figure("timers", Format.Count(n)),
                    new Figure("lateness p50", $"{P(50):F2} s"),
                    new Figure("p99", $"{P(99):F2} s"),
                    new Figure("max", $"{(lateness.Count == 0 ? double.NaN : lateness[^1]):F2} s"),
                    new Figure("twice", twice.ToString(CultureInfo.InvariantCulture)),
                    new Figure("missing", missing.ToString(CultureInfo.InvariantCulture)),
                ],
                "goal: each fires once, p99 <= 1 s, max <= 2 s",
                pass,
                [$"last timer fired {lastFired.TotalSeconds:F1} s after the minute began; wake-up at each next due instant, safety poll as configured (appsettings.json Scheduling)"])
            {
                Values = new Dictionary<string, object>
                {
                    ["expected"] = n, ["fired"] = perInstance.Count, ["firedTwice"] = twice,
                    ["latenessP50Ms"] = Math.Round(P(50) * 1000), ["latenessP99Ms"] = Math.Round(P(99) * 1000),
                    ["latenessMaxMs"] = lateness.Count == 0 ? -1 : Math.Round(lateness[^1] * 1000),
                },
            };
        }
        finally
        {
            if (postgres)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(admin!, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
            else
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(cs).DataSource;
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                {
                    try { File.Delete(file + suffix); }
                    catch (IOException) { /* left for the OS to clean */ }
                }
            }
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
