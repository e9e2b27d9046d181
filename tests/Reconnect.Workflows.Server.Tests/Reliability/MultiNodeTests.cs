using System.Diagnostics;
using System.Net.Http.Json;
using System.Globalization;
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
