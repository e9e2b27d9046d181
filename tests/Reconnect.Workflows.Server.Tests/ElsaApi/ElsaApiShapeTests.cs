using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;
using static Reconnect.Workflows.Server.Tests.ElsaApi.ElsaApiServer;

namespace Reconnect.Workflows.Server.Tests.ElsaApi;

/// <summary>
/// Each /elsa/api read against the JSON Elsa Studio 3.8's client (Elsa.Api.Client) deserialises: field names, enums as
/// their names, Elsa's list and paged-list shapes, pages from 0, and problem details for bad input.
/// </summary>
public class ElsaApiShapeTests(ElsaApiServer server) : IClassFixture<ElsaApiServer>
{
    private const string Pathway = "reconnect-referral-pathway";

    /// <summary>The UI hints Studio 3.8 has editors for (docs/elsa-api.md).</summary>
    private static readonly HashSet<string> StudioHints =
        ["singleline", "multiline", "checkbox", "datetime-picker", "dropdown", "dynamic-outcomes", "flow-switch-editor", "switch-editor", "variable-picker", "http-status-codes", "code-editor"];

    private static readonly string[] Kinds = ["Action", "Trigger", "Job", "Task"];

    private static JsonArray Items(JsonObject list) => (JsonArray)list["items"]!;

