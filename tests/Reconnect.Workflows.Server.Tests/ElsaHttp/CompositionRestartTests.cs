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
}
