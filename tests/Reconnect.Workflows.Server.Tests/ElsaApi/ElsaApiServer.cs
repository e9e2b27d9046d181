using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.ElsaApi;

/// <summary>
/// One server for the read-only shape tests: the repository's pathways deployed, an event flow published with one
/// instance waiting on it, a faulting flow with one faulted instance, and a client per role that matters.
/// </summary>
public sealed class ElsaApiServer : IAsyncLifetime
{
    public const string Elsa = "/elsa/api";
    public const string FlowId = "elsa-event-flow";
    public const string FaultId = "elsa-fault-flow";

    public ReconnectApp App { get; private set; } = null!;
    public HttpClient Manager { get; private set; } = null!;
    public HttpClient Scheduler { get; private set; } = null!;
    public HttpClient Navigator { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public string WaitingId { get; private set; } = "";
    public string FaultedId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        App = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        Manager = await App.LoginAsync(ReconnectApp.Manager);
        Scheduler = await App.LoginAsync(ReconnectApp.Scheduler);
        Navigator = await App.LoginAsync(ReconnectApp.NavigatorLeeds);
        Anonymous = App.CreateClient();

        var flow = EventFlow(FlowId, "elsa-go");
        flow["variables"] = new JsonArray(new JsonObject { ["id"] = "v-count", ["name"] = "Count", ["typeName"] = "Int32", ["value"] = 3 });
        await Manager.CreateAndPublishAsync(flow);
        WaitingId = (await Manager.StartAsync(FlowId, correlationId: "elsa-1"))["id"].Str();
        await Manager.CreateAndPublishAsync(FaultingFlow(FaultId));
        var faulted = await (await Manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = FaultId })).JsonAsync(HttpStatusCode.Created);
        FaultedId = faulted["id"].Str();
    }

    public async Task DisposeAsync()
    {
        foreach (var c in new[] { Manager, Scheduler, Navigator, Anonymous }) c?.Dispose();
        await App.DisposeAsync();
    }
}
