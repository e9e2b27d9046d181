using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Reliability.ReliabilityKit;

namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// Many instances, each waiting on a task and an event at once, and every stimulus several times over, all sent at the
/// same moment from many clients (on PostgreSQL to two processes): each bookmark is resumed exactly once, every other
/// request gets a clear answer (409 for a task, <c>resumed: 0</c> for an event), nothing deadlocks, and the database is
/// consistent afterwards.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class ConcurrencyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int ClientsPerNode = 10;

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task DuplicateStimuliFromManyClients_EachBookmarkResumedOnce_TheRestConflict(string provider)
    {
        var size = ReliabilitySize.Current;
        var n = size.RaceInstances;
        var taskCopies = (size.RaceStimuliPerInstance + 1) / 2;
        var eventCopies = size.RaceStimuliPerInstance - taskCopies;
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = WorkflowsFolder(RaceWorkflow);
        var nodes = new List<ServerProcess>();
        try
        {
            // SQLite is one node (it cannot be shared); PostgreSQL two, so that the races cross processes.
            var nodeCount = provider == "PostgreSql" ? Math.Max(2, size.Nodes) : 1;
            for (var i = 0; i < nodeCount; i++) nodes.Add(await ServerProcess.StartAsync(database, folder, NodeSettings()));
            var clients = new List<HttpClient>();
            foreach (var node in nodes)
                for (var c = 0; c < ClientsPerNode; c++) clients.Add(await node.LoginAsync(ReconnectApp.Manager));

            var ids = new string[n];
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                ids[i] = await StartInstanceAsync(clients[i % clients.Count], "reliability-race", $"k{i}"));
            var taskOf = (await RowsAsync(database, """SELECT "InstanceId", "Id" FROM "Tasks" """)).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
            Assert.Equal(n, taskOf.Count);

            // Every stimulus several times, shuffled, each through a random client (and so a random node), all at once.
            var random = new Random(Seed);
            var stimuli = Enumerable.Range(0, n)
                .SelectMany(i => Enumerable.Repeat((Instance: i, Task: true), taskCopies).Concat(Enumerable.Repeat((Instance: i, Task: false), eventCopies)))
                .OrderBy(_ => random.Next())
                .Select(s => (s.Instance, s.Task, Client: clients[random.Next(clients.Count)]))
                .ToList();
            var clock = Stopwatch.StartNew();
            var answers = await Task.WhenAll(stimuli.Select(async s =>
            {
                var response = s.Task
                    ? await s.Client.PostAsJsonAsync($"/api/tasks/{taskOf[ids[s.Instance]]}/complete", new { outcome = "Approve" })
                    : await s.Client.PostAsJsonAsync("/api/events/go", new { correlationId = $"k{s.Instance}" });
                var body = await response.Content.ReadAsStringAsync();
                var resumed = !s.Task && response.IsSuccessStatusCode ? JsonNode.Parse(body)!["resumed"]!.GetValue<int>() : 0;
                return (s.Instance, s.Task, response.StatusCode, Resumed: resumed, Body: body, response.Content.Headers.ContentType?.MediaType);
            }));
            output.WriteLine($"{provider}: {stimuli.Count} stimuli ({taskCopies} task completions + {eventCopies} events per instance) " +
                $"for {n} instances on {nodes.Count} node(s) from {clients.Count} clients answered in {clock.Elapsed.TotalSeconds:F1} s");

            // The answers: one winner per bookmark, the rest a clear conflict (never a 500, never a second winner).
            var unexpected = answers.Where(a => a.Task ? a.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Conflict) : a.StatusCode != HttpStatusCode.OK).ToList();
            Assert.True(unexpected.Count == 0, "Unexpected answers:\n" + string.Join("\n", unexpected.Take(5).Select(a => $"{(int)a.StatusCode} {a.Body}")));
            Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.Conflict), a => Assert.Equal("application/problem+json", a.MediaType));
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(1, answers.Count(a => a.Instance == i && a.Task && a.StatusCode == HttpStatusCode.OK));
                Assert.Equal(1, answers.Where(a => a.Instance == i && !a.Task).Sum(a => a.Resumed));
            }
            output.WriteLine($"task completions: {answers.Count(a => a.Task && a.StatusCode == HttpStatusCode.OK)} × 200, " +
                $"{answers.Count(a => a.Task && a.StatusCode == HttpStatusCode.Conflict)} × 409; events: {answers.Sum(a => a.Resumed)} resumed, " +
                $"{answers.Count(a => !a.Task && a.Resumed == 0)} answered resumed 0");

            // The database: each bookmark resumed once, every instance finished, nothing left waiting.
            var completed = await JournalCountsAsync(database, "reliability-race", "task-completed");
            var received = await JournalCountsAsync(database, "reliability-race", "event-received");
            var lines = await JournalCountsAsync(database, "reliability-race", "log");
            Assert.All(ids, id => Assert.Equal(1, completed.GetValueOrDefault(id)));
            Assert.All(ids, id => Assert.Equal(1, received.GetValueOrDefault(id)));
            Assert.All(ids, id => Assert.Equal(1, lines.GetValueOrDefault(id)));
            Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "WorkflowInstances" WHERE "Status" = 'Finished'"""));
            Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "Tasks" WHERE "Status" = 'Completed'"""));
            Assert.Equal(0, await ScalarAsync(database, """SELECT COUNT(*) FROM "Bookmarks" """));
            await AssertConsistentAsync(database);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>Fixed, so that a failure can be replayed with the same order of stimuli.</summary>
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("RECONNECT_RELIABILITY_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 6;
}
