using System.Diagnostics;
using System.Net.Http.Json;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Server.Tests.Referrals;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Reliability.ReliabilityKit;

namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// Several server processes on one PostgreSQL database with clustered Quartz: referral-shaped instances are created
/// on every node with timers due in the same window; the node running the timer dispatcher is killed with SIGKILL part
/// way through; the survivors take its work over; every timer fires once and every task is created once.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class MultiNodeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task SeveralNodes_OneDatabase_EveryTimerFiresOnce_AndSurvivorsTakeOverAKilledNode()
    {
        var size = ReliabilitySize.Current;
        var n = size.Referrals;
        await using var database = await TestDatabase.CreateAsync("PostgreSql");
        var folder = WorkflowsFolder(TimerWorkflow);
        var nodes = new List<ServerProcess>();
        try
        {
            // Started one after another: each deploys the same workflow file, the later ones find it there already.
            for (var i = 0; i < size.Nodes; i++) nodes.Add(await ServerProcess.StartAsync(database, folder, NodeSettings()));
            var managers = new List<HttpClient>();
            foreach (var node in nodes) managers.Add(await node.LoginAsync(ReconnectApp.Manager));

            // 1. Instances spread over the nodes, their timers due a day ahead on the workflow clock, within one window.
            var anchor = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
            var window = TimeSpan.FromSeconds(size.TimerSpreadSeconds);
            var dueAt = Enumerable.Range(0, n).Select(i => anchor + window * i / n).ToArray();
            var ids = new string[n];
            var creating = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                ids[i] = await StartInstanceAsync(managers[i % nodes.Count], "reliability-timer", $"r{i}",
                    new { dueAt = dueAt[i].ToString("O", CultureInfo.InvariantCulture) }));
            output.WriteLine($"{n} instances created on {nodes.Count} nodes in {creating.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "Bookmarks" WHERE "Name" = 'Timer'"""));

            // 2. Arm: every node's workflow clock moves by the same whole seconds, so that the first timer falls due
            //    five seconds from now on every node at once. The timers then fire on the clustered dispatcher.
            var advance = (long)Math.Floor((anchor - DateTimeOffset.UtcNow).TotalSeconds) - 5;
            foreach (var node in nodes)
            {
                using var admin = await node.LoginAsync(ReconnectApp.Admin);
                (await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = $"PT{advance}S" })).EnsureSuccessStatusCode();
            }
            var offset = TimeSpan.FromSeconds(advance);

            // 3. Once a third has fired, kill the node that is running the dispatcher (from Quartz's own table).
            await WaitUntilAsync(async () => await JournalTotalAsync(database, "reliability-timer", "timer-fired") >= n / 3, window + TimeSpan.FromSeconds(90));
            var victim = await DispatcherNodeAsync(database, nodes) ?? nodes[0];
            victim.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            var firedAtKill = await JournalTotalAsync(database, "reliability-timer", "timer-fired");
            output.WriteLine($"killed node pid {victim.ProcessId} (of {string.Join(", ", nodes.Select(x => x.ProcessId))}) with {firedAtKill} of {n} timers fired");

            // 4. The survivors fire the rest.
            await WaitUntilAsync(async () => await JournalTotalAsync(database, "reliability-timer", "timer-fired") >= n, window + TimeSpan.FromSeconds(120));

            // 5. Counted from the journal: each timer fired exactly once, each task created once, nothing stuck.
            var fired = await JournalCountsAsync(database, "reliability-timer", "timer-fired");
            var created = await JournalCountsAsync(database, "reliability-timer", "task-created");
            Assert.All(ids, id => Assert.Equal(1, fired.GetValueOrDefault(id)));
            Assert.All(ids, id => Assert.Equal(1, created.GetValueOrDefault(id)));
            Assert.Equal(n, fired.Count);
            var taskRows = await RowsAsync(database, """SELECT "InstanceId", COUNT(*) FROM "Tasks" GROUP BY "InstanceId" """);
            Assert.Equal(n, taskRows.Count);
            Assert.All(taskRows, r => Assert.Equal(1L, Convert.ToInt64(r[1], CultureInfo.InvariantCulture)));
            Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "WorkflowInstances" WHERE "DefinitionId" = 'reliability-timer' AND "Status" = 'Suspended'"""));
            Assert.Equal(0, await ScalarAsync(database, """SELECT COUNT(*) FROM "Bookmarks" WHERE "Name" <> 'Task'"""));
            Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "Bookmarks" WHERE "Name" = 'Task'"""));
            await AssertConsistentAsync(database);

            // 6. Lateness (journal instant − due instant, both on the workflow clock) and the take-over.
            var firedAt = (await RowsAsync(database, """
                SELECT i."CorrelationId", j."At" FROM "JournalEntries" j JOIN "WorkflowInstances" i ON i."Id" = j."InstanceId"
                WHERE j."Kind" = 'timer-fired'
                """)).ToDictionary(r => (string)r[0]!, r => ToInstant(r[1]!));
            var lateness = Enumerable.Range(0, n).Select(i => (firedAt[$"r{i}"] - dueAt[i]).TotalSeconds).Order().ToList();
            var afterKill = Enumerable.Range(0, n).Where(i => firedAt[$"r{i}"] - offset > killedAt).ToList();
            var takeover = afterKill.Count == 0 ? TimeSpan.Zero : afterKill.Min(i => firedAt[$"r{i}"] - offset) - killedAt;
            var lateAfterKill = afterKill.Count == 0 ? 0 : afterKill.Max(i => (firedAt[$"r{i}"] - dueAt[i]).TotalSeconds);
            var beforeKill = Enumerable.Range(0, n).Except(afterKill).Select(i => (firedAt[$"r{i}"] - dueAt[i]).TotalSeconds).Order().ToList();
            var runs = await RowsAsync(database, """SELECT "Node", COUNT(*) FROM "ScheduleRuns" WHERE "ScheduleName" = 'timer-dispatcher' GROUP BY "Node" """);
            output.WriteLine($"size {size.Name}: {n} timers over {window.TotalSeconds:F0} s on {nodes.Count} nodes; lateness p50 {Percentile(lateness, 50):F2} s, " +
                $"p99 {Percentile(lateness, 99):F2} s, max {lateness[^1]:F2} s; first fire after the kill {takeover.TotalSeconds:F1} s later, " +
                $"{afterKill.Count} fired by the survivors, worst lateness among them {lateAfterKill:F1} s; before the kill ({beforeKill.Count}): " +
                $"p50 {Percentile(beforeKill, 50):F2} s, p99 {Percentile(beforeKill, 99):F2} s");
            output.WriteLine("dispatcher runs per node: " + string.Join(", ", runs.Select(r => $"{r[0]} × {r[1]}")));
            Assert.True(takeover < TimeSpan.FromSeconds(60), $"The survivors took {takeover.TotalSeconds:F0} s to fire a timer after the kill.");
            Assert.True(lateAfterKill < 60, $"A timer due after the kill fired {lateAfterKill:F0} s late.");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>
    /// The same with real referrals on the repository's pathway: referrals made through <c>POST /api/referrals</c>
    /// round-robin on every node, all released on the same day, their first contact answered Engaged through the tasks
    /// API (which arms the pathway's <c>weekBefore</c> timer, release − 7 days 09:00: one instant for all of them); the
    /// clocks move so that it falls due, the dispatcher's node is killed part way, and each referral must get its
    /// "Confirm release-day arrangements" task exactly once.
    /// </summary>
    [Fact]
    public async Task SeveralNodes_RealReferrals_ReleaseWeekTimerFiresOnce_AndSurvivorsTakeOverAKilledNode()
    {
        const string Pathway = "reconnect-referral-pathway";
        const string Timer = "weekBefore";
        var size = ReliabilitySize.Current;
        var n = size.Referrals;
        string[] sites = ["LEI", "NHI", "WEI"];
        await using var database = await TestDatabase.CreateAsync("PostgreSql");
        var nodes = new List<ServerProcess>();
        try
        {
            var starting = Stopwatch.StartNew();
            for (var i = 0; i < size.Nodes; i++) nodes.Add(await ServerProcess.StartAsync(database, ReconnectApp.RepositoryWorkflows, NodeSettings()));
            var referrers = new List<HttpClient>();
            var admins = new List<HttpClient>();
            var navigators = new List<Dictionary<string, HttpClient>>();
            foreach (var node in nodes)
            {
                referrers.Add(await node.LoginAsync(ReconnectApp.Referrer));
                admins.Add(await node.LoginAsync(ReconnectApp.Admin));
                var bySite = new Dictionary<string, HttpClient>();
                foreach (var site in sites) bySite[site] = await node.LoginAsync($"navigator.{site.ToLowerInvariant()}@reconnect.test");
                navigators.Add(bySite);
            }
            output.WriteLine($"{nodes.Count} nodes started in {starting.Elapsed.TotalSeconds:F1} s");

            // 1. Referrals, round-robin over the nodes and the sites, all released on the same day (30 days ahead).
            var today = LondonTime.Today(DateTimeOffset.UtcNow);
            var release = today.AddDays(30);
            var referralIds = new string[n];
            var creating = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var body = ReferralKit.Body(today, ReferralKit.PrisonNumber(i), sites[i % sites.Length], release);
                var response = await referrers[i % nodes.Count].PostAsJsonAsync(ReferralKit.ReferralsUrl, body, ct);
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"Referral {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                referralIds[i] = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<string>();
            });
            output.WriteLine($"{n} referrals created on {nodes.Count} nodes in {creating.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(n, await ScalarAsync(database, $"""SELECT COUNT(*) FROM "WorkflowInstances" WHERE "DefinitionId" = '{Pathway}'"""));

            // 2. First contact answered Engaged by the referral's navigator, on the nodes round-robin: the pathway goes
            //    to PreRelease and forks into the needs assessment and the release − 7 days timer.
            var firstContacts = await RowsAsync(database, """
                SELECT t."Id", t."Site" FROM "Tasks" t JOIN "Referrals" r ON r."WorkflowInstanceId" = t."InstanceId"
                WHERE t."ActivityId" = 'firstContact' AND t."Status" = 'Open' ORDER BY r."PrisonNumber"
                """);
            Assert.Equal(n, firstContacts.Count);
            var answering = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var (taskId, site) = ((string)firstContacts[i][0]!, (string)firstContacts[i][1]!);
                var response = await navigators[i % nodes.Count][site].PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { outcome = "Engaged" }, ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"First contact {taskId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            });
            output.WriteLine($"{n} first contacts answered in {answering.Elapsed.TotalSeconds:F1} s");
            var dues = await RowsAsync(database, $"""SELECT DISTINCT "DueAt" FROM "Bookmarks" WHERE "ActivityId" = '{Timer}'""");
            Assert.Single(dues);
            var due = ToInstant(dues[0][0]!);
            Assert.Equal(LondonTime.AtLondonTime(release.AddDays(-7), new TimeOnly(9, 0)), due);
            Assert.Equal(n, await ScalarAsync(database, $"""SELECT COUNT(*) FROM "Bookmarks" WHERE "ActivityId" = '{Timer}'"""));
            Assert.Equal(0, await ScalarAsync(database, """SELECT COUNT(*) FROM "Tasks" WHERE "ActivityId" = 'confirmArrangements'"""));

            // 3. Every node's clock moves by the same whole seconds: the one instant falls due 5 s from now.
            var advance = (long)Math.Floor((due - DateTimeOffset.UtcNow).TotalSeconds) - 5;
            foreach (var admin in admins)
                (await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = $"PT{advance}S" })).EnsureSuccessStatusCode();
            var offset = TimeSpan.FromSeconds(advance);

            // 4. Once a third have fired, kill the node running the dispatcher; the survivors have a minute for the rest.
            Task<long> FiredAsync() => ScalarAsync(database, $"""
                SELECT COUNT(*) FROM "JournalEntries" j JOIN "WorkflowInstances" i ON i."Id" = j."InstanceId"
                WHERE i."DefinitionId" = '{Pathway}' AND j."Kind" = 'timer-fired' AND j."ActivityId" = '{Timer}'
                """);
            await WaitUntilAsync(async () => await FiredAsync() >= n / 3, TimeSpan.FromSeconds(90));
            var dispatcher = await DispatcherNodeAsync(database, nodes);
            var victim = dispatcher ?? nodes[0];
            victim.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            var firedAtKill = await FiredAsync();
            output.WriteLine($"killed {(dispatcher is null ? "(dispatcher not seen) " : "the dispatcher's ")}node pid {victim.ProcessId} (of {string.Join(", ", nodes.Select(x => x.ProcessId))}) at {killedAt:HH:mm:ss.fff} with {firedAtKill} of {n} timers fired");
            await WaitUntilAsync(async () => await FiredAsync() >= n, TimeSpan.FromSeconds(60));
            var allFiredAfter = DateTimeOffset.UtcNow - killedAt;

            // 5. From SQL: one fire and one confirm task per referral, nothing faulted, stuck or left behind.
            var perInstance = await RowsAsync(database, $"""
                SELECT i."Id", i."Status",
                  (SELECT COUNT(*) FROM "JournalEntries" j WHERE j."InstanceId" = i."Id" AND j."Kind" = 'timer-fired' AND j."ActivityId" = '{Timer}'),
                  (SELECT COUNT(*) FROM "Tasks" t WHERE t."InstanceId" = i."Id" AND t."ActivityId" = 'confirmArrangements'),
                  (SELECT COUNT(*) FROM "Tasks" t WHERE t."InstanceId" = i."Id" AND t."ActivityId" = 'confirmArrangements' AND t."Status" = 'Open'),
                  (SELECT COUNT(*) FROM "Tasks" t WHERE t."InstanceId" = i."Id" AND t."ActivityId" = 'assessment' AND t."Status" = 'Open'),
                  (SELECT COUNT(*) FROM "Bookmarks" b WHERE b."InstanceId" = i."Id"),
                  (SELECT COUNT(*) FROM "Bookmarks" b WHERE b."InstanceId" = i."Id" AND b."Name" = 'Timer' AND b."ActivityId" <> 'releaseDay'),
                  (SELECT COUNT(*) FROM "JournalEntries" j WHERE j."InstanceId" = i."Id" AND j."Kind" = 'task-created' AND j."ActivityId" = 'confirmArrangements')
                FROM "WorkflowInstances" i WHERE i."DefinitionId" = '{Pathway}'
                """);
            Assert.Equal(n, perInstance.Count);
            long At(object?[] row, int column) => Convert.ToInt64(row[column], CultureInfo.InvariantCulture);
            Assert.All(perInstance, row =>
            {
                Assert.Equal("Suspended", row[1]);
                Assert.Equal(1, At(row, 2));
                Assert.Equal(1, At(row, 3));
                Assert.Equal(1, At(row, 4));
                Assert.Equal(1, At(row, 5));
                Assert.True(At(row, 6) > 0);
                Assert.Equal(0, At(row, 7)); // the release-day timer waits beside it; no other timer is left
                Assert.Equal(1, At(row, 8));
            });
            Assert.Equal(0, await ScalarAsync(database, """SELECT COUNT(*) FROM "Incidents" """));
            Assert.Equal(0, await ScalarAsync(database, """SELECT COUNT(*) FROM "WorkflowInstances" WHERE "Status" = 'Faulted'"""));
            Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "Referrals" WHERE "Stage" = 'PreRelease'"""));
            await AssertConsistentAsync(database);

            var firedAt = (await RowsAsync(database, $"""SELECT j."At" FROM "JournalEntries" j WHERE j."Kind" = 'timer-fired' AND j."ActivityId" = '{Timer}'"""))
                .Select(r => ToInstant(r[0]!) - offset).ToList();
            var afterKill = firedAt.Where(x => x > killedAt).Order().ToList();
            var takeover = afterKill.Count == 0 ? TimeSpan.Zero : afterKill[0] - killedAt;
            var lateness = firedAt.Select(x => (x + offset - due).TotalSeconds).Order().ToList();
            var beforeKill = firedAt.Where(x => x <= killedAt).Select(x => (x + offset - due).TotalSeconds).Order().ToList();
            output.WriteLine($"size {size.Name}: {n} real referrals on {nodes.Count} nodes, {Timer} timers all due {due:O}; " +
                $"{firedAtKill} fired before the kill, {afterKill.Count} by the survivors; first fire after the kill {takeover.TotalSeconds:F1} s later, " +
                $"all fired {allFiredAfter.TotalSeconds:F1} s after the kill; lateness (fired − due) before the kill p50 {Percentile(beforeKill, 50):F2} s, max {(beforeKill.Count == 0 ? 0 : beforeKill[^1]):F2} s; " +
                $"all p50 {Percentile(lateness, 50):F2} s, max {lateness[^1]:F2} s; " +
                $"each fired once, one confirm task each, none stuck");
            Assert.True(takeover < TimeSpan.FromSeconds(60), $"The survivors took {takeover.TotalSeconds:F0} s to fire a timer after the kill.");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>The node whose Quartz instance is executing the timer dispatcher now (its instance id holds the pid).</summary>
    private static async Task<ServerProcess?> DispatcherNodeAsync(TestDatabase database, IReadOnlyList<ServerProcess> nodes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var rows = await RowsAsync(database, "SELECT instance_name FROM qrtz_fired_triggers WHERE job_name = 'timer-dispatcher' AND state = 'EXECUTING'");
            foreach (var row in rows)
            {
                var parts = ((string)row[0]!).Split(':');
                if (parts.Length >= 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid) && nodes.FirstOrDefault(x => x.ProcessId == pid) is { } node)
                    return node;
            }
            await Task.Delay(10);
        }
        return null;
    }

    internal static DateTimeOffset ToInstant(object value) => value switch
    {
        DateTimeOffset o => o,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        long ticks => new DateTimeOffset(ticks, TimeSpan.Zero),
        _ => DateTimeOffset.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
    };

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s.");
            await Task.Delay(100);
        }
    }
}
