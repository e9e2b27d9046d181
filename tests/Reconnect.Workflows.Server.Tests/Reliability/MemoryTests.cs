using System.Net.Http.Json;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Reliability.ReliabilityKit;

namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// Waiting instances live in the database, not in the server (LESSONS #404, #5925, #8182): the working set of the real
/// server process with many instances waiting stays within its idle working set + 100 MB (SPEC §11 names 100,000;
/// the CI size is 10,000, the full size is the bench's <c>server-memory</c> scenario).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class MemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const double BudgetMb = 100;

    [Fact]
    public async Task ManyWaitingInstances_CostTheServerLessThan100MbOverIdle()
    {
        var size = ReliabilitySize.Current;
        var n = size.MemoryInstances;
        await using var database = await TestDatabase.CreateAsync("Sqlite");
        var folder = WorkflowsFolder(WaitWorkflow);

        // 1. Idle: the server on an empty database after a warm-up that makes every request measured below (so JIT,
        //    pools and caches count as idle) and leaves nothing waiting. Then one waiting instance, the model for the rest.
        double idle;
        string source;
        await using (var empty = await ServerProcess.StartAsync(database, folder))
        {
            using var client = await empty.LoginAsync(ReconnectApp.Manager);
            await ExerciseAsync(client, "warm", 200);
            idle = await SettledMbAsync(empty);
            source = await StartInstanceAsync(client, "reliability-wait", "seed-source");
        }

        // 2. n waiting instances: copies of that one, made in SQL (the API makes ~50/s on a busy 2-core machine).
        await CloneWaitingInstanceAsync(database, source, "seed-source", n - 1);
        Assert.Equal(n, await ScalarAsync(database, """SELECT COUNT(*) FROM "WorkflowInstances" WHERE "Status" = 'Suspended'"""));

        // 3. The server on that database, the same warm-up, and events for some of the copies: they are real instances.
        await using var loadedServer = await ServerProcess.StartAsync(database, folder);
        using (var client = await loadedServer.LoginAsync(ReconnectApp.Manager))
        {
            await ExerciseAsync(client, "warm", 200);
            foreach (var i in new[] { 1, n / 2, n - 1 })
            {
                var response = await client.PostAsJsonAsync("/api/events/go", new { correlationId = $"m{i}" });
                Assert.Equal(1, (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["resumed"]!.GetValue<int>());
            }
        }
        var loaded = await SettledMbAsync(loadedServer);
        Assert.Equal(n - 3, await ScalarAsync(database, """SELECT COUNT(*) FROM "WorkflowInstances" WHERE "Status" = 'Suspended'"""));
        await AssertConsistentAsync(database);

        output.WriteLine($"size {size.Name}: idle {idle:N0} MB; with {n:N0} waiting instances {loaded:N0} MB (+{loaded - idle:N0} MB, budget {BudgetMb} MB)");
        Assert.True(loaded - idle <= BudgetMb, $"{n:N0} waiting instances cost the server {loaded - idle:N0} MB over its idle {idle:N0} MB.");
    }

    /// <summary>Starts instances, lists them, and finishes them with their event: what the server does all day.</summary>
    private static async Task ExerciseAsync(HttpClient client, string prefix, int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await StartInstanceAsync(client, "reliability-wait", $"{prefix}{i}"));
        (await client.GetAsync("/api/workflow-instances?status=Suspended&pageSize=200")).EnsureSuccessStatusCode();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            (await client.PostAsJsonAsync("/api/events/go", new { correlationId = $"{prefix}{i}" }, ct)).EnsureSuccessStatusCode());
    }

    /// <summary>The working set once the process was left alone for a few seconds (the largest of three looks).</summary>
    private static async Task<double> SettledMbAsync(ServerProcess server)
    {
        await Task.Delay(TimeSpan.FromSeconds(3));
        var samples = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            samples.Add(server.WorkingSetBytes);
            await Task.Delay(500);
        }
        return samples.Max() / 1024.0 / 1024.0;
    }
}
