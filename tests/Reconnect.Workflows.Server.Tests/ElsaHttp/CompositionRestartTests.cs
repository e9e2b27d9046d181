using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Testing;

namespace Reconnect.Workflows.Server.Tests.ElsaHttp;

/// <summary>ExecuteWorkflow on the real server and database: the parent resumes exactly once when its child finishes, after a restart.</summary>
public sealed class CompositionRestartTests
{
    private static JsonObject Child() => Kit.Definition("follow-up-check",
        [Kit.Activity("wait", "Elsa.Event", ("eventName", Kit.Input("reached"))), Kit.WriteLine("cw", "child done")],
        [Kit.Connection("wait", "cw")]);

    private static JsonObject Parent() => Kit.Definition("parent",
        [
            Kit.Activity("exec", "Elsa.ExecuteWorkflow", ("workflowDefinitionId", Kit.Input("follow-up-check")),
                ("waitForCompletion", Kit.Input("true", "Literal", "Boolean")), ("correlationId", Kit.Input("case-1"))),
            Kit.WriteLine("after", "parent resumed"),
        ],
        [Kit.Connection("exec", "after")]);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task ExecuteWorkflow_ChildFinishesAfterARestart_ParentResumedOnce(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = ReconnectApp.NewWorkflowsFolder();
        string parentId;
        await using (var first = ReconnectApp.StartOn(database, folder))
        {
            var manager = await first.LoginAsync(ReconnectApp.Manager);
            await manager.CreateAndPublishAsync(Child());
            await manager.CreateAndPublishAsync(Parent());
            var started = await manager.StartAsync("parent");
            parentId = (started["id"] ?? started["instanceId"])!.GetValue<string>();
            var parent = await (await manager.GetAsync($"{Kit.Instances}/{parentId}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal("Suspended", parent["status"]!.GetValue<string>());
        }

        await using var second = ReconnectApp.StartOn(database, folder);
        var client = await second.LoginAsync(ReconnectApp.Manager);
        var published = await (await client.PostJsonAsync("/api/events/reached", new JsonObject { ["correlationId"] = "case-1" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, published["resumed"]!.GetValue<int>());
        // The runtime's own event names cannot be published from outside.
        var forged = await (await client.PostJsonAsync($"/api/events/{Uri.EscapeDataString("$workflow:finished:x")}", new JsonObject())).Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"resumed\":1", forged);
        var after = await (await client.GetAsync($"{Kit.Instances}/{parentId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", after["status"]!.GetValue<string>());
        var text = after.ToJsonString();
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(text, "parent resumed"));
    }

    /// <summary>A reusable "Follow-up check" published with <c>options.usableAsActivity</c>: the activity <c>FollowUpCheck</c>.</summary>
    private static JsonObject ReusableCheck()
    {
        var definition = Kit.Definition("follow-up-check-activity",
            [Kit.Activity("wait", "Elsa.Event", ("eventName", Kit.Input("checked"))), Kit.WriteLine("cw", "check done")],
            [Kit.Connection("wait", "cw")], name: "Follow-up check");
        definition["options"] = new JsonObject { ["usableAsActivity"] = true };
        return definition;
    }

    private static JsonObject CaseUsingTheCheck(string definitionId) => Kit.Definition(definitionId,
        [Kit.Activity("check", "FollowUpCheck"), Kit.WriteLine("after", "case resumed")],
        [Kit.Connection("check", "after")]);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task PublishUsableAsActivity_BecomesAnActivityType_UsedByAnotherWorkflow_AndKnownAfterARestart(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = ReconnectApp.NewWorkflowsFolder();
        await using (var first = ReconnectApp.StartOn(database, folder))
        {
            var manager = await first.LoginAsync(ReconnectApp.Manager);
            // Before the reusable workflow is published its type is unknown: a workflow using it is refused.
            Assert.Equal(HttpStatusCode.UnprocessableEntity,
                (await manager.PostJsonAsync(Kit.Definitions, CaseUsingTheCheck("case-too-early"))).StatusCode);

            await manager.CreateAndPublishAsync(ReusableCheck());
            var descriptors = await (await manager.GetAsync("/api/activity-descriptors")).ArrayAsync();
            Assert.Contains(descriptors, d => d!["type"].Str() == "FollowUpCheck" && d["category"].Str() == "Workflows");
            await manager.CreateAndPublishAsync(CaseUsingTheCheck("case"));
        }

        // A new process knows the type from the published version at start-up: the case starts and waits in its child.
        await using var second = ReconnectApp.StartOn(database, folder);
        var client = await second.LoginAsync(ReconnectApp.Manager);
        Assert.Contains(await (await client.GetAsync("/api/activity-descriptors")).ArrayAsync(), d => d!["type"].Str() == "FollowUpCheck");
        var started = await client.StartAsync("case", correlationId: "case-7");
        var caseId = (started["id"] ?? started["instanceId"]).Str();
        var published = await (await client.PostJsonAsync("/api/events/checked", new JsonObject { ["correlationId"] = "case-7" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, published["resumed"].Int());
        var after = await (await client.GetAsync($"{Kit.Instances}/{caseId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", after["status"].Str());
        Assert.Contains("case resumed", after.ToJsonString());
    }
}
