using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Api;

/// <summary>The migration and bulk endpoints over HTTP (issue 11): shapes and status codes, the jobs run by the host's Quartz.</summary>
public class MigrationsApiTests
{
    private const string Flow = "migrating";

    /// <summary>v2 of <see cref="Kit.EventFlow"/> with its waiting activity renamed and a new text.</summary>
    private static JsonObject RenamedFlow() => Definition(Flow,
        [Activity("start", "Elsa.Start"), Activity("waitFor", "Elsa.Event", ("eventName", Input("go"))), WriteLine("log", "resumed on v2")],
        [Connection("start", "waitFor"), Connection("waitFor", "log")]);

    private static async Task<JsonObject> WaitForJobAsync(HttpClient client, string location)
    {
        for (var i = 0; i < 200; i++)
        {
            var job = await (await client.GetAsync(location)).JsonAsync(HttpStatusCode.OK);
            if (job["status"].Str() != "Running") return job;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{location} still running.");
    }

    [Fact]
    public async Task Migrations_DryRunRefusalMapAndJob_ShapesAndStatusCodes()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow(Flow));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await manager.StartAsync(Flow, correlationId: $"m{i}"))["id"].Str());
        (await manager.PutJsonAsync($"{Definitions}/{Flow}", RenamedFlow())).EnsureSuccessStatusCode();
        (await manager.PostJsonAsync($"{Definitions}/{Flow}/publish", null)).EnsureSuccessStatusCode();
        var url = $"{Definitions}/{Flow}/migrations";

        var dry = await (await manager.PostJsonAsync(url, new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 2, ["dryRun"] = true })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, dry["instances"].Int());
        var waiting = Assert.Single(dry["waitingAt"]!.AsArray())!;
        Assert.Equal(("wait", 3), (waiting["activityId"].Str(), waiting["count"].Int()));
        Assert.Null(waiting["mappedTo"]);
        Assert.Equal("wait", Assert.Single(dry["unmapped"]!.AsArray()).Str());
        Assert.Empty(dry["variableChanges"]!.AsArray());
        Assert.False(dry["canMigrate"]!.GetValue<bool>());

        var refused = await (await manager.PostJsonAsync(url, new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 2 })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("wait", refused["detail"].Str());
        Assert.NotNull(refused["errors"]!["activityMap.wait"]);

        var bad = await (await manager.PostJsonAsync(url, new JsonObject { ["toVersion"] = 2, ["variables"] = new JsonObject { ["x"] = "maybe" } })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["fromVersion"]);
        await (await manager.PostJsonAsync(url, new JsonObject { ["fromVersion"] = "one", ["toVersion"] = 2 })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync(url, new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 2, ["surprise"] = true })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync(url, new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 7 })).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.PostJsonAsync($"{Definitions}/nothing-here/migrations", new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 2 })).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.GetAsync("/api/migrations/no-such-job")).ProblemAsync(HttpStatusCode.NotFound);

        var started = await manager.PostJsonAsync(url, new JsonObject
        {
            ["fromVersion"] = 1, ["toVersion"] = 2, ["activityMap"] = new JsonObject { ["wait"] = "waitFor" },
        });
        var accepted = await started.JsonAsync(HttpStatusCode.Accepted);
        var location = started.Headers.Location!.ToString();
        Assert.Equal($"/api/migrations/{accepted["id"].Str()}", location);
        var job = await WaitForJobAsync(manager, location);
        Assert.Equal(("Completed", 3, 3, 0), (job["status"].Str(), job["total"].Int(), job["migrated"].Int(), job["failed"].Int()));
        Assert.Empty(job["errors"]!.AsArray());

        // Resumed on v2: the event reaches the moved bookmark and v2's text is written.
        var instance = await (await manager.GetAsync($"{Instances}/{ids[0]}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, instance["definitionVersion"].Int());
        Assert.Equal("waitFor", instance["bookmarks"]![0]!["activityId"].Str());
        (await manager.PostJsonAsync("/api/events/go", new JsonObject { ["correlationId"] = "m0" })).EnsureSuccessStatusCode();
        var done = await (await manager.GetAsync($"{Instances}/{ids[0]}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", done["status"].Str());
        Assert.Contains(done["journal"]!.AsArray(), j => j!["kind"].Str() == "log" && j["detail"]!["text"].Str() == "resumed on v2");
        Assert.Single(done["journal"]!.AsArray(), j => j!["kind"].Str() == "migrated");

        var audit = await app.AuditAsync();
        Assert.Single(audit, e => e.Action == "migrate" && e.EntityId == Flow);
        Assert.Equal(3, audit.Count(e => e.Action == "migrate" && ids.Contains(e.EntityId!)));
    }

    [Fact]
    public async Task Bulk_CancelAndRetry_DryRunCountsRealRunIsAJob()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow(Flow));
        await manager.CreateAndPublishAsync(FaultingFlow("faulting"));
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++) waiting.Add((await manager.StartAsync(Flow, correlationId: $"b{i}"))["id"].Str());
        for (var i = 0; i < 2; i++) await manager.StartAsync("faulting");

        var filter = new JsonObject { ["definitionId"] = Flow, ["activityId"] = "wait" };
        var count = await (await manager.PostJsonAsync($"{Instances}/bulk-cancel", new JsonObject { ["filter"] = filter.DeepClone(), ["dryRun"] = true })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, count["count"].Int());
        var one = await (await manager.PostJsonAsync($"{Instances}/bulk-cancel",
            new JsonObject { ["filter"] = new JsonObject { ["correlationId"] = "b1" }, ["dryRun"] = true })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, one["count"].Int());
        var bad = await (await manager.PostJsonAsync($"{Instances}/bulk-cancel", new JsonObject { ["filter"] = new JsonObject { ["status"] = "Sleeping" } })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["filter.status"]);

        var cancel = await manager.PostJsonAsync($"{Instances}/bulk-cancel", new JsonObject { ["filter"] = filter.DeepClone() });
        await cancel.JsonAsync(HttpStatusCode.Accepted);
        var cancelled = await WaitForJobAsync(manager, cancel.Headers.Location!.ToString());
        Assert.Equal(("cancel", "Completed", 3, 3), (cancelled["kind"].Str(), cancelled["status"].Str(), cancelled["total"].Int(), cancelled["migrated"].Int()));
        foreach (var id in waiting)
            Assert.Equal("Cancelled", (await (await manager.GetAsync($"{Instances}/{id}")).JsonAsync(HttpStatusCode.OK))["status"].Str());

        var retryFilter = new JsonObject { ["filter"] = new JsonObject { ["definitionId"] = "faulting", ["status"] = "Faulted" } };
        Assert.Equal(2, (await (await manager.PostJsonAsync($"{Instances}/bulk-retry", new JsonObject { ["filter"] = retryFilter["filter"]!.DeepClone(), ["dryRun"] = true }))
            .JsonAsync(HttpStatusCode.OK))["count"].Int());
        var retry = await manager.PostJsonAsync($"{Instances}/bulk-retry", retryFilter);
        var retried = await WaitForJobAsync(manager, (await Task.FromResult(retry)).Headers.Location!.ToString());
        Assert.Equal(("retry", 2, 2), (retried["kind"].Str(), retried["total"].Int(), retried["migrated"].Int()));

        var audit = await app.AuditAsync();
        Assert.Single(audit, e => e.Action == "bulk-cancel");
        Assert.Single(audit, e => e.Action == "bulk-retry");
        Assert.Equal(3, audit.Count(e => e.Action == "cancel" && waiting.Contains(e.EntityId!) && e.UserName == ReconnectApp.Manager));
        Assert.Equal(2, audit.Count(e => e.Action == "retry"));
    }
}
