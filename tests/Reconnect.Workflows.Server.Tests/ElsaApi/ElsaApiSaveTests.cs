using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;
using static Reconnect.Workflows.Server.Tests.ElsaApi.ElsaApiServer;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.ElsaApi;

/// <summary>
/// Studio's save (<c>{model, publish}</c>, also its autosave), publish, retract and bulk publish through /elsa/api: what is
/// stored, what is refused and how, who may, and that a version published there is the one our referrals then run.
/// </summary>
public class ElsaApiSaveTests(ElsaApiServer server) : IClassFixture<ElsaApiServer>
{
    private const string Save = $"{Elsa}/workflow-definitions";

    private static JsonObject Request(JsonObject model, bool publish) => new() { ["model"] = model, ["publish"] = publish };

    private static JsonObject Broken(string definitionId)
    {
        var model = HelloFlow(definitionId);
        ((JsonArray)model["root"]!["activities"]!).Add(Activity("ghost", "Elsa.NoSuchActivity"));
        ((JsonArray)model["root"]!["connections"]!).Add(Connection("log", "ghost"));
        return model;
    }

    [Fact]
    public async Task Save_NewModelAsDraft_201WithElsaDefinitionAndAudited()
    {
        var response = await server.Manager.PostJsonAsync(Save, Request(HelloFlow("elsa-new"), publish: false));
        var answer = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("true", response.Headers.GetValues(Reconnect.Workflows.Server.ElsaApi.ElsaDefinitionsApi.DraftStoredHeader).Single());
        var definition = answer["workflowDefinition"]!;
        Assert.Equal("elsa-new:v1", definition["id"].Str());
        Assert.False(definition["isPublished"]!.GetValue<bool>());
        Assert.True(definition["isLatest"]!.GetValue<bool>());
        Assert.False(answer["alreadyPublished"]!.GetValue<bool>());
        Assert.Equal(0, answer["consumingWorkflowCount"].Int());
        Assert.Contains((JsonArray)definition["links"]!, l => l!["rel"].Str() == "publish");
        var audit = await server.App.AuditAsync();
        Assert.Contains(audit, a => a.Action == "create" && a.EntityId == "elsa-new");
    }

    [Fact]
    public async Task Save_StudioNewWorkflowWithEmptyFlowchartAndNoId_CreatedWithStartAndFinish()
    {
        var model = new JsonObject
        {
            ["name"] = "Made in Studio", ["description"] = "new", ["definitionId"] = "",
            ["root"] = new JsonObject { ["type"] = "Elsa.Flowchart", ["id"] = "Flowchart1", ["version"] = 1, ["activities"] = new JsonArray(), ["connections"] = new JsonArray() },
        };
        var answer = await (await server.Manager.PostJsonAsync(Save, Request(model, publish: false))).JsonAsync(HttpStatusCode.Created);
        var definition = answer["workflowDefinition"]!;
        Assert.StartsWith("made-in-studio-", definition["definitionId"].Str());
        Assert.Equal("Made in Studio", definition["name"].Str());
        Assert.Equal(["Elsa.Start", "Elsa.Finish"], ((JsonArray)definition["root"]!["activities"]!).Select(a => a!["type"].Str()));
    }

