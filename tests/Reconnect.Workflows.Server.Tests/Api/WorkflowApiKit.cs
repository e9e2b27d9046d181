using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Api;

/// <summary>Definitions built in code, and small helpers for the workflow API tests.</summary>
internal static class Kit
{
    public const string Definitions = "/api/workflow-definitions";
    public const string Instances = "/api/workflow-instances";

    public static string SamplesFolder => Path.Combine(ReconnectApp.RepositoryRoot, "testdata", "elsa-samples");

    public static JsonObject Input(string value, string type = "Literal", string typeName = "String") =>
        new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = type, ["value"] = value } };

    public static JsonObject Activity(string id, string type, params (string Name, JsonNode Value)[] inputs)
    {
        var node = new JsonObject
        {
            ["id"] = id, ["type"] = type, ["name"] = id, ["version"] = 1,
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = 0, ["y"] = 0 } } },
        };
        foreach (var (name, value) in inputs) node[name] = value;
        return node;
    }

    public static JsonObject WriteLine(string id, string text) => Activity(id, "Elsa.WriteLine", ("text", Input(text)));

    public static JsonObject Connection(string source, string target, string port = "Done") =>
        new() { ["source"] = new JsonObject { ["activity"] = source, ["port"] = port }, ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" } };

    public static JsonObject Definition(string definitionId, IEnumerable<JsonObject> activities, IEnumerable<JsonObject> connections, JsonArray? variables = null, string? name = null) => new()
    {
        ["definitionId"] = definitionId,
        ["name"] = name ?? definitionId,
        ["variables"] = variables ?? [],
        ["root"] = new JsonObject
        {
            ["type"] = "Elsa.Flowchart", ["id"] = "flowchart",
            ["activities"] = new JsonArray([.. activities]),
            ["connections"] = new JsonArray([.. connections]),
        },
    };

    /// <summary>start → wait for event <paramref name="eventName"/> → WriteLine <paramref name="text"/>.</summary>
    public static JsonObject EventFlow(string definitionId, string eventName = "go", string text = "resumed") => Definition(definitionId,
        [Activity("start", "Elsa.Start"), Activity("wait", "Elsa.Event", ("eventName", Input(eventName))), WriteLine("log", text)],
        [Connection("start", "wait"), Connection("wait", "log")]);

    /// <summary>start → a WriteLine whose JavaScript throws → never reached.</summary>
    public static JsonObject FaultingFlow(string definitionId) => Definition(definitionId,
        [Activity("start", "Elsa.Start"), Activity("boom", "Elsa.WriteLine", ("text", Input("throw new Error('boom')", "JavaScript"))), WriteLine("after", "after")],
        [Connection("start", "boom"), Connection("boom", "after")]);

    public static JsonObject HelloFlow(string definitionId, string text = "hello") => Definition(definitionId,
        [Activity("start", "Elsa.Start"), WriteLine("log", text)], [Connection("start", "log")]);

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    public static async Task<JsonArray> ArrayAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return (JsonArray)JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an RFC 7807 answer with this status.</summary>
    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.JsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, body["status"]!.GetValue<int>());
        return body;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, JsonNode? body) =>
        client.PostAsync(url, new StringContent(body?.ToJsonString() ?? "", Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, JsonNode body) =>
        client.PutAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string body) =>
        client.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));

    public static async Task<JsonObject> CreateAndPublishAsync(this HttpClient client, JsonObject definition)
    {
        await (await client.PostJsonAsync(Definitions, definition)).JsonAsync(HttpStatusCode.Created);
        return await (await client.PostAsync($"{Definitions}/{definition["definitionId"]}/publish", null)).JsonAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonObject> StartAsync(this HttpClient client, string definitionId, string? correlationId = null, JsonObject? input = null) =>
        await (await client.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = definitionId, ["correlationId"] = correlationId, ["input"] = input }))
            .JsonAsync(HttpStatusCode.Created);

    public static async Task<List<AuditEntryRecord>> AuditAsync(this ReconnectApp app)
    {
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
    }

    public static string Str(this JsonNode? node) => node!.GetValue<string>();
    public static int Int(this JsonNode? node) => node!.GetValue<int>();
}
