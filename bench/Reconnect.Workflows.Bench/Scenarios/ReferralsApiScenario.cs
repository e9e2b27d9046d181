using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// Issue #18: the service's own paths through the real server process on SQLite (WAL, synchronous FULL, the server's
/// defaults), as a load test would drive them.
/// <list type="number">
/// <item>Creating referrals through <c>POST /api/referrals</c>: one client (its p50 latency), then
/// <c>--referrals-n</c> (10,000) by <c>--workers</c> (4) clients; the rate over the first 500 and the last 500 of them.</item>
/// <item>Completing their "First contact" tasks through <c>POST /api/tasks/{id}/complete</c> by the same number of
/// clients (the three site navigators; the fourth shares a site), with the referrals open.</item>
/// <item>The daily follow-up check over <c>--check-n</c> (100,000) referrals: the rest are SQL copies of referrals and tasks
/// made above (some with a release date passed and nothing recorded, some tasks long overdue), the check triggered
/// through <c>POST /api/schedules/daily-follow-up-check/trigger</c>; its time from the run's <c>ScheduleRuns</c> row (what the
/// schedules page shows), and the longest write transaction it held as the longest a probe writer on a second
/// connection waited for <c>BEGIN IMMEDIATE</c> while it ran.</item>
/// </list>
/// </summary>
public sealed class ReferralsApiScenario : IScenario
{
    private const double GoalCreatePerSec = 250, GoalFlatRatio = 0.85, GoalP50Ms = 5, GoalCompletePerSec = 250, GoalCheckSeconds = 30, GoalHoldMs = 1000;
    private const int Edge = 500;
    private static readonly string[] Sites = ["LEI", "NHI", "WEI"];
    private static readonly string[] HealthNeeds = ["MentalHealth"];

    public string Name => "referrals-api";

