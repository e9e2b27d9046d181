using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Api;

/// <summary>Whatever a client sends, the answer is a 4xx problem, never a 500, and nothing is half-written.</summary>
public class WorkflowApiHostileInputTests
{
    private static readonly string[] BodyEndpoints =
    [
        "POST " + Definitions,
        "PUT " + Definitions + "/target",
        "POST " + Definitions + "/validate",
        "POST " + Definitions + "/import",
        "POST " + Instances,
        "POST /api/events/go",
    ];

    public static IEnumerable<object[]> Bodies() =>
    [
        ["malformed", "{\"definitionId\": \"x\", "],
        ["not json", "hello there"],
        ["array", "[1, 2, 3]"],
        ["number", "42"],
        ["deep", new string('[', 1000) + new string(']', 1000)],
        ["deep object", string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 500)],
        ["wrong types", "{\"definitionId\": 12, \"version\": \"one\", \"root\": {\"type\": \"Elsa.Flowchart\", \"activities\": \"many\"}, \"input\": 5, \"correlationId\": []}"],
        ["null activity", "{\"definitionId\": \"target\", \"root\": {\"type\": \"Elsa.Flowchart\", \"activities\": [null], \"connections\": [null]}}"],
        ["null type", "{\"definitionId\": \"target\", \"root\": {\"type\": \"Elsa.Flowchart\", \"activities\": [{\"id\": null, \"type\": null}]}}"],
        ["root not object", "{\"definitionId\": \"target\", \"root\": \"Elsa.Flowchart\"}"],
        ["bad id", "{\"definitionId\": \"../../etc\", \"root\": {\"type\": \"Elsa.Flowchart\", \"activities\": [], \"connections\": []}}"],
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Endpoints_HostileBody_Are4xxProblems(string what, string body)
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await (await manager.PostJsonAsync(Definitions, HelloFlow("target"))).JsonAsync(HttpStatusCode.Created);

        foreach (var endpoint in BodyEndpoints)
        {
            var (method, url) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
            var response = await manager.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            // validate answers 200 {valid: false} for JSON that is not a workflow: a query, never 422.
            if (url.EndsWith("/validate", StringComparison.Ordinal) && status == 200)
            {
                Assert.False(JsonNode.Parse(text)!["valid"]!.GetValue<bool>());
                continue;
            }
            Assert.True(status is >= 400 and < 500, $"{what}: {endpoint} answered {status}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // nothing half-written: still the one draft, version 1
        var versions = await (await manager.GetAsync($"{Definitions}/target/versions")).ArrayAsync();
        Assert.Single(versions);
        Assert.Single(await (await manager.GetAsync(Definitions)).ArrayAsync());
    }

    [Fact]
    public async Task Endpoints_FiveMegabyteBody_Are413()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var huge = HelloFlow("huge");
        huge["description"] = new string('x', 5 * 1024 * 1024);
        var text = huge.ToJsonString();
        foreach (var url in new[] { Definitions, $"{Definitions}/validate", $"{Definitions}/import", Instances, "/api/events/go" })
            await (await manager.PostRawAsync(url, text)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await (await manager.GetAsync(Definitions)).ArrayAsync());
    }

    [Fact]
    public async Task Requests_UnknownFields_RefusedInRequests_KeptInDefinitions()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);

        var definition = HelloFlow("extra");
        definition["toolVersion"] = "3.2.0.0";
        ((JsonObject)definition["root"]!["activities"]![1]!)["designerNote"] = "kept";
        await manager.CreateAndPublishAsync(definition);
        var stored = await (await manager.GetAsync($"{Definitions}/extra")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("3.2.0.0", stored["toolVersion"].Str());
        Assert.Equal("kept", stored["root"]!["activities"]![1]!["designerNote"].Str());

        var start = await (await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = "extra", ["priority"] = "high" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("priority", start["errors"]!.ToJsonString());
        var ev = await (await manager.PostJsonAsync("/api/events/go", new JsonObject { ["correlation"] = "typo" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("correlation", ev["errors"]!.ToJsonString());
        // an empty event body is fine (no correlation, no payload)
        Assert.Equal(0, (await (await manager.PostRawAsync("/api/events/nobody-waits", "")).JsonAsync(HttpStatusCode.OK))["resumed"].Int());
    }

    [Fact]
    public async Task Routes_OverlongIdsAndBadQueries_Are4xx()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var longId = new string('a', 300);
        await (await manager.GetAsync($"{Definitions}/{longId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.GetAsync($"{Instances}/{longId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.PostJsonAsync($"/api/events/{longId}", new JsonObject())).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = longId })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.GetAsync($"{Definitions}/x?version=-1")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.GetAsync($"{Instances}?page=abc")).ProblemAsync(HttpStatusCode.BadRequest);

        var tooLong = HelloFlow("long");
        tooLong["name"] = new string('n', 500);
        var problem = await (await manager.PostJsonAsync(Definitions, tooLong)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["name"]);
    }
}