    [Fact]
    public async Task ListDefinitions_StudioFirstPageQuery_AnswersPagedListOfSummaries()
    {
        var list = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions?versionOptions=Latest&Page=0&PageSize=10&SearchTerm=&IsSystem=False&OrderDirection=Ascending"))
            .JsonAsync(HttpStatusCode.OK);
        var items = Items(list);
        Assert.True(list["totalCount"]!.GetValue<long>() >= 4);
        var pathway = items.Single(i => i!["definitionId"].Str() == Pathway)!;
        Assert.Equal("RECONNECT referral pathway", pathway["name"].Str());
        Assert.Equal($"{Pathway}:v{pathway["version"].Int()}", pathway["id"].Str());
        Assert.True(pathway["isLatest"]!.GetValue<bool>());
        Assert.True(pathway["isPublished"]!.GetValue<bool>());
        Assert.Equal("Json", pathway["materializerName"].Str());
        Assert.True(pathway["isMaterializerAvailable"]!.GetValue<bool>());
        Assert.NotNull(pathway["createdAt"]);
        var names = items.Select(i => i!["name"].Str()).ToList();
        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase), names);
        Assert.Contains(((JsonArray)list["links"]!), l => l!["rel"].Str() == "bulk-publish");
    }

    [Fact]
    public async Task ListDefinitions_PageSizeOne_PagesFromZeroWithTotalCount()
    {
        var first = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions?Page=0&PageSize=1")).JsonAsync(HttpStatusCode.OK);
        var second = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions?Page=1&PageSize=1&OrderDirection=Ascending")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(Items(first));
        Assert.Single(Items(second));
        Assert.Equal(first["totalCount"]!.GetValue<long>(), second["totalCount"]!.GetValue<long>());
        Assert.NotEqual(Items(first)[0]!["id"].Str(), Items(second)[0]!["id"].Str());
    }

    [Fact]
    public async Task ListDefinitions_PublishedWithDefinitionIds_OnlyThosePublishedVersions()
    {
        var list = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions?versionOptions=Published&DefinitionIds={FlowId}&DefinitionIds={FaultId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([FlowId, FaultId], Items(list).Select(i => i!["definitionId"].Str()).Order(StringComparer.Ordinal));
        Assert.All(Items(list), i => Assert.True(i!["isPublished"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task ListDefinitions_IsSystemTrue_Empty()
    {
        var list = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions?IsSystem=True")).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(Items(list));
        Assert.Equal(0, list["totalCount"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("versionOptions=Newest")]
    [InlineData("Page=-1&PageSize=10")]
    [InlineData("PageSize=0")]
    [InlineData("IsSystem=maybe")]
    [InlineData("OrderDirection=Sideways")]
    [InlineData("OrderBy=Colour")]
    public async Task ListDefinitions_BadQuery_400Problem(string query)
    {
        var problem = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions?{query}")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]);
        Assert.NotNull(problem["detail"]);
    }

    [Fact]
    public async Task ListDefinitions_Scheduler_NoBulkPublishLink()
    {
        var list = await (await server.Scheduler.GetAsync($"{Elsa}/workflow-definitions")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(((JsonArray)list["links"]!), l => l!["rel"].Str() == "bulk-publish");
    }

    [Fact]
    public async Task GetByDefinitionId_Pathway_EveryActivityHasVersionAndUniqueNodeId_AndPublishLink()
    {
        var definition = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-definition-id/{Pathway}?versionOptions=Latest")).JsonAsync(HttpStatusCode.OK);
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ReconnectApp.RepositoryWorkflows, $"{Pathway}.json")))!;
        var activities = (JsonArray)definition["root"]!["activities"]!;
        Assert.Equal(((JsonArray)file["root"]!["activities"]!).Count, activities.Count);
        Assert.Equal(((JsonArray)file["root"]!["connections"]!).Count, ((JsonArray)definition["root"]!["connections"]!).Count);
        Assert.All(activities, a => Assert.Equal(1, a!["version"].Int()));
        var nodeIds = activities.Select(a => a!["nodeId"].Str()).ToList();
        Assert.Equal(nodeIds.Count, nodeIds.Distinct().Count());
        Assert.Equal($"{definition["root"]!["id"].Str()}:start", activities.Single(a => a!["id"].Str() == "start")!["nodeId"].Str());
        Assert.True(definition["isLatest"]!.GetValue<bool>());
        Assert.False(definition["isReadonly"]!.GetValue<bool>());
        Assert.False(definition["isSystem"]!.GetValue<bool>());
        Assert.Equal("Json", definition["materializerName"].Str());
        Assert.NotNull(definition["toolVersion"]);
        Assert.IsType<JsonObject>(definition["options"]);
        Assert.IsType<JsonArray>(definition["outcomes"]);
        Assert.IsType<JsonArray>(definition["outputs"]);
        Assert.Contains((JsonArray)definition["links"]!, l => l!["rel"].Str() == "publish" && l["method"].Str() == "POST");
    }

    [Fact]
    public async Task GetByDefinitionId_Scheduler_ReadOnlyWithoutPublishLink()
    {
        var definition = await (await server.Scheduler.GetAsync($"{Elsa}/workflow-definitions/by-definition-id/{Pathway}")).JsonAsync(HttpStatusCode.OK);
        Assert.True(definition["isReadonly"]!.GetValue<bool>());
        Assert.DoesNotContain((JsonArray)definition["links"]!, l => l!["rel"].Str() == "publish");
    }

    [Theory]
    [InlineData("no-such-workflow", "Latest", HttpStatusCode.NotFound)]
    [InlineData(FlowId, "Draft", HttpStatusCode.NotFound)]
    [InlineData(FlowId, "7", HttpStatusCode.NotFound)]
    [InlineData(FlowId, "Sometimes", HttpStatusCode.BadRequest)]
    [InlineData(FlowId, "0", HttpStatusCode.BadRequest)]
    public async Task GetByDefinitionId_MissingOrBadVersion_Problem(string definitionId, string versionOptions, HttpStatusCode expected) =>
        await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-definition-id/{definitionId}?versionOptions={versionOptions}")).ProblemAsync(expected);

    [Fact]
    public async Task GetById_VersionId_ThatVersion_AndUnknownIs404()
    {
        var definition = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-id/{FlowId}:v1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal($"{FlowId}:v1", definition["id"].Str());
        Assert.Equal(FlowId, definition["definitionId"].Str());
        Assert.Equal(1, definition["version"].Int());
        await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-id/{FlowId}:v9")).ProblemAsync(HttpStatusCode.NotFound);
        await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-id/not-a-version-id")).ProblemAsync(HttpStatusCode.NotFound);
        var many = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/many-by-id?ids={FlowId}:v1&ids=nope:v1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, many["count"].Int());
    }

    [Fact]
    public async Task IsNameUnique_TakenAndFreeNames_AnswersIsUnique()
    {
        var taken = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/validation/is-name-unique?name=reconnect%20REFERRAL%20pathway")).JsonAsync(HttpStatusCode.OK);
        Assert.False(taken["isUnique"]!.GetValue<bool>());
        var own = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/validation/is-name-unique?name=RECONNECT%20referral%20pathway&definitionId={Pathway}")).JsonAsync(HttpStatusCode.OK);
        Assert.True(own["isUnique"]!.GetValue<bool>());
        var free = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/validation/is-name-unique?name=Something%20new")).JsonAsync(HttpStatusCode.OK);
        Assert.True(free["isUnique"]!.GetValue<bool>());
        await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/validation/is-name-unique")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ActivityDescriptors_EveryPathwayActivity_DescribedAtVersion1WithStudioHintsAndFlowPorts()
    {
        var list = await (await server.Manager.GetAsync($"{Elsa}/descriptors/activities?Refresh=True")).JsonAsync(HttpStatusCode.OK);
        var items = Items(list);
        Assert.Equal(items.Count, list["count"].Int());
        var byType = items.ToDictionary(d => d!["typeName"].Str(), d => (JsonObject)d!);
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ReconnectApp.RepositoryWorkflows, $"{Pathway}.json")))!;
        foreach (var type in ((JsonArray)file["root"]!["activities"]!).Select(a => a!["type"].Str()).Append("Elsa.Flowchart").Distinct())
        {
            Assert.True(byType.ContainsKey(type), $"no descriptor for {type}");
            Assert.Equal(1, byType[type]["version"].Int());
        }
        Assert.Contains(byType.Keys, t => t.StartsWith("Reconnect.", StringComparison.Ordinal));
        foreach (var d in byType.Values)
        {
            Assert.Equal(d["typeName"].Str(), $"{d["namespace"].Str()}.{d["name"].Str()}");
            Assert.Contains(d["kind"].Str(), Kinds);
            var ports = ((JsonArray)d["ports"]!).Select(p => p!["name"].Str()).ToList();
            Assert.Equal(ports.Count, ports.Distinct().Count());
            Assert.All((JsonArray)d["ports"]!, p => Assert.Equal("Flow", p!["type"].Str()));
            foreach (var input in (JsonArray)d["inputs"]!)
            {
                Assert.Contains(input!["uiHint"].Str(), StudioHints);
                Assert.NotNull(input["typeName"]);
                Assert.NotNull(input["isWrapped"]);
                Assert.NotNull(input["defaultSyntax"]);
            }
        }
        var task = byType["Reconnect.NavigatorTask"];
        Assert.Empty((JsonArray)task["ports"]!);
        Assert.Contains((JsonArray)task["inputs"]!, i => i!["uiHint"].Str() == "dynamic-outcomes");
        Assert.Equal(["True", "False"], ((JsonArray)byType["Elsa.FlowDecision"]["ports"]!).Select(p => p!["name"].Str()));
        Assert.Contains((JsonArray)byType["Elsa.FlowSwitch"]["inputs"]!, i => i!["uiHint"].Str() == "flow-switch-editor" && !i["isWrapped"]!.GetValue<bool>());
        Assert.True(byType["Elsa.Flowchart"]["isContainer"]!.GetValue<bool>());
        Assert.True(byType["Elsa.Start"]["isStart"]!.GetValue<bool>());
        Assert.True(byType["Elsa.Finish"]["isTerminal"]!.GetValue<bool>());
        var dropdown = byType.Values.SelectMany(d => (JsonArray)d["inputs"]!).First(i => i!["uiHint"].Str() == "dropdown")!;
        Assert.NotEmpty((JsonArray)dropdown["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!);
    }

    [Fact]
    public async Task Descriptors_ExpressionVariableStorageStrategiesFeatures_ElsaListShapes()
    {
        var expressions = await (await server.Manager.GetAsync($"{Elsa}/descriptors/expression-descriptors")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(Items(expressions), e => e!["type"].Str() == "JavaScript" && e["properties"]!["MonacoLanguage"].Str() == "javascript");
        Assert.Contains(Items(expressions), e => e!["type"].Str() == "Literal" && e["isBrowsable"]!.GetValue<bool>());
        Assert.Equal(Items(expressions).Count, expressions["count"].Int());

        var variables = await (await server.Manager.GetAsync($"{Elsa}/descriptors/variables")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(Items(variables), v => v!["typeName"].Str() == "String" && v["category"] is not null && v["displayName"] is not null);
        var storage = await (await server.Manager.GetAsync($"{Elsa}/descriptors/storage-drivers")).JsonAsync(HttpStatusCode.OK);
        Assert.All(Items(storage), s => { Assert.NotNull(s!["typeName"]); Assert.NotNull(s["displayName"]); Assert.NotNull(s["priority"]); });

        foreach (var path in new[] { "workflow-activation-strategies", "log-persistence-strategies", "incident-strategies" })
        {
            var list = await (await server.Manager.GetAsync($"{Elsa}/descriptors/{path}")).JsonAsync(HttpStatusCode.OK);
            Assert.NotEmpty(Items(list));
            Assert.All(Items(list), s => { Assert.NotNull(s!["typeName"]); Assert.NotNull(s["displayName"]); });
        }
        foreach (var path in new[] { "commit-strategies/workflows", "commit-strategies/activities" })
        {
            var list = await (await server.Manager.GetAsync($"{Elsa}/descriptors/{path}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, list["count"].Int());
        }
        var converters = await (await server.Manager.GetAsync($"{Elsa}/descriptors/output-converters")).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(Items(converters));
        var features = await (await server.Manager.GetAsync($"{Elsa}/features/installed")).JsonAsync(HttpStatusCode.OK);
        Assert.All(Items(features), f => Assert.Equal($"{f!["namespace"].Str()}.{f["name"].Str()}", f["fullName"].Str()));
        Assert.DoesNotContain(Items(features), f => f!["fullName"].Str() == "Elsa.RealTimeWorkflowUpdates");
    }

    [Fact]
    public async Task ListInstances_PostFilterRunning_WaitingInstanceAsRunningSuspended()
    {
        var list = await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-instances",
            new JsonObject { ["page"] = 0, ["pageSize"] = 10, ["definitionIds"] = new JsonArray(FlowId), ["statuses"] = new JsonArray("Running"), ["orderDirection"] = "Descending" }))
            .JsonAsync(HttpStatusCode.OK);
        var item = Items(list).Single()!;
        Assert.Equal(1, list["totalCount"]!.GetValue<long>());
        Assert.Equal(server.WaitingId, item["id"].Str());
        Assert.Equal("Running", item["status"].Str());
        Assert.Equal("Suspended", item["subStatus"].Str());
        Assert.Equal($"{FlowId}:v1", item["definitionVersionId"].Str());
        Assert.Equal(1, item["version"].Int());
        Assert.Equal("elsa-1", item["correlationId"].Str());
        Assert.Equal(0, item["incidentCount"].Int());
        Assert.NotNull(item["createdAt"]);
        Assert.NotNull(item["updatedAt"]);
    }

    [Fact]
    public async Task ListInstances_GetWithSubStatusFaulted_FaultedInstanceWithIncident()
    {
        var list = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances?SubStatus=Faulted&DefinitionId={FaultId}")).JsonAsync(HttpStatusCode.OK);
        var item = Items(list).Single()!;
        Assert.Equal(server.FaultedId, item["id"].Str());
        Assert.Equal("Finished", item["status"].Str());
        Assert.Equal("Faulted", item["subStatus"].Str());
        Assert.Equal(1, item["incidentCount"].Int());
        var none = await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-instances",
            new JsonObject { ["status"] = "Running", ["subStatuses"] = new JsonArray("Finished") })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, none["totalCount"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("{\"statuses\":[\"Sleeping\"]}")]
    [InlineData("{\"page\":-1}")]
    [InlineData("{\"pageSize\":100000}")]
    [InlineData("{\"orderDirection\":\"Up\"}")]
    [InlineData("[1,2]")]
    [InlineData("{\"page\":0,\"page\":1}")]
    [InlineData("{not json")]
    public async Task ListInstances_BadFilter_400Problem(string body) =>
        await (await server.Manager.PostRawAsync($"{Elsa}/workflow-instances", body)).ProblemAsync(HttpStatusCode.BadRequest);

    [Fact]
    public async Task GetInstance_Waiting_StateWithBookmarkOnTheDefinitionsNode()
    {
        var instance = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{server.WaitingId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Running", instance["status"].Str());
        Assert.Equal("Suspended", instance["subStatus"].Str());
        Assert.Equal($"{FlowId}:v1", instance["definitionVersionId"].Str());
        var state = instance["workflowState"]!;
        Assert.Equal(server.WaitingId, state["id"].Str());
        Assert.Equal("Suspended", state["subStatus"].Str());
        var bookmark = ((JsonArray)state["bookmarks"]!).Single()!;
        var definition = await (await server.Manager.GetAsync($"{Elsa}/workflow-definitions/by-id/{instance["definitionVersionId"].Str()}")).JsonAsync(HttpStatusCode.OK);
        var wait = ((JsonArray)definition["root"]!["activities"]!).Single(a => a!["id"].Str() == "wait")!;
        Assert.Equal(wait["nodeId"].Str(), bookmark["activityNodeId"].Str());
        Assert.Equal("elsa-go", bookmark["payload"]!["eventName"].Str());
        Assert.IsType<JsonArray>(state["incidents"]);
        Assert.IsType<JsonArray>(state["activityExecutionContexts"]);
        await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/no-such-instance")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetInstance_Faulted_FaultAndIncidentOnItsNode()
    {
        var instance = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{server.FaultedId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", instance["status"].Str());
        Assert.Equal("Faulted", instance["subStatus"].Str());
        Assert.Equal(1, instance["incidentCount"].Int());
        var incident = ((JsonArray)instance["workflowState"]!["incidents"]!).Single()!;
        Assert.Equal("boom", incident["activityId"].Str());
        Assert.Equal("flowchart:boom", incident["activityNodeId"].Str());
        Assert.NotNull(instance["workflowState"]!["fault"]!["message"]);
        var state = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{server.FaultedId}/execution-state")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", state["status"].Str());
        Assert.Equal("Faulted", state["workflowSubStatus"].Str());
    }

    [Fact]
    public async Task Journal_WaitingInstance_ElsaLogRecordsPagedBySkipTake()
    {
        var journal = await (await server.Manager.PostJsonAsync($"{Elsa}/workflow-instances/{server.WaitingId}/journal", new JsonObject())).JsonAsync(HttpStatusCode.OK);
        var items = Items(journal);
        Assert.Equal(items.Count, journal["totalCount"].Int());
        Assert.Equal("Started", items[0]!["eventName"].Str());
        Assert.Contains(items, i => i!["eventName"].Str() == "Completed" && i["activityId"].Str() == "start" && i["nodeId"].Str() == "flowchart:start");
        Assert.Contains(items, i => i!["eventName"].Str() == "Suspended" && i["activityId"].Str() == "wait" && i["activityType"].Str() == "Elsa.Event");
        Assert.All(items, i =>
        {
            Assert.Equal(1, i!["activityTypeVersion"].Int());
            Assert.NotNull(i["timestamp"]);
            Assert.NotNull(i["sequence"]);
            Assert.NotNull(i["activityInstanceId"]);
        });
        var page = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{server.WaitingId}/journal?skip=1&take=1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(items[1]!["id"].Str(), Items(page).Single()!["id"].Str());
        Assert.Equal(items.Count, page["totalCount"].Int());
        await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{server.WaitingId}/journal?take=0")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ActivityExecutionReport_WaitingInstance_StartCompletedAndWaitBlocked()
    {
        var report = await (await server.Manager.PostJsonAsync($"{Elsa}/activity-executions/report", new JsonObject
        {
            ["workflowInstanceId"] = server.WaitingId,
            ["activityNodeIds"] = new JsonArray("flowchart:start", "flowchart:wait", "flowchart:log"),
        })).JsonAsync(HttpStatusCode.OK);
        var stats = ((JsonArray)report["stats"]!).ToDictionary(s => s!["activityNodeId"].Str(), s => s!);
        Assert.Equal(1, stats["flowchart:start"]["completedCount"].Int());
        Assert.False(stats["flowchart:start"]["isBlocked"]!.GetValue<bool>());
        Assert.True(stats["flowchart:wait"]["isBlocked"]!.GetValue<bool>());
        Assert.Equal(1, stats["flowchart:wait"]["uncompletedCount"].Int());
        Assert.Equal(0, stats["flowchart:log"]["startedCount"].Int());
        await (await server.Manager.PostJsonAsync($"{Elsa}/activity-executions/report", new JsonObject())).ProblemAsync(HttpStatusCode.BadRequest);
        await (await server.Manager.PostJsonAsync($"{Elsa}/activity-executions/report", new JsonObject { ["workflowInstanceId"] = "nope" })).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ActivityExecutions_WaitingInstance_CompletedStartAndRunningWait_SummariesAndById()
    {
        var list = await (await server.Manager.GetAsync($"{Elsa}/activity-executions/list?workflowInstanceId={server.WaitingId}")).JsonAsync(HttpStatusCode.OK);
        var items = Items(list);
        Assert.Equal(items.Count, list["count"].Int());
        var start = items.Single(e => e!["activityId"].Str() == "start")!;
        Assert.Equal("Completed", start["status"].Str());
        Assert.Equal("flowchart:start", start["activityNodeId"].Str());
        Assert.Equal(server.WaitingId, start["workflowInstanceId"].Str());
        Assert.NotNull(start["completedAt"]);
        var wait = items.Single(e => e!["activityId"].Str() == "wait")!;
        Assert.Equal("Running", wait["status"].Str());
        Assert.True(wait["hasBookmarks"]!.GetValue<bool>());
        Assert.Null(wait["completedAt"]);

        var summaries = await (await server.Manager.GetAsync($"{Elsa}/activity-execution-summaries/list?workflowInstanceId={server.WaitingId}&activityNodeId=flowchart:wait")).JsonAsync(HttpStatusCode.OK);
        var summary = Items(summaries).Single()!;
        Assert.Equal(wait["id"].Str(), summary["id"].Str());
        Assert.Equal("Elsa.Event", summary["activityType"].Str());
        Assert.Null(summary["activityState"]);

        var byId = await (await server.Manager.GetAsync($"{Elsa}/activity-executions/by-id?id={Uri.EscapeDataString(start["id"].Str())}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("start", byId["activityId"].Str());
        await (await server.Manager.GetAsync($"{Elsa}/activity-executions/by-id?id=nope:start:1")).ProblemAsync(HttpStatusCode.NotFound);
        await (await server.Manager.GetAsync($"{Elsa}/activity-executions/list")).ProblemAsync(HttpStatusCode.BadRequest);

        var faulted = await (await server.Manager.GetAsync($"{Elsa}/activity-executions/list?workflowInstanceId={server.FaultedId}&activityNodeId=flowchart:boom")).JsonAsync(HttpStatusCode.OK);
        var boom = Items(faulted).Single()!;
        Assert.Equal("Faulted", boom["status"].Str());
        Assert.NotNull(boom["exception"]!["message"]);
    }

    [Fact]
    public async Task Variables_WaitingInstance_ResolvedWithTheDefinitionsIds()
    {
        var variables = await (await server.Manager.GetAsync($"{Elsa}/workflow-instances/{server.WaitingId}/variables")).JsonAsync(HttpStatusCode.OK);
        var count = Items(variables).Single(v => v!["name"].Str() == "Count")!;
        Assert.Equal("v-count", count["id"].Str());
        Assert.Equal(3, count["value"].Int());
    }
}
