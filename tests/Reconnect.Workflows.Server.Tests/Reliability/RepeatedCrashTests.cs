using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Reliability.ReliabilityKit;

namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// Round after round, the server is under load (clients starting instances, real-time timers firing, clients sending
/// events) and is killed with SIGKILL at a random moment, then started again on the same database. Afterwards nothing
/// acknowledged is lost and nothing happened twice: each instance has one timer firing, one event, two log lines.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class RepeatedCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task KillNineAtRandomMomentsUnderLoad_NothingLost_NothingTwice(string provider)
    {
        var size = ReliabilitySize.Current;
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = WorkflowsFolder(CrashWorkflow);
        var seed = Environment.GetEnvironmentVariable("RECONNECT_RELIABILITY_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"{provider}: seed {seed} (RECONNECT_RELIABILITY_SEED replays the kill moments)");

        var acknowledged = new ConcurrentDictionary<string, string>();   // correlation id → instance id, from a 201
        var sent = new ConcurrentDictionary<string, byte>();              // every correlation id a start was sent for
        var resumedAnswers = new ConcurrentDictionary<string, int>();     // correlation id → answers "resumed: 1"
        var counter = 0;

        for (var round = 0; round < size.CrashRounds; round++)
        {
            var server = await ServerProcess.StartAsync(database, folder, NodeSettings());
            var client = await server.LoginAsync(ReconnectApp.Manager);
            using var stop = new CancellationTokenSource();
            var load = new List<Task>();
            for (var w = 0; w < size.CrashStartersPerRound; w++)
                load.Add(Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var correlation = $"c{Interlocked.Increment(ref counter)}";
                        sent[correlation] = 0;
                        try { acknowledged[correlation] = await StartInstanceAsync(client, "reliability-crash", correlation); }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return; } // the process died
                    }
                }));
            // Event senders: clients answering instances that wait for their event now (the timer fired), 10 at once.
            for (var w = 0; w < 2; w++)
                load.Add(Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        List<object?[]> waiting;
                        try
                        {
                            waiting = await RowsAsync(database, """SELECT "CorrelationId" FROM "Bookmarks" WHERE "Name" = 'Event' ORDER BY RANDOM() LIMIT 10""");
                        }
                        catch (Exception ex) when (ex is System.Data.Common.DbException) { continue; } // a dying process's lock, on SQLite
                        if (waiting.Count == 0) { await Task.Delay(50); continue; }
                        try
                        {
                            await Task.WhenAll(waiting.Select(async row =>
                            {
                                var correlation = (string)row[0]!;
                                var response = await client.PostAsJsonAsync("/api/events/go", new { correlationId = correlation });
                                if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonObject>())!["resumed"]!.GetValue<int>() == 1)
                                    resumedAnswers.AddOrUpdate(correlation, 1, (_, v) => v + 1);
                            }));
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return; }
                    }
                }));

            await Task.Delay(random.Next(500, 4000));
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(load);
            client.Dispose();
            await server.DisposeAsync();
        }
        output.WriteLine($"{size.CrashRounds} kills; {sent.Count} starts sent, {acknowledged.Count} acknowledged, {resumedAnswers.Count} events acknowledged; " +
            $"before the last start: {await JournalTotalAsync(database, "reliability-crash", "timer-fired")} timers fired");

        // A last start, left running: the remaining timers fire; clients send every event again (they cannot know which landed).
        await using (var last = await ServerProcess.StartAsync(database, folder, NodeSettings()))
        {
            await MultiNodeTests.WaitUntilAsync(async () => await ScalarAsync(database, """SELECT COUNT(*) FROM "Bookmarks" WHERE "Name" = 'Timer'""") == 0, TimeSpan.FromSeconds(60));
            using var client = await last.LoginAsync(ReconnectApp.Manager);
            foreach (var batch in sent.Keys.Chunk(20))
                await Task.WhenAll(batch.Select(async correlation =>
                {
                    var response = await client.PostAsJsonAsync("/api/events/go", new { correlationId = correlation });
                    response.EnsureSuccessStatusCode();
                    if ((await response.Content.ReadFromJsonAsync<JsonObject>())!["resumed"]!.GetValue<int>() == 1)
                        resumedAnswers.AddOrUpdate(correlation, 1, (_, v) => v + 1);
                }));
        }

        // Nothing lost: every acknowledged start is there, once. Nothing twice: one instance per correlation id, one
        // timer firing, one event, two log lines each; no client was told "resumed" twice for one instance.
        var instances = (await RowsAsync(database, """SELECT "CorrelationId", "Id", "Status" FROM "WorkflowInstances" WHERE "DefinitionId" = 'reliability-crash'"""))
            .GroupBy(r => (string)r[0]!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(acknowledged, a => Assert.Equal(a.Value, (string)Assert.Single(instances[a.Key])[1]!));
        Assert.All(instances, i => Assert.Single(i.Value));
        Assert.All(instances.Keys, c => Assert.True(sent.ContainsKey(c)));
        var fired = await JournalCountsAsync(database, "reliability-crash", "timer-fired");
        var received = await JournalCountsAsync(database, "reliability-crash", "event-received");
        var lines = await JournalCountsAsync(database, "reliability-crash", "log");
        foreach (var (correlation, rows) in instances)
        {
            var id = (string)rows[0][1]!;
            Assert.Equal("Finished", (string)rows[0][2]!);
            Assert.Equal(1, fired.GetValueOrDefault(id));
            Assert.Equal(1, received.GetValueOrDefault(id));
            Assert.Equal(2, lines.GetValueOrDefault(id));
            // At most one "resumed: 1": the answer to the one that landed may have died with the process.
            Assert.InRange(resumedAnswers.GetValueOrDefault(correlation), 0, 1);
        }
        Assert.Equal(0, await ScalarAsync(database, """SELECT COUNT(*) FROM "Bookmarks" """));
        await AssertConsistentAsync(database);
        output.WriteLine($"afterwards: {instances.Count} instances (of {sent.Count} starts sent), all Finished with one timer firing and one event each");
    }
}