    public string Description => "issue #18: POST /api/referrals and task completion through the real server on SQLite FULL, and the daily check over 100,000 referrals";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var n = options.ReferralsN;
        var clients = options.ApiClients;
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"referrals-{Guid.NewGuid():N}.db");
        // The server's own connection string shape (pooled), only the file differs.
        var cs = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
        var workflows = Path.Combine(ServerNode.RepositoryRoot(), "workflows");
        var notes = new List<string>();
        try
        {
            await using var server = await ServerNode.StartAsync(options.ServerDll, "Sqlite", cs, workflows,
                new Dictionary<string, string>
                {
                    ["Seed__DemoReferrals"] = "0",
                    // One demo navigator per site carries every referral here: with the default caseload limit (25) all but
                    // the first 75 would wait in the site queue with an "Allocate navigator" task, and no "First contact"
                    // tasks would be assigned for the completion phase.
                    ["Reconnect__Caseload__MaxOpenReferrals"] = "1000000",
                });
            var synchronous = await ServerNode.ScalarAsync("Sqlite", cs, "PRAGMA synchronous");
            var journal = await ServerNode.ScalarTextAsync("Sqlite", cs, "PRAGMA journal_mode");
            log.WriteLine($"    SQLite file {file}: journal_mode={journal}, synchronous={synchronous} (2 = FULL) on a fresh connection; the server sets only WAL");

            using var manager = await server.LoginAsync(ServerNode.ManagerEmail);
            var counter = 0;
            string NextPrisonNumber()
            {
                var i = Interlocked.Increment(ref counter);
                // A letter, four digits, two letters: unique for up to 26 × 10,000 × 26 referrals.
                return $"{(char)('A' + i / 10_000 % 26)}{i % 10_000:0000}{(char)('A' + i / 260_000 % 26)}B";
            }

            // Warm-up: JIT, pools, Jint's script cache.
            for (var i = 0; i < 100; i++) await CreateAsync(manager, NextPrisonNumber(), Sites[i % 3]);

            // One client: latency.
            var single = new List<double>(Edge);
            for (var i = 0; i < Edge; i++)
            {
                var sw = Stopwatch.StartNew();
                await CreateAsync(manager, NextPrisonNumber(), Sites[i % 3]);
                single.Add(sw.Elapsed.TotalMilliseconds);
            }
            var p50 = Percentile(single, 0.50);
            var singleRate = Edge / (single.Sum() / 1000);
            log.WriteLine($"    create x1: {Edge} referrals, p50 {p50:0.00} ms, p95 {Percentile(single, 0.95):0.00} ms, p99 {Percentile(single, 0.99):0.00} ms ({singleRate:N0}/s)");

            // N by the clients: the instant each creation answered, in order.
            var httpClients = new List<HttpClient> { manager };
            for (var c = 1; c < clients; c++) httpClients.Add(await server.LoginAsync(ServerNode.ManagerEmail));
            var done = new double[n];
            var finished = -1;
            var clock = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(httpClients.Select(client => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < n)
                {
                    await CreateAsync(client, NextPrisonNumber(), Sites[i % 3]);
                    done[Interlocked.Increment(ref finished)] = clock.Elapsed.TotalSeconds;
                }
            })));
            var total = clock.Elapsed.TotalSeconds;
            var perSec = n / total;
            var first = Edge / done[Edge - 1];
            var last = Edge / (done[n - 1] - done[n - 1 - Edge]);
            log.WriteLine($"    create x{clients}: {Format.Count(n)} in {total:N1} s = {perSec:N0}/s; first {Edge}: {first:N0}/s; last {Edge}: {last:N0}/s ({last / first:P0} of the first)");
            for (var k = 1; k <= 10; k++)
            {
                var end = n * k / 10 - 1;
                var start = n * (k - 1) / 10;
                log.WriteLine($"      referrals {start + 1,6}-{end + 1,6}: {(end - start) / (done[end] - (start == 0 ? 0 : done[start - 1])):N0}/s");
            }

            // Completing tasks: the site navigators' "First contact" tasks, the referrals open.
            var open = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Referrals" WHERE "ClosedAt" IS NULL""");
            var completeN = Math.Min(options.CompleteN, n);
            var queues = new Dictionary<string, ConcurrentQueue<string>>();
            foreach (var site in Sites)
            {
                var ids = new List<string>();
                await using (var connection = ServerNode.Open("Sqlite", cs))
                await using (var command = connection.CreateCommand())
                {
                    command.CommandText = $"""SELECT "Id" FROM "Tasks" WHERE "Site" = '{site}' AND "Status" = 'Open' AND "ActivityId" = 'firstContact' AND "Assignee" IS NOT NULL ORDER BY "Id" LIMIT {completeN / Sites.Length}""";
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
                }
                queues[site] = new ConcurrentQueue<string>(ids);
            }
            var toComplete = queues.Values.Sum(q => q.Count);
            var navigators = new List<(HttpClient Client, string Site)>();
            for (var c = 0; c < clients; c++)
            {
                var site = Sites[c % Sites.Length];
                navigators.Add((await server.LoginAsync($"navigator.{site.ToLowerInvariant()}@reconnect.test"), site));
            }
            var completed = 0;
            var failures = 0;
            clock.Restart();
            await Task.WhenAll(navigators.Select(nav => Task.Run(async () =>
            {
                while (queues[nav.Site].TryDequeue(out var id))
                {
                    var response = await nav.Client.PostAsJsonAsync($"/api/tasks/{id}/complete", new { outcome = "Engaged" });
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref completed);
                    else Interlocked.Increment(ref failures);
                }
            })));
            var completeSeconds = clock.Elapsed.TotalSeconds;
            var completePerSec = completed / completeSeconds;
            log.WriteLine($"    complete x{clients}: {Format.Count(completed)}/{Format.Count(toComplete)} tasks in {completeSeconds:N1} s = {completePerSec:N0}/s at {Format.Count(open)} open referrals ({failures} not OK)");
            foreach (var nav in navigators) nav.Client.Dispose();

            // The daily check over --check-n referrals.
            var (checkSeconds, holdMs, checkMessage, checkSucceeded) = await DailyCheckAsync(server, cs, options.CheckN, log);
            foreach (var c in httpClients.Skip(1)) c.Dispose();

            var createOk = perSec >= GoalCreatePerSec && last >= GoalFlatRatio * first && p50 <= GoalP50Ms;
            var pass = createOk && completePerSec >= GoalCompletePerSec && completed == toComplete
                && checkSucceeded && checkSeconds <= GoalCheckSeconds && holdMs <= GoalHoldMs;
            notes.Add($"create x1 p50 {p50:0.00} ms (goal <= {GoalP50Ms} ms); last {Edge} / first {Edge} = {last / first:P0} (goal >= {GoalFlatRatio:P0})");
            notes.Add($"complete x{clients} {completePerSec:N0}/s (goal >= {GoalCompletePerSec}/s) at {Format.Count(open)} open referrals");
            notes.Add($"daily check over {Format.Count(options.CheckN)} referrals: {checkSeconds:N1} s (goal <= {GoalCheckSeconds} s), longest write hold seen {holdMs:N0} ms (goal <= {GoalHoldMs} ms); schedules page: {checkMessage}");
            return new ScenarioResult(Name,
                [
                    new Figure("create", Format.Rate(perSec)),
                    new Figure("first500", Format.Rate(first)),
                    new Figure("last500", Format.Rate(last)),
                    new Figure("p50 x1", $"{p50:0.00} ms"),
                    new Figure("complete", Format.Rate(completePerSec)),
                    new Figure("check", $"{checkSeconds:N1} s"),
                ],
                $"goal create >= {GoalCreatePerSec}/s, flat >= {GoalFlatRatio:P0}, p50 <= {GoalP50Ms} ms, complete >= {GoalCompletePerSec}/s, check <= {GoalCheckSeconds} s, hold <= {GoalHoldMs} ms",
                pass,
                notes)
            {
                Values = new Dictionary<string, object>
                {
                    ["clients"] = clients,
                    ["first500PerSec"] = Math.Round(first, 1),
                    ["last500PerSec"] = Math.Round(last, 1),
                    ["perSec"] = Math.Round(perSec, 1),
                    ["p50Ms"] = Math.Round(p50, 2),
                    ["completePerSec"] = Math.Round(completePerSec, 1),
                    ["checkReferrals"] = options.CheckN,
                    ["checkSeconds"] = Math.Round(checkSeconds, 1),
                    ["checkMaxWriteHoldMs"] = Math.Round(holdMs, 0),
                },
            };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try { File.Delete(file + suffix); }
                catch (IOException) { /* left for the OS to clean */ }
            }
        }
    }

    private static async Task CreateAsync(HttpClient client, string prisonNumber, string site)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var response = await client.PostAsJsonAsync("/api/referrals", new
        {
            person = new { givenName = "Bench", familyName = "Example", dateOfBirth = "1980-01-01", prisonNumber },
            site,
            releaseDate = today.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            releaseType = "ConditionalRelease",
            referralSource = "PrisonHealthcare",
            healthNeeds = HealthNeeds,
            consent = new { given = true },
        });
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/referrals answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Grows the database to <paramref name="target"/> referrals with SQL copies of the open ones (each with its open
    /// task): a fifth with the release date three weeks past and nothing recorded, a fifth with the task ten days
    /// overdue. Then triggers the check and waits for its run row; a probe writer measures the longest write hold.
    /// </summary>
    private static async Task<(double Seconds, double HoldMs, string Message, bool Succeeded)> DailyCheckAsync(ServerNode server, string cs, int target, TextWriter log)
    {
        var existing = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Referrals" """);
        var copies = Math.Max(0, target - (int)existing);
        var seeding = Stopwatch.StartNew();
        await using (var connection = (SqliteConnection)ServerNode.Open("Sqlite", cs))
        {
            await Exec(connection, "PRAGMA busy_timeout = 60000");
            var referralColumns = await ColumnsAsync(connection, "Referrals");
            var taskColumns = await ColumnsAsync(connection, "Tasks");
            var nowTicks = DateTimeOffset.UtcNow.UtcTicks;
            // The open referrals made through the API, numbered 0..m-1 (an integer key, so each copy finds its source by a lookup).
            await Exec(connection, """CREATE TEMP TABLE bench_source (n INTEGER PRIMARY KEY, id TEXT NOT NULL)""");
            await Exec(connection, """INSERT INTO bench_source (n, id) SELECT ROW_NUMBER() OVER (ORDER BY "Id") - 1, "Id" FROM "Referrals" WHERE "ClosedAt" IS NULL""");
            var sources = await ScalarAsync(connection, "SELECT COUNT(*) FROM bench_source");
            const int batch = 20_000;
            for (var start = 0; start < copies; start += batch)
            {
                var count = Math.Min(batch, copies - start);
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
                // Copy k is the open referral (k mod open) with fresh ids; k % 5 == 0: release three weeks past; k % 5 == 1: task ten days overdue.
                string Referral(string c) => c switch
                {
                    "Id" => "printf('bench%027d', s.k)",
                    "PrisonNumber" or "OpenPrisonNumber" => "printf('Z%08dZ', s.k)",
                    "WorkflowInstanceId" => "printf('benchwf%025d', s.k)",
                    "Reference" => "printf('BEN-%09d', s.k)",
                    "ReleaseDate" => "CASE WHEN s.k % 5 = 0 THEN date('now', '-21 days') ELSE r.\"ReleaseDate\" END",
                    _ => $"r.\"{c}\"",
                };
                string Task(string c) => c switch
                {
                    "Id" => "printf('benchtask%023d', s.k)",
                    "SubjectId" => "printf('bench%027d', s.k)",
                    "InstanceId" => "printf('benchwf%025d', s.k)",
                    "BookmarkId" => "printf('benchbm%025d', s.k)",
                    "DueAt" => $"CASE WHEN s.k % 5 = 1 THEN {nowTicks - TimeSpan.FromDays(10).Ticks} ELSE t.\"DueAt\" END",
                    // Past its escalation time too (due + the default two days), so the check raises the manager's review.
                    "EscalateAt" => $"CASE WHEN s.k % 5 = 1 THEN {nowTicks - TimeSpan.FromDays(8).Ticks} ELSE t.\"EscalateAt\" END",
                    _ => $"t.\"{c}\"",
                };
                var seq = $"""
                    WITH RECURSIVE seq(k) AS (SELECT {start + 1} UNION ALL SELECT k + 1 FROM seq WHERE k < {start + count}),
                    s AS (SELECT seq.k, b.id AS src FROM seq JOIN bench_source b ON b.n = seq.k % {sources})
                    """;
                await Exec(connection, $"""
                    INSERT INTO "Referrals" ({string.Join(", ", referralColumns.Select(c => $"\"{c}\""))})
                    {seq}
                    SELECT {string.Join(", ", referralColumns.Select(Referral))} FROM s JOIN "Referrals" r ON r."Id" = s.src
                    """, tx);
                await Exec(connection, $"""
                    INSERT INTO "Tasks" ({string.Join(", ", taskColumns.Select(c => $"\"{c}\""))})
                    {seq}
                    SELECT {string.Join(", ", taskColumns.Select(Task))} FROM s JOIN "Tasks" t ON t."SubjectId" = s.src AND t."Status" IN ('Open', 'Claimed')
                    """, tx);
                await tx.CommitAsync();
            }
        }
        var referrals = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Referrals" """);
        var openTasks = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Tasks" WHERE "Status" IN ('Open', 'Claimed')""");
        log.WriteLine($"    daily check: {Format.Count(copies)} SQL copies in {seeding.Elapsed.TotalSeconds:N1} s: {Format.Count(referrals)} referrals, {Format.Count(openTasks)} open tasks");

        using var admin = await server.LoginAsync(ServerNode.AdminEmail);
        const string schedule = "daily-follow-up-check";
        var before = await ServerNode.ScalarAsync("Sqlite", cs, $"""SELECT COUNT(*) FROM "ScheduleRuns" WHERE "ScheduleName" = '{schedule}'""");

        // The probe: a write transaction on its own connection every 20 ms; how long BEGIN IMMEDIATE waited is how long
        // someone else held the write lock.
        using var stop = new CancellationTokenSource();
        var longest = 0.0;
        var probe = Task.Run(async () =>
        {
            await using var connection = (SqliteConnection)ServerNode.Open("Sqlite", cs);
            await Exec(connection, "PRAGMA busy_timeout = 120000");
            while (!stop.IsCancellationRequested)
            {
                var sw = Stopwatch.StartNew();
                await Exec(connection, "BEGIN IMMEDIATE");
                var waited = sw.Elapsed.TotalMilliseconds;
                await Exec(connection, "COMMIT");
                longest = Math.Max(longest, waited);
                try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        var trigger = await admin.PostAsync($"/api/schedules/{schedule}/trigger", null);
        if (!trigger.IsSuccessStatusCode) throw new InvalidOperationException($"Trigger answered {(int)trigger.StatusCode}: {await trigger.Content.ReadAsStringAsync()}");
        while (await ServerNode.ScalarAsync("Sqlite", cs, $"""SELECT COUNT(*) FROM "ScheduleRuns" WHERE "ScheduleName" = '{schedule}'""") == before)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("The daily check did not record a run in 10 minutes.");
            await Task.Delay(100);
        }
        var waitedFor = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await probe;
        string message;
        double seconds;
        bool succeeded;
        await using (var connection = ServerNode.Open("Sqlite", cs))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""SELECT "StartedAt", "FinishedAt", "Succeeded", "ItemsTouched", "Message" FROM "ScheduleRuns" WHERE "ScheduleName" = '{schedule}' ORDER BY "Id" DESC LIMIT 1""";
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            seconds = TimeSpan.FromTicks(reader.GetInt64(1) - reader.GetInt64(0)).TotalSeconds;
            succeeded = reader.GetBoolean(2);
            message = $"{(succeeded ? "succeeded" : "FAILED")}, {reader.GetInt64(3):N0} items: {reader.GetString(4)}";
        }
        var escalations = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Tasks" WHERE "ActivityId" = 'EscalateOverdueTasks'""");
        var confirms = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Tasks" WHERE "ActivityId" = 'ConfirmUnconfirmedReleases'""");
        var overdue = await ServerNode.ScalarAsync("Sqlite", cs, """SELECT COUNT(*) FROM "Tasks" WHERE "IsOverdue" = 1""");
        log.WriteLine($"    daily check: run row after {waitedFor:N1} s; the run took {seconds:N1} s; longest BEGIN IMMEDIATE wait of the probe {longest:N0} ms");
        log.WriteLine($"    daily check: {message}");
        log.WriteLine($"    daily check: tasks marked overdue {Format.Count(overdue)}, manager reviews {Format.Count(escalations)}, 'Confirm release' {Format.Count(confirms)}");
        return (seconds, longest, message, succeeded);
    }

    private static async Task<List<string>> ColumnsAsync(SqliteConnection connection, string table)
    {
        var columns = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA table_info(\"{table}\")";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(1));
        return columns;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task Exec(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    private static double Percentile(List<double> samples, double q)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];
    }
}
