using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Api;

/// <summary>Every endpoint of the workflow API: anonymous 401, a signed-in user without the role 403, the right role 2xx.</summary>
public class WorkflowApiRoleTests
{
    private sealed record Case(string Method, string Url, Func<JsonNode?>? Body, string Allowed, string Denied, HttpStatusCode Expected);

    [Fact]
    public async Task Endpoints_RoleMatrix_401_403_2xx()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(EventFlow("roles"));
        await manager.CreateAndPublishAsync(FaultingFlow("faults"));
        var waiting = (await manager.StartAsync("roles", correlationId: "r1"))["id"].Str();
        var faulted = (await manager.StartAsync("faults"))["id"].Str();

        const string m = ReconnectApp.Manager, s = ReconnectApp.Scheduler, a = ReconnectApp.Admin, n = ReconnectApp.NavigatorLeeds, r = ReconnectApp.Referrer;
        var cases = new List<Case>
        {
            // ReadWorkflows: managers, schedulers, admins
            new("GET", Definitions, null, s, n, HttpStatusCode.OK),
            new("GET", $"{Definitions}/roles", null, a, r, HttpStatusCode.OK),
            new("GET", $"{Definitions}/roles/versions", null, s, n, HttpStatusCode.OK),
            new("GET", $"{Definitions}/roles/compare?from=1&to=1", null, a, n, HttpStatusCode.OK),
            new("GET", "/api/activity-descriptors", null, s, r, HttpStatusCode.OK),
            // EditWorkflows: managers only
            new("POST", Definitions, () => HelloFlow("made"), m, s, HttpStatusCode.Created),
            new("PUT", $"{Definitions}/made", () => HelloFlow("made", "edited"), m, a, HttpStatusCode.OK),
            new("POST", $"{Definitions}/validate", () => HelloFlow("checked"), m, s, HttpStatusCode.OK),
            new("POST", $"{Definitions}/import", () => HelloFlow("imported"), m, a, HttpStatusCode.Created),
            new("POST", $"{Definitions}/made/publish", null, m, s, HttpStatusCode.OK),
            new("POST", $"{Definitions}/made/retract", null, m, a, HttpStatusCode.OK),
            // ReadInstances: managers, schedulers, admins
            new("GET", Instances, null, s, n, HttpStatusCode.OK),
            new("GET", $"{Instances}/{waiting}", null, a, r, HttpStatusCode.OK),
            // ManageInstances: managers, admins
            new("POST", Instances, () => new JsonObject { ["definitionId"] = "roles", ["correlationId"] = "r2" }, a, s, HttpStatusCode.Created),
            new("POST", $"{Instances}/{faulted}/retry", null, a, s, HttpStatusCode.OK),
            new("POST", "/api/events/go", () => new JsonObject { ["correlationId"] = "r2" }, m, s, HttpStatusCode.OK),
            new("POST", $"{Instances}/{waiting}/cancel", null, a, n, HttpStatusCode.OK),
            // Migrations: managers (a bad body is still a 400, after the policy); bulk operations: as cancel and retry
            new("POST", $"{Definitions}/roles/migrations", () => new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 1, ["dryRun"] = true }, m, a, HttpStatusCode.BadRequest),
            new("POST", $"{Instances}/bulk-cancel", () => new JsonObject { ["filter"] = new JsonObject { ["definitionId"] = "none" }, ["dryRun"] = true }, m, s, HttpStatusCode.OK),
            new("POST", $"{Instances}/bulk-retry", () => new JsonObject { ["filter"] = new JsonObject { ["definitionId"] = "none" }, ["dryRun"] = true }, a, n, HttpStatusCode.OK),
        };

        var anonymous = app.CreateClient();
        var clients = new Dictionary<string, HttpClient>();
        async Task<HttpClient> As(string user) => clients.TryGetValue(user, out var c) ? c : clients[user] = await app.LoginAsync(user);
        HttpRequestMessage Request(Case c) => new(new HttpMethod(c.Method), c.Url)
        {
            Content = c.Body is null ? null : new StringContent(c.Body()!.ToJsonString(), Encoding.UTF8, "application/json"),
        };

        foreach (var c in cases)
        {
            var what = $"{c.Method} {c.Url}";
            Assert.True(HttpStatusCode.Unauthorized == (await anonymous.SendAsync(Request(c))).StatusCode, $"{what} anonymous");
            Assert.True(HttpStatusCode.Forbidden == (await (await As(c.Denied)).SendAsync(Request(c))).StatusCode, $"{what} as {c.Denied}");
            var ok = await (await As(c.Allowed)).SendAsync(Request(c));
            Assert.True(c.Expected == ok.StatusCode, $"{what} as {c.Allowed}: {(int)ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
        }

        // The denied attempts changed nothing: one audit row per allowed change.
        var audit = await app.AuditAsync();
        Assert.Single(audit, e => e.Action == "create" && e.EntityId == "made");
        Assert.Single(audit, e => e.Action == "cancel" && e.EntityId == waiting && e.UserName == ReconnectApp.Admin);
        Assert.Single(audit, e => e.Action == "retry" && e.EntityId == faulted);
        Assert.DoesNotContain(audit, e => e.Action == "validate");
    }
}
