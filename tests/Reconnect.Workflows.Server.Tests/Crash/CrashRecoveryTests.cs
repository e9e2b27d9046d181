using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Crash;

/// <summary>
/// The real process, killed with SIGKILL in the middle of firing timers and of taking events, then started again on the
/// same database: every timer fires exactly once, every event resumes exactly once, no instance is lost or run twice.
/// </summary>
public class CrashRecoveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Instances = 120;

    private const string Workflow = """
    {
      "id": "crash-test:v1", "definitionId": "crash-test", "name": "Crash test", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "wait", "type": "Elsa.Delay", "timeSpan": { "typeName": "TimeSpan", "expression": { "type": "Literal", "value": "PT1H" } } },
        { "id": "fired", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "fired" } } },
        { "id": "go", "type": "Elsa.Event", "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "go" } } },
        { "id": "done", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "done" } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "wait", "port": "In" } },
        { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "fired", "port": "In" } },
        { "source": { "activity": "fired", "port": "Done" }, "target": { "activity": "go", "port": "In" } },
        { "source": { "activity": "go", "port": "Done" }, "target": { "activity": "done", "port": "In" } }
      ] }
    }
    """;

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task KillNine_MidTimersAndMidEvents_EverythingHappensExactlyOnce(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-tests", "crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "crash-test.json"), Workflow);

        // 1. Instances waiting on a one-hour timer.
        var ids = new List<string>();
        await using (var first = await ServerProcess.StartAsync(database, folder))
        {
            var manager = await first.LoginAsync(ReconnectApp.Manager);
            for (var i = 0; i < Instances; i++)
            {
                var response = await manager.PostAsJsonAsync("/api/workflow-instances", new { definitionId = "crash-test", correlationId = $"c{i}" });
                response.EnsureSuccessStatusCode();
                ids.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
            }
            // 2. Move the clock past the timers and kill the process while it is firing them.
            var admin = await first.LoginAsync(ReconnectApp.Admin);
            await CountsAsync(database); // warm the query up, so that the watch below sees the first commit soon
            var firing = admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "PT2H" });
            await WaitUntilAsync(database, c => c.TimerFired.Count > 0);
            first.Kill();
            // Where the kill lands is chance (the output says how many had fired); whatever it is, what follows must hold.
            try { await firing; } catch (HttpRequestException) { } catch (TaskCanceledException) { }
        }

        var afterFirstKill = await CountsAsync(database);
        output.WriteLine($"{provider}: {afterFirstKill.TimerFired.Count} of {Instances} timers had fired when the process was killed");

        // 3. Start again: the test clock starts from real time, so move it past the timers again; what fired stays fired.
        await using (var second = await ServerProcess.StartAsync(database, folder))
        {
            var admin = await second.LoginAsync(ReconnectApp.Admin);
            (await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "PT2H" })).EnsureSuccessStatusCode();
            var counts = await CountsAsync(database);
            Assert.All(ids, id => Assert.Equal(1, counts.TimerFired.GetValueOrDefault(id)));

            // 4. Events for every instance from several clients at once, killed part-way.
            var manager = await second.LoginAsync(ReconnectApp.Manager);
            var sending = Task.WhenAll(Enumerable.Range(0, Instances).Select(i =>
                manager.PostAsJsonAsync("/api/events/go", new { correlationId = $"c{i}" })));
            await WaitUntilAsync(database, c => c.EventReceived.Count > 0);
            second.Kill();
            try { await sending; } catch (HttpRequestException) { /* some requests died with the process */ } catch (TaskCanceledException) { }
        }
        output.WriteLine($"{provider}: {(await CountsAsync(database)).EventReceived.Count} of {Instances} events had landed when the process was killed again");

        // 5. Start again; clients retry every event (they cannot know which ones landed).
        await using (var third = await ServerProcess.StartAsync(database, folder))
        {
            var manager = await third.LoginAsync(ReconnectApp.Manager);
            foreach (var batch in Enumerable.Range(0, Instances).Chunk(10))
                await Task.WhenAll(batch.Select(i => manager.PostAsJsonAsync("/api/events/go", new { correlationId = $"c{i}" })));
        }

        var final = await CountsAsync(database);
        foreach (var id in ids)
        {
            Assert.Equal(1, final.TimerFired.GetValueOrDefault(id));
            Assert.Equal(1, final.EventReceived.GetValueOrDefault(id));
            Assert.Equal(2, final.Lines.GetValueOrDefault(id));
            Assert.Equal("Finished", final.Status[id]);
        }
        Assert.Equal(Instances, final.Status.Count);
        Assert.Equal(0, final.Bookmarks);
    }

    /// <summary>Kill once the work has begun (the first row of it is committed), so that the kill lands mid-way.</summary>
    private static async Task WaitUntilAsync(TestDatabase database, Func<Counts, bool> begun)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !begun(await CountsAsync(database))) await Task.Delay(5);
    }

    private sealed record Counts(
        Dictionary<string, int> TimerFired,
        Dictionary<string, int> EventReceived,
        Dictionary<string, int> Lines,
        Dictionary<string, string> Status,
        int Bookmarks);

    private static async Task<Counts> CountsAsync(TestDatabase database)
    {
        await using var db = CreateContext(database);
        var journal = await db.JournalEntries.AsNoTracking()
            .Where(j => j.Kind == "timer-fired" || j.Kind == "event-received" || j.Kind == "log")
            .GroupBy(j => new { j.InstanceId, j.Kind })
            .Select(g => new { g.Key.InstanceId, g.Key.Kind, Count = g.Count() })
            .ToListAsync();
        Dictionary<string, int> Of(string kind) => journal.Where(j => j.Kind == kind).ToDictionary(j => j.InstanceId, j => j.Count);
        var status = await db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == "crash-test").ToDictionaryAsync(i => i.Id, i => i.Status);
        return new Counts(Of("timer-fired"), Of("event-received"), Of("log"), status, await db.Bookmarks.CountAsync());
    }

    internal static ReconnectDbContext CreateContext(TestDatabase database) => database.Provider switch
    {
        "PostgreSql" => new PostgresReconnectDbContext(new DbContextOptionsBuilder<PostgresReconnectDbContext>().UseNpgsql(database.ConnectionString).Options),
        _ => new SqliteReconnectDbContext(new DbContextOptionsBuilder<SqliteReconnectDbContext>().UseSqlite(database.ConnectionString).Options),
    };
}
