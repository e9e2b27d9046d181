using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Api;

public class WorkflowInstancesApiTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Event_SentTwice_ResumesOnceThenZero_InstanceFinishedWithJournal(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow("waits", eventName: "release-confirmed", text: "released!"));

        var started = await manager.StartAsync("waits", correlationId: "ref-42", input: new JsonObject { ["site"] = "LEI" });
        var id = started["id"].Str();
        Assert.Equal("Suspended", started["status"].Str());
        var bookmark = Assert.Single(started["bookmarks"]!.AsArray())!;
        Assert.Equal("wait", bookmark["activityId"].Str());
        Assert.Equal("Event", bookmark["name"].Str());
        Assert.Equal("release-confirmed", bookmark["eventName"].Str());

        var first = await (await manager.PostJsonAsync("/api/events/release-confirmed", new JsonObject { ["correlationId"] = "ref-42", ["payload"] = new JsonObject { ["date"] = "2027-01-05" } }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, first["resumed"].Int());
        var second = await (await manager.PostJsonAsync("/api/events/release-confirmed", new JsonObject { ["correlationId"] = "ref-42" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, second["resumed"].Int());
        Assert.Equal(5, second["attempts"].Int());

        var instance = await (await manager.GetAsync($"{Instances}/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", instance["status"].Str());
        Assert.NotNull(instance["finishedAt"]);
        Assert.Empty(instance["bookmarks"]!.AsArray());
        var kinds = instance["journal"]!.AsArray().Select(l => l!["kind"].Str()).ToList();
        Assert.Contains("started", kinds);
        Assert.Single(kinds, k => k == "event-received");
        Assert.Contains(instance["journal"]!.AsArray(), l => l!["kind"].Str() == "log" && l["detail"]!["text"].Str() == "released!");
        Assert.Equal("finished", kinds[^1]);
        var ids = instance["journal"]!.AsArray().Select(l => l!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ids.Order(), ids);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Event_TwentyParallelWithSameCorrelation_ResumesExactlyOnce(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow("race"));
        var id = (await manager.StartAsync("race", correlationId: "one"))["id"].Str();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            manager.PostJsonAsync("/api/events/go", new JsonObject { ["correlationId"] = "one" })));
        var resumed = 0;
        foreach (var r in responses) resumed += (await r.JsonAsync(HttpStatusCode.OK))["resumed"].Int();

        Assert.Equal(1, resumed);
        var instance = await (await manager.GetAsync($"{Instances}/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", instance["status"].Str());
        Assert.Single(instance["journal"]!.AsArray(), l => l!["kind"].Str() == "event-received");
        Assert.Single(instance["journal"]!.AsArray(), l => l!["kind"].Str() == "log");
    }

    [Fact]
    public async Task Event_ArrivingBeforeTheBookmark_IsRetriedBriefly()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow("early"));

        // The event goes first; the instance that waits for it starts a moment later, within the retry window.
        var sent = manager.PostJsonAsync("/api/events/go", new JsonObject { ["correlationId"] = "late" });
        await Task.Delay(300);
        var id = (await manager.StartAsync("early", correlationId: "late"))["id"].Str();
        var answer = await (await sent).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, answer["resumed"].Int());
        Assert.True(answer["attempts"].Int() > 1);
        Assert.Equal("Finished", (await (await manager.GetAsync($"{Instances}/{id}")).JsonAsync(HttpStatusCode.OK))["status"].Str());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Retry_FaultingScript_FaultsAgain_CancelAndRetryOfFinishedAre409(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(FaultingFlow("faulty"));

        var started = await manager.StartAsync("faulty");
        var id = started["id"].Str();
        Assert.Equal("Faulted", started["status"].Str());
        var incident = Assert.Single(started["incidents"]!.AsArray())!;
        Assert.Equal("boom", incident["activityId"].Str());
        Assert.Contains("boom", incident["message"].Str());

        var retried = await (await manager.PostAsync($"{Instances}/{id}/retry", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Faulted", retried["status"].Str());
        Assert.Equal(2, retried["incidents"]!.AsArray().Count);
        Assert.Contains(retried["journal"]!.AsArray(), l => l!["kind"].Str() == "retried");

        var cancelled = await (await manager.PostAsync($"{Instances}/{id}/cancel", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Cancelled", cancelled["status"].Str());
        await (await manager.PostAsync($"{Instances}/{id}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);
        await (await manager.PostAsync($"{Instances}/{id}/retry", null)).ProblemAsync(HttpStatusCode.Conflict);

        // a finished one: retry is not applicable
        await manager.CreateAndPublishAsync(HelloFlow("hello"));
        var done = await manager.StartAsync("hello");
        Assert.Equal("Finished", done["status"].Str());
        var problem = await (await manager.PostAsync($"{Instances}/{done["id"].Str()}/retry", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("faulted", problem["detail"].Str());
        await (await manager.PostAsync($"{Instances}/nope/retry", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.PostAsync($"{Instances}/nope/cancel", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.GetAsync($"{Instances}/nope")).ProblemAsync(HttpStatusCode.NotFound);

        var actions = (await app.AuditAsync()).Where(a => a.EntityType == "WorkflowInstance" && a.EntityId == id).Select(a => a.Action).ToList();
        Assert.Equal(["start", "retry", "cancel"], actions);
    }

    [Fact]
    public async Task Start_UnknownDefinition_Is404_BadBody_Is400()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await (await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = "ghost" })).ProblemAsync(HttpStatusCode.NotFound);
        var missing = await (await manager.PostJsonAsync(Instances, new JsonObject { ["input"] = new JsonObject() })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(missing["errors"]!["definitionId"]);
        var wrongType = await (await manager.PostRawAsync(Instances, "{\"definitionId\": \"x\", \"input\": \"not an object\"}")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(wrongType["errors"]!["input"]);
    }

    [Fact]
    public async Task List_FiltersAndPages_NewestFirst()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow("waits"));
        await manager.CreateAndPublishAsync(HelloFlow("hello"));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await manager.StartAsync("waits", correlationId: $"c{i}"))["id"].Str());
        var finished = (await manager.StartAsync("hello"))["id"].Str();

        var scheduler = await app.LoginAsync(ReconnectApp.Scheduler);
        var page1 = await (await scheduler.GetAsync($"{Instances}?definitionId=waits&pageSize=2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([ids[4], ids[3]], page1["items"]!.AsArray().Select(i => i!["id"].Str()));
        Assert.True(page1["hasMore"]!.GetValue<bool>());
        var page3 = await (await scheduler.GetAsync($"{Instances}?definitionId=waits&pageSize=2&page=3")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([ids[0]], page3["items"]!.AsArray().Select(i => i!["id"].Str()));
        Assert.False(page3["hasMore"]!.GetValue<bool>());

        var byStatus = await (await scheduler.GetAsync($"{Instances}?status=finished")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([finished], byStatus["items"]!.AsArray().Select(i => i!["id"].Str()));
        var byCorrelation = await (await scheduler.GetAsync($"{Instances}?correlationId=c2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([ids[2]], byCorrelation["items"]!.AsArray().Select(i => i!["id"].Str()));

        var bad = await (await scheduler.GetAsync($"{Instances}?status=Sleeping&pageSize=500&page=0")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["status"]);
        Assert.NotNull(bad["errors"]!["pageSize"]);
        Assert.NotNull(bad["errors"]!["page"]);
    }
}
