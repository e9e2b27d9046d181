using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;
using static Reconnect.Workflows.Server.Tests.ElsaApi.ElsaApiServer;

namespace Reconnect.Workflows.Server.Tests.ElsaApi;

/// <summary>Studio's instance list filters, translated to one query (<c>InstanceService.QueryAsync</c>), on both databases.</summary>
public class ElsaInstanceQueryTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task ListInstances_StatusDefinitionSearchIncidentAndPaging_FilterInTheDatabase(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow("q-wait", "q-go"));
        await manager.CreateAndPublishAsync(FaultingFlow("q-fault"));
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++) waiting.Add((await manager.StartAsync("q-wait", correlationId: $"q-corr-{i}"))["id"].Str());
        var faulted = (await (await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = "q-fault" })).JsonAsync(HttpStatusCode.Created))["id"].Str();

        async Task<JsonObject> ListAsync(JsonObject filter) =>
            await (await manager.PostJsonAsync($"{Elsa}/workflow-instances", filter)).JsonAsync(HttpStatusCode.OK);
        static List<string> Ids(JsonObject list) => [.. ((JsonArray)list["items"]!).Select(i => i!["id"].Str())];

        var running = await ListAsync(new JsonObject { ["statuses"] = new JsonArray("Running"), ["definitionIds"] = new JsonArray("q-wait", "q-fault") });
        Assert.Equal(3, running["totalCount"]!.GetValue<long>());
        Assert.Equal(waiting.AsEnumerable().Reverse(), Ids(running));

        var pageTwo = await ListAsync(new JsonObject { ["definitionId"] = "q-wait", ["page"] = 1, ["pageSize"] = 2, ["orderDirection"] = "Ascending" });
        Assert.Equal([waiting[2]], Ids(pageTwo));
        Assert.Equal(3, pageTwo["totalCount"]!.GetValue<long>());

        Assert.Equal([waiting[1]], Ids(await ListAsync(new JsonObject { ["searchTerm"] = "q-corr-1" })));
        Assert.Equal([waiting[1]], Ids(await ListAsync(new JsonObject { ["correlationId"] = "q-corr-1" })));
        Assert.Equal([faulted], Ids(await ListAsync(new JsonObject { ["hasIncidents"] = true })));
        var finished = await ListAsync(new JsonObject { ["status"] = "Finished", ["subStatuses"] = new JsonArray("Faulted", "Cancelled") });
        Assert.Equal([faulted], Ids(finished));
        Assert.Equal(1, ((JsonArray)finished["items"]!)[0]!["incidentCount"].Int());
        Assert.Empty(Ids(await ListAsync(new JsonObject { ["subStatus"] = "Pending" })));
        Assert.Empty(Ids(await ListAsync(new JsonObject { ["definitionId"] = "q-wait", ["version"] = 2 })));
    }
}