    [Fact]
    public async Task Save_AutosaveOfDraftWithErrors_200NotStoredWithProblems_PublishRefused400()
    {
        await (await server.Manager.PostJsonAsync(Save, Request(HelloFlow("elsa-autosave"), publish: false))).JsonAsync(HttpStatusCode.Created);

        var response = await server.Manager.PostJsonAsync(Save, Request(Broken("elsa-autosave"), publish: false));
        var answer = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("false", response.Headers.GetValues(Reconnect.Workflows.Server.ElsaApi.ElsaDefinitionsApi.DraftStoredHeader).Single());
        Assert.Contains((JsonArray)answer["problems"]!, p => p!["activityId"]?.GetValue<string>() == "ghost" && p["severity"].Str() == "error");
        Assert.Equal(3, ((JsonArray)answer["workflowDefinition"]!["root"]!["activities"]!).Count);
        Assert.Equal("elsa-autosave:v1", answer["workflowDefinition"]!["id"].Str());

        var stored = await (await server.Manager.GetAsync($"{Definitions}/elsa-autosave")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, ((JsonArray)stored["root"]!["activities"]!).Count);

        var refused = await (await server.Manager.PostJsonAsync(Save, Request(Broken("elsa-autosave"), publish: true))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("activities.ghost", ((JsonObject)refused["errors"]!).Select(e => e.Key));
        Assert.Contains("ghost", refused["detail"].Str());
        var versions = await (await server.Manager.GetAsync($"{Definitions}/elsa-autosave/versions")).ArrayAsync();
        Assert.False(versions.Single()!["isPublished"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Save_PublishUnchangedPublished_AlreadyPublishedAndNoNewVersion()
    {
        var first = await (await server.Manager.PostJsonAsync(Save, Request(HelloFlow("elsa-same"), publish: true))).JsonAsync(HttpStatusCode.Created);
        Assert.True(first["workflowDefinition"]!["isPublished"]!.GetValue<bool>());
        var again = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-definition-id/elsa-same")).JsonAsync(HttpStatusCode.OK);
        var second = await (await server.Manager.PostJsonAsync(Save, Request(again, publish: true))).JsonAsync(HttpStatusCode.OK);
        Assert.True(second["alreadyPublished"]!.GetValue<bool>());
        Assert.Single(await (await server.Manager.GetAsync($"{Definitions}/elsa-same/versions")).ArrayAsync());
    }

    [Fact]
    public async Task Save_ModelWithVersionIdOnly_SavesToThatDefinition()
    {
        await (await server.Manager.PostJsonAsync(Save, Request(HelloFlow("elsa-byid"), publish: true))).JsonAsync(HttpStatusCode.Created);
        var model = HelloFlow("elsa-byid", "second");
        model.Remove("definitionId");
        model["id"] = "elsa-byid:v1";
        var answer = await (await server.Manager.PostJsonAsync(Save, Request(model, publish: false))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("elsa-byid:v2", answer["workflowDefinition"]!["id"].Str());
        Assert.Equal(2, (await (await server.Manager.GetAsync($"{Definitions}/elsa-byid/versions")).ArrayAsync()).Count);
    }

    [Fact]
    public async Task PublishAndRetract_ByDefinitionId_ElsaShapes()
    {
        await (await server.Manager.PostJsonAsync(Save, Request(HelloFlow("elsa-pub"), publish: false))).JsonAsync(HttpStatusCode.Created);
        var published = await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-definitions/elsa-pub/publish", new JsonObject())).JsonAsync(HttpStatusCode.OK);
        Assert.True(published["workflowDefinition"]!["isPublished"]!.GetValue<bool>());
        Assert.False(published["alreadyPublished"]!.GetValue<bool>());
        var retracted = await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-definitions/elsa-pub/retract", new JsonObject())).JsonAsync(HttpStatusCode.OK);
        Assert.False(retracted["isPublished"]!.GetValue<bool>());
        await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-definitions/elsa-pub/retract", new JsonObject())).ProblemAsync(HttpStatusCode.Conflict);
        await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-definitions/nothing-here/publish", new JsonObject())).ProblemAsync(HttpStatusCode.NotFound);

        var bulk = await (await server.Manager.PostJsonAsync($"{Elsa}/bulk-actions/publish/workflow-definitions/by-definition-ids",
            new JsonObject { ["definitionIds"] = new JsonArray("elsa-pub", FlowId, "nothing-here") })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["elsa-pub"], ((JsonArray)bulk["published"]!).Select(n => n.Str()));
        Assert.Equal([FlowId], ((JsonArray)bulk["alreadyPublished"]!).Select(n => n.Str()));
        Assert.Equal(["nothing-here"], ((JsonArray)bulk["notFound"]!).Select(n => n.Str()));
        Assert.Empty((JsonArray)bulk["updatedConsumers"]!);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{}")]
    [InlineData("{\"model\": 3}")]
    [InlineData("{\"model\": {}, \"model\": {}}")]
    [InlineData("{\"model\": {\"definitionId\": \"x\", \"definitionId\": \"y\", \"root\": {\"type\": \"Elsa.Flowchart\"}}}")]
    [InlineData("{\"model\": {\"definitionId\": \"x\"}}")]
    [InlineData("{\"model\": {\"definitionId\": \"x\", \"root\": {\"type\": \"Elsa.Flowchart\"}}, \"publish\": \"yes\"}")]
    [InlineData("{\"model\": {\"definitionId\": \"bad id!\", \"root\": {\"type\": \"Elsa.Flowchart\", \"activities\": []}}}")]
    public async Task Save_BadBody_400ProblemWithDetail(string body)
    {
        var problem = await (await server.Manager.PostRawAsync(Save, body)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]);
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Changes_NonManagers_403AndAnonymous401_NothingStored()
    {
        foreach (var client in new[] { server.Scheduler, server.Navigator })
        {
            await (await client.PostJsonAsync(Save, Request(HelloFlow("elsa-refused"), publish: true))).ProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PostJsonAsync($"{Elsa}/workflow-definitions/{FlowId}/retract", new JsonObject())).ProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PostJsonAsync($"{Elsa}/workflow-definitions/{FlowId}/publish", new JsonObject())).ProblemAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.PostJsonAsync(Save, Request(HelloFlow("elsa-refused"), publish: false))).StatusCode);
        await (await server.Manager.GetAsync($"{Definitions}/elsa-refused")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reads_Navigator_403_Anonymous_401()
    {
        foreach (var url in new[] { $"{Elsa}/workflow-definitions", $"{Elsa}/descriptors/activities", $"{Elsa}/workflow-instances/{server.WaitingId}" })
        {
            await (await server.Navigator.GetAsync(url)).ProblemAsync(HttpStatusCode.Forbidden);
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.GetAsync(url)).StatusCode);
        }
        await (await server.Navigator.PostJsonAsync($"{Elsa}/workflow-instances", new JsonObject())).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RoundTrip_PathwayEditedAndPublishedViaElsaApi_OurApiShowsItAndNewReferralRunsIt()
    {
        const string pathway = "reconnect-referral-pathway";
        var before = await (await server.Manager.GetAsync($"{Definitions}/{pathway}/versions")).ArrayAsync();
        var oldVersion = before.Max(v => v!["version"].Int());

        // as Studio: open the latest, change an activity's property, save with publish
        var model = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-definition-id/{pathway}?versionOptions=Latest")).JsonAsync(HttpStatusCode.OK);
        var task = ((JsonArray)model["root"]!["activities"]!).First(a => a!["type"].Str() == "Reconnect.NavigatorTask")!;
        var taskId = task["id"].Str();
        task["name"] = "Edited in Elsa Studio";
        var answer = await (await server.Manager.PostJsonAsync(Save, Request(model, publish: true))).JsonAsync(HttpStatusCode.OK);
        Assert.False(answer["alreadyPublished"]!.GetValue<bool>());
        Assert.Equal(oldVersion + 1, answer["workflowDefinition"]!["version"].Int());
        Assert.True(answer["workflowDefinition"]!["isPublished"]!.GetValue<bool>());

        // our API: the new version is published, holds the change and Studio's node ids, and validates
        var versions = await (await server.Manager.GetAsync($"{Definitions}/{pathway}/versions")).ArrayAsync();
        var latest = versions.Single(v => v!["isLatest"]!.GetValue<bool>())!;
        Assert.Equal(oldVersion + 1, latest["version"].Int());
        Assert.True(latest["isPublished"]!.GetValue<bool>());
        var stored = await (await server.Manager.GetAsync($"{Definitions}/{pathway}?version={oldVersion + 1}")).JsonAsync(HttpStatusCode.OK);
        var storedTask = ((JsonArray)stored["root"]!["activities"]!).Single(a => a!["id"].Str() == taskId)!;
        Assert.Equal("Edited in Elsa Studio", storedTask["name"].Str());
        Assert.NotNull(storedTask["nodeId"]);
        Assert.Null(stored["links"]);
        Assert.Null(stored["isReadonly"]);
        var validation = await (await server.Manager.PostJsonAsync($"{Definitions}/validate", stored)).JsonAsync(HttpStatusCode.OK);
        Assert.True(validation["valid"]!.GetValue<bool>());
        var audit = await server.App.AuditAsync();
        Assert.Contains(audit, a => a.Action == "save" && a.EntityId == pathway);
        Assert.Contains(audit, a => a.Action == "publish" && a.EntityId == pathway);

        // a referral started afterwards runs the new version
        var referral = await server.Manager.CreateReferralAsync(Body(server.App.Today(), PrisonNumber(7311), site: "LEI"));
        var instance = await (await server.Manager.GetAsync($"{Instances}/{referral["workflowInstanceId"].Str()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(oldVersion + 1, instance["definitionVersion"].Int());
        var elsaInstance = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{referral["workflowInstanceId"].Str()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal($"{pathway}:v{oldVersion + 1}", elsaInstance["definitionVersionId"].Str());
        Assert.Equal("Running", elsaInstance["status"].Str());
    }
}
