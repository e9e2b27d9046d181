using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Api;

public class WorkflowDefinitionsApiTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task VersionCycle_CreatePutPublishPutComparePublishRetract_RunningInstanceStaysOnV1(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var url = $"{Definitions}/cycle";

        // create → version 1 draft
        var created = await manager.PostJsonAsync(Definitions, EventFlow("cycle", text: "v1"));
        var v1 = await created.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/api/workflow-definitions/cycle", created.Headers.Location!.OriginalString);
        Assert.Equal(1, v1["version"].Int());
        Assert.False(v1["isPublished"]!.GetValue<bool>());
        await (await manager.PostJsonAsync(Definitions, EventFlow("cycle"))).ProblemAsync(HttpStatusCode.Conflict);

        // put on a draft edits it in place
        var edited = EventFlow("cycle", text: "v1 edited");
        var put = await (await manager.PutJsonAsync(url, edited)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, put["version"].Int());

        // a draft cannot be started
        await (await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = "cycle" })).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        var published = await (await manager.PostAsync($"{url}/publish", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, published["version"].Int());
        Assert.True(published["isPublished"]!.GetValue<bool>());

        var first = await manager.StartAsync("cycle", correlationId: "c-1");
        Assert.Equal("Suspended", first["status"].Str());
        Assert.Equal(1, first["definitionVersion"].Int());

        // put after publish → new draft version 2 (with one more activity and a variable)
        var v2Body = EventFlow("cycle", text: "v2");
        v2Body["variables"] = new JsonArray(new JsonObject { ["id"] = "Count", ["name"] = "Count", ["typeName"] = "Int32", ["value"] = 0 });
        ((JsonArray)v2Body["root"]!["activities"]!).Add(WriteLine("extra", "extra"));
        ((JsonArray)v2Body["root"]!["connections"]!).Add(Connection("log", "extra"));
        var v2 = await (await manager.PutJsonAsync(url, v2Body)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, v2["version"].Int());

        var versions = await (await manager.GetAsync($"{url}/versions")).ArrayAsync();
        Assert.Equal(2, versions.Count);
        Assert.True(versions[0]!["isPublished"]!.GetValue<bool>());
        Assert.False(versions[0]!["isLatest"]!.GetValue<bool>());
        Assert.NotNull(versions[0]!["publishedAt"]);
        Assert.False(versions[1]!["isPublished"]!.GetValue<bool>());
        Assert.True(versions[1]!["isLatest"]!.GetValue<bool>());
        Assert.Null(versions[1]!["publishedAt"]);

        var list = await (await manager.GetAsync(Definitions)).ArrayAsync();
        var summary = Assert.Single(list)!;
        Assert.Equal(2, summary["latestVersion"].Int());
        Assert.Equal(1, summary["publishedVersion"].Int());

        // compare
        var diff = await (await manager.GetAsync($"{url}/compare?from=1&to=2")).JsonAsync(HttpStatusCode.OK);
        Assert.False(diff["identical"]!.GetValue<bool>());
        Assert.Equal("extra", diff["activities"]!["added"]![0]!["id"].Str());
        Assert.Empty(diff["activities"]!["removed"]!.AsArray());
        var changed = Assert.Single(diff["activities"]!["changed"]!.AsArray())!;
        Assert.Equal("log", changed["id"].Str());
        Assert.Equal("text", changed["inputsChanged"]![0].Str());
        Assert.Equal("log", diff["connections"]!["added"]![0]!["source"]!["activity"].Str());
        Assert.Equal("Count", diff["variables"]!["added"]![0]!["name"].Str());

        // GET latest and a specific version
        Assert.Equal(2, (await (await manager.GetAsync(url)).JsonAsync(HttpStatusCode.OK))["version"].Int());
        var old = await (await manager.GetAsync($"{url}?version=1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("v1 edited", old["root"]!["activities"]![2]!["text"]!["expression"]!["value"].Str());
        await (await manager.GetAsync($"{url}?version=9")).ProblemAsync(HttpStatusCode.NotFound);

        // publish v2: new instances run v2, the running one stays on v1
        Assert.Equal(2, (await (await manager.PostAsync($"{url}/publish", null)).JsonAsync(HttpStatusCode.OK))["version"].Int());
        var second = await manager.StartAsync("cycle", correlationId: "c-2");
        Assert.Equal(2, second["definitionVersion"].Int());

        var resumed = await (await manager.PostJsonAsync("/api/events/go", new JsonObject { ["correlationId"] = "c-1" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, resumed["resumed"].Int());
        var firstAfter = await (await manager.GetAsync($"{Instances}/{first["id"].Str()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", firstAfter["status"].Str());
        Assert.Equal(1, firstAfter["definitionVersion"].Int());
        Assert.Contains(firstAfter["journal"]!.AsArray(), l => l!["kind"].Str() == "log" && l["detail"]!["text"].Str() == "v1 edited");

        // retract: nothing published, starting is refused, retracting again is a conflict
        var retracted = await (await manager.PostAsync($"{url}/retract", null)).JsonAsync(HttpStatusCode.OK);
        Assert.False(retracted["isPublished"]!.GetValue<bool>());
        await (await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = "cycle" })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await manager.PostAsync($"{url}/retract", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Null((await (await manager.GetAsync(Definitions)).ArrayAsync())[0]!["publishedVersion"]);

        // every change audited, with the user and no bodies
        var audit = await app.AuditAsync();
        var definitionActions = audit.Where(a => a.EntityType == "WorkflowDefinition" && a.EntityId == "cycle").Select(a => a.Action).ToList();
        Assert.Equal(["create", "save", "publish", "save", "publish", "retract"], definitionActions);
        Assert.All(audit, a => Assert.Equal(ReconnectApp.Manager, a.UserName));
        Assert.All(audit, a => Assert.False(string.IsNullOrEmpty(a.UserId)));
        Assert.Equal(2, audit.Count(a => a.Action == "start"));
        Assert.Single(audit, a => a.Action == "event" && a.EntityId == "go");
    }

    [Fact]
    public async Task Create_InvalidDefinition_Is422NamingEachActivity()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var body = Definition("broken",
            [Activity("start", "Elsa.Start"), Activity("mystery", "Acme.Unknown"), Activity("wait", "Elsa.Event")],
            [Connection("start", "wait"), Connection("wait", "nowhere")]);

        var problem = await (await manager.PostJsonAsync(Definitions, body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        var errors = problem["errors"]!.AsObject();
        Assert.Contains("activities.mystery", errors.Select(e => e.Key));
        Assert.Contains("activities.wait", errors.Select(e => e.Key));
        Assert.Contains(errors["activities.mystery"]!.AsArray(), m => m.Str().Contains("Acme.Unknown"));
        Assert.Contains(errors["activities.wait"]!.AsArray(), m => m.Str().Contains("eventName"));
        var problems = problem["problems"]!.AsArray();
        Assert.Contains(problems, p => p!["activityId"]?.GetValue<string>() == "mystery" && p["activityType"].Str() == "Acme.Unknown" && p["severity"].Str() == "error");
        Assert.Contains(problems, p => p!["activityId"]?.GetValue<string>() == "wait" && p["message"].Str().Contains("nowhere"));
        // nothing was saved
        await (await manager.GetAsync($"{Definitions}/broken")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_InvalidOrUnknown_Is422Or404_AndKeepsTheDraft()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await (await manager.PostJsonAsync(Definitions, HelloFlow("keep"))).JsonAsync(HttpStatusCode.Created);

        var bad = HelloFlow("keep");
        ((JsonArray)bad["root"]!["connections"]!).Add(Connection("log", "ghost"));
        await (await manager.PutJsonAsync($"{Definitions}/keep", bad)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await manager.PutJsonAsync($"{Definitions}/nope", HelloFlow("nope"))).ProblemAsync(HttpStatusCode.NotFound);
        var other = await (await manager.PutJsonAsync($"{Definitions}/keep", HelloFlow("other"))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(other["errors"]!["definitionId"]);

        var current = await (await manager.GetAsync($"{Definitions}/keep")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(current["root"]!["connections"]!.AsArray());
        await (await manager.PostAsync($"{Definitions}/nope/publish", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.PostAsync($"{Definitions}/nope/retract", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.GetAsync($"{Definitions}/nope/versions")).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.GetAsync($"{Definitions}/keep/compare?from=1&to=5")).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.GetAsync($"{Definitions}/keep/compare?from=x")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Validate_InvalidDefinition_Is200WithProblemsNamingActivities()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);

        var ok = await (await manager.PostJsonAsync($"{Definitions}/validate", HelloFlow("fine"))).JsonAsync(HttpStatusCode.OK);
        Assert.True(ok["valid"]!.GetValue<bool>());

        var body = Definition("v", [Activity("start", "Elsa.Start"), Activity("cron", "Elsa.Cron", ("cronExpression", Input("not a cron")))], [Connection("start", "cron")]);
        var result = await (await manager.PostJsonAsync($"{Definitions}/validate", body)).JsonAsync(HttpStatusCode.OK);
        Assert.False(result["valid"]!.GetValue<bool>());
        Assert.Contains(result["problems"]!.AsArray(), p => p!["activityId"]?.GetValue<string>() == "cron" && p["activityType"].Str() == "Elsa.Cron");

        // JSON that is not a workflow is a workflow-level problem, still 200
        var notWorkflow = await (await manager.PostRawAsync($"{Definitions}/validate", "{\"hello\": 1}")).JsonAsync(HttpStatusCode.OK);
        Assert.False(notWorkflow["valid"]!.GetValue<bool>());
        Assert.Null(notWorkflow["problems"]![0]!["activityId"]);
        // not JSON at all is a bad request
        await (await manager.PostRawAsync($"{Definitions}/validate", "{nope")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Import_ElsaCorpusFile_CreatesAndPublishes_ThenAddsAVersion(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var json = await File.ReadAllTextAsync(Path.Combine(SamplesFolder, "corpus", "BasicWorkflows__hello-world.json"));
        var definitionId = JsonNode.Parse(json)!["definitionId"].Str();

        var response = await manager.PostRawAsync($"{Definitions}/import?publish=true", json);
        var imported = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal(1, imported["version"].Int());
        Assert.True(imported["isPublished"]!.GetValue<bool>());
        Assert.EndsWith("?version=1", response.Headers.Location!.OriginalString);

        var instance = await manager.StartAsync(definitionId);
        Assert.Equal("Finished", instance["status"].Str());
        Assert.Contains(instance["journal"]!.AsArray(), l => l!["kind"].Str() == "log" && l["detail"]!["text"].Str() == "Hello World!");

        // unknown fields of the Elsa file are kept
        var stored = await (await manager.GetAsync($"{Definitions}/{definitionId}")).JsonAsync(HttpStatusCode.OK);
        Assert.NotNull(stored["root"]!["activities"]![0]!["nodeId"]);

        var again = await (await manager.PostRawAsync($"{Definitions}/import", json)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(2, again["version"].Int());
        Assert.False(again["isPublished"]!.GetValue<bool>());
        Assert.Contains(await app.AuditAsync(), a => a.Action == "import" && a.EntityId == definitionId);
    }

    [Fact]
    public async Task Import_WholeElsaCorpus_EveryFileImportsExceptTheBadCron()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var files = Directory.GetFiles(Path.Combine(SamplesFolder, "corpus"), "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(35, files.Count);
        foreach (var file in files)
        {
            var response = await manager.PostRawAsync($"{Definitions}/import", await File.ReadAllTextAsync(file));
            if (file.EndsWith("bad-cron-expression.json", StringComparison.Ordinal))
            {
                var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
                Assert.Contains(problem["problems"]!.AsArray(), p => p!["activityType"]?.GetValue<string>() == "Elsa.Cron");
            }
            else await response.JsonAsync(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task Import_ElsaHttpHelloWorld_PublishesAndAnswersAtWorkflowsPath()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var json = await File.ReadAllTextAsync(Path.Combine(SamplesFolder, "http-hello-world.json"));

        await (await manager.PostRawAsync($"{Definitions}/import?publish=true", json)).JsonAsync(HttpStatusCode.Created);

        var answer = await manager.GetAsync("/workflows/hello-world");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Hello World!", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Import_RefusedElsaType_Is422NamingTheType()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var json = (await File.ReadAllTextAsync(Path.Combine(SamplesFolder, "http-hello-world.json"))).Replace("Elsa.HttpEndpoint", "Elsa.RunCSharp");

        var problem = await (await manager.PostRawAsync($"{Definitions}/import?publish=true", json)).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem["problems"]!.AsArray(), p => p!["activityType"]?.GetValue<string>() == "Elsa.RunCSharp"
                                                             && p["message"].Str().Contains("Elsa.RunCSharp"));
        Assert.Empty(await (await manager.GetAsync(Definitions)).ArrayAsync());
    }

    [Fact]
    public async Task Import_BadPublishFlag_Is400()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await (await manager.PostJsonAsync($"{Definitions}/import?publish=maybe", HelloFlow("x"))).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ActivityDescriptors_ListsBuiltIns_WithInputsAndPorts()
    {
        await using var app = await ReconnectApp.StartAsync();
        var scheduler = await app.LoginAsync(ReconnectApp.Scheduler);
        var descriptors = await (await scheduler.GetAsync("/api/activity-descriptors")).ArrayAsync();

        var decision = descriptors.Single(d => d!["type"].Str() == "Elsa.FlowDecision")!;
        Assert.Equal(["True", "False"], decision["ports"]!.AsArray().Select(p => p.Str()));
        var condition = decision["inputs"]!.AsArray().Single(i => i!["name"].Str() == "condition")!;
        Assert.NotNull(condition["typeName"]);
        Assert.NotNull(condition["uiHint"]);
        Assert.NotNull(condition["defaultSyntax"]);
        var ev = descriptors.Single(d => d!["type"].Str() == "Elsa.Event")!;
        Assert.True(ev["isWaiting"]!.GetValue<bool>());
        Assert.Contains(descriptors, d => d!["type"].Str() == "Elsa.Cron" && d["isTrigger"]!.GetValue<bool>());
    }
}
