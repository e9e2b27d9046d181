using System.Net;
using System.Net.Sockets;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Http;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.Http;

/// <summary>A real HTTP server on loopback, started by the test: answers each request with the next scripted answer.</summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<(int Status, string Body, TimeSpan Delay)> _answers = new();
    public List<(string Method, string Path, string Body)> Requests { get; } = [];
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public LoopbackServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public LoopbackServer Answer(int status, string body, TimeSpan delay = default)
    {
        lock (_answers) _answers.Enqueue((status, body, delay));
        return this;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            lock (Requests) Requests.Add((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, body));
            (int Status, string Body, TimeSpan Delay) answer;
            lock (_answers) answer = _answers.Count > 0 ? _answers.Dequeue() : (404, "", TimeSpan.Zero);
            if (answer.Delay > TimeSpan.Zero) await Task.Delay(answer.Delay);
            try
            {
                context.Response.StatusCode = answer.Status;
                context.Response.ContentType = "application/json";
                var bytes = System.Text.Encoding.UTF8.GetBytes(answer.Body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception) { /* the client gave up (time-out test) */ }
        }
    }

    public void Dispose()
    {
        if (!_listener.IsListening) return;
        _listener.Stop();
        _listener.Close();
    }
}

public sealed class HttpActivityTests : IDisposable
{
    private readonly LoopbackServer _server = new();

    public void Dispose() => _server.Dispose();

    private TestRuntime Runtime(TimeSpan? timeout = null, string? allowed = null)
    {
        var t = new TestRuntime();
        t.Runtime.HttpSender = new HttpClientRequestSender(() => new HttpClient(), new HttpSenderOptions
        {
            AllowedHosts = [allowed ?? "127.0.0.1"], Timeout = timeout ?? TimeSpan.FromSeconds(5), Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(10),
        });
        return t;
    }

    private static WorkflowDefinition Caller(string url, string expected = "[201]") => WorkflowJson.Parse("""
        {"definitionId": "caller", "version": 1, "isPublished": true,
         "variables": [{"id": "body", "name": "Body", "typeName": "Object"}],
         "root": {"type": "Elsa.Flowchart", "id": "f", "activities": [
           {"type": "Elsa.FlowSendHttpRequest", "id": "call", "url": {"typeName": "Uri", "expression": {"type": "Literal", "value": "URL"}},
            "method": {"typeName": "String", "expression": {"type": "Literal", "value": "POST"}},
            "content": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "({ person: 'P1' })"}},
            "expectedStatusCodes": {"typeName": "Int32[]", "expression": {"type": "Object", "value": "EXPECTED"}},
            "parsedContent": {"typeName": "Object", "memoryReference": {"id": "body"}}},
           {"type": "Elsa.WriteLine", "id": "created", "text": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'created ' + getBody().id"}}},
           {"type": "Elsa.WriteLine", "id": "other", "text": "other status"},
           {"type": "Elsa.WriteLine", "id": "down", "text": "down"},
           {"type": "Elsa.WriteLine", "id": "slow", "text": "slow"}],
          "connections": [
            {"source": {"activity": "call", "port": "201"}, "target": {"activity": "created", "port": "In"}},
            {"source": {"activity": "call", "port": "Unmatched status code"}, "target": {"activity": "other", "port": "In"}},
            {"source": {"activity": "call", "port": "Failed to connect"}, "target": {"activity": "down", "port": "In"}},
            {"source": {"activity": "call", "port": "Timeout"}, "target": {"activity": "slow", "port": "In"}}]}}
        """.Replace("URL", url).Replace("EXPECTED", expected));

    private static async Task<List<string>> RunAsync(TestRuntime t, WorkflowDefinition definition)
    {
        Assert.True(new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(definition).IsValid);
        await t.PublishAsync(definition);
        var started = await t.Runtime.StartAsync(definition.DefinitionId);
        var state = (await t.Store.LoadAsync(started.State!.Id))!;
        Assert.Equal(WorkflowStatus.Finished, state.Status);
        return state.Journal.Where(j => j.Kind == TraceKinds.Log).Select(j => j.Detail!["text"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task FlowSendHttpRequest_ExpectedStatus_TakesItsPortWithTheParsedBody()
    {
        _server.Answer(201, """{"id": "R-9"}""");

        var lines = await RunAsync(Runtime(), Caller(_server.Url + "/referrals"));

        Assert.Equal(["created R-9"], lines);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/referrals", request.Path);
        Assert.Contains("\"person\":\"P1\"", request.Body.Replace(" ", ""));
    }

    [Fact]
    public async Task FlowSendHttpRequest_OtherStatus_TakesUnmatchedStatusCode()
    {
        _server.Answer(409, "{}");
        Assert.Equal(["other status"], await RunAsync(Runtime(), Caller(_server.Url + "/x")));
    }

    [Fact]
    public async Task FlowSendHttpRequest_ServerErrorThenSuccess_RetriesAndSucceeds()
    {
        _server.Answer(503, "").Answer(201, """{"id": "after-retry"}""");
        Assert.Equal(["created after-retry"], await RunAsync(Runtime(), Caller(_server.Url + "/x")));
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task FlowSendHttpRequest_HostNotAllowed_FailsToConnectWithoutCalling()
    {
        _server.Answer(201, "{}");
        Assert.Equal(["down"], await RunAsync(Runtime(allowed: "api.example.org"), Caller(_server.Url + "/x")));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task FlowSendHttpRequest_NoAnswerInTime_TakesTimeout()
    {
        for (var i = 0; i < 3; i++) _server.Answer(201, "{}", TimeSpan.FromSeconds(2));
        Assert.Equal(["slow"], await RunAsync(Runtime(timeout: TimeSpan.FromMilliseconds(200)), Caller(_server.Url + "/x")));
    }

    [Fact]
    public async Task FlowSendHttpRequest_NothingListening_FailsToConnect()
    {
        var closed = _server.Url;
        _server.Dispose();
        Assert.Equal(["down"], await RunAsync(Runtime(), Caller(closed + "/x")));
    }

    // Elsa.SendHttpRequest (not the flow one) holds an activity per status code and for no response; a sequence around
    // it shows that it is done only when that activity is.
    private static WorkflowDefinition SequenceCaller(string url, bool withActivities = true) => WorkflowJson.Parse("""
        {"definitionId": "seq-caller", "version": 1, "isPublished": true,
         "variables": [{"id": "body", "name": "Body", "typeName": "Object"}],
         "root": {"type": "Elsa.Sequence", "id": "s", "activities": [
           {"type": "Elsa.SendHttpRequest", "id": "call", "url": {"typeName": "Uri", "expression": {"type": "Literal", "value": "URL"}},
            "parsedContent": {"typeName": "Object", "memoryReference": {"id": "body"}},
            "expectedStatusCodes": [
              {"statusCode": 201, "activity": ACTIVITY201},
              {"statusCode": 204, "activity": null}],
            "unmatchedStatusCode": {"type": "Elsa.WriteLine", "id": "other", "text": "other status"},
            "failedToConnect": {"type": "Elsa.WriteLine", "id": "down", "text": "down"},
            "timeout": {"type": "Elsa.Sequence", "id": "slow", "activities": [
              {"type": "Elsa.WriteLine", "id": "slow1", "text": "slow"}, {"type": "Elsa.WriteLine", "id": "slow2", "text": "try later"}]}},
           {"type": "Elsa.WriteLine", "id": "after", "text": "after"}]}}
        """.Replace("URL", url).Replace("ACTIVITY201", withActivities
            ? """{"type": "Elsa.WriteLine", "id": "created", "text": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'created ' + getBody().id"}}}"""
            : "null"));

    [Fact]
    public async Task SendHttpRequest_ExpectedStatus_RunsItsCaseActivityThenIsDone()
    {
        _server.Answer(201, """{"id": "R-9"}""");
        Assert.Equal(["created R-9", "after"], await RunAsync(Runtime(), SequenceCaller(_server.Url + "/x")));
    }

    [Fact]
    public async Task SendHttpRequest_OtherStatus_RunsUnmatchedStatusCodeActivity()
    {
        _server.Answer(409, "{}");
        Assert.Equal(["other status", "after"], await RunAsync(Runtime(), SequenceCaller(_server.Url + "/x")));
    }

    [Fact]
    public async Task SendHttpRequest_CaseWithoutActivity_IsDoneAtOnce()
    {
        _server.Answer(204, "");
        Assert.Equal(["after"], await RunAsync(Runtime(), SequenceCaller(_server.Url + "/x")));
    }

    [Fact]
    public async Task SendHttpRequest_NothingListening_RunsFailedToConnectActivity()
    {
        var closed = _server.Url;
        _server.Dispose();
        Assert.Equal(["down", "after"], await RunAsync(Runtime(), SequenceCaller(closed + "/x")));
    }

    [Fact]
    public async Task SendHttpRequest_NoAnswerInTime_RunsTimeoutActivity()
    {
        for (var i = 0; i < 3; i++) _server.Answer(201, "{}", TimeSpan.FromSeconds(2));
        Assert.Equal(["slow", "try later", "after"], await RunAsync(Runtime(timeout: TimeSpan.FromMilliseconds(200)), SequenceCaller(_server.Url + "/x")));
    }

    [Fact]
    public void SendHttpRequest_RoundTrip_KeepsItsActivitiesWhereTheyWere()
    {
        var definition = SequenceCaller("http://127.0.0.1/x");
        var call = definition.Root.Activities![0];
        Assert.Equal(["expectedStatusCodes/0/activity", "unmatchedStatusCode", "failedToConnect", "timeout"], call.Slots.Select(s => s.Key));
        var again = WorkflowJson.Parse(WorkflowJson.Serialize(definition));
        var json = JsonNode.Parse(WorkflowJson.Serialize(again))!["root"]!["activities"]![0]!;
        Assert.Equal("created", json["expectedStatusCodes"]![0]!["activity"]!["id"]!.GetValue<string>());
        Assert.Null(json["expectedStatusCodes"]![1]!["activity"]);
        Assert.Equal("slow2", json["timeout"]!["activities"]![1]!["id"]!.GetValue<string>());
        Assert.Equal(["Done"], ActivityRegistry.CreateDefault().Find("Elsa.SendHttpRequest")!.GetPorts(call));
    }

    [Fact]
    public void Validate_SendHttpRequestCases_NamesBadAndRepeatedCodesAndLooksInside()
    {
        var d = WorkflowJson.Parse("""
            {"definitionId": "x", "root": {"type": "Elsa.SendHttpRequest", "id": "call", "url": "http://127.0.0.1/",
             "expectedStatusCodes": [{"statusCode": 200}, {"statusCode": 200}, {"statusCode": 42}],
             "timeout": {"type": "Elsa.RunCSharp", "id": "cs"}}}
            """);
        var messages = new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d).Errors.Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.Contains("status code 200 is listed twice"));
        Assert.Contains(messages, m => m.Contains("is not a status-code case"));
        Assert.Contains(messages, m => m.Contains("Elsa.RunCSharp"));
    }

    private static WorkflowDefinition Endpoint() => WorkflowJson.Parse("""
        {"definitionId": "orders", "version": 1, "isPublished": true,
         "variables": [{"id": "route", "name": "Route", "typeName": "Object"}, {"id": "body", "name": "Body", "typeName": "Object"}],
         "root": {"type": "Elsa.Flowchart", "id": "f", "activities": [
           {"type": "Elsa.HttpEndpoint", "id": "in", "canStartWorkflow": true, "customProperties": {"canStartWorkflow": true},
            "path": {"typeName": "String", "expression": {"type": "Literal", "value": "orders/{id}"}},
            "supportedMethods": {"typeName": "String[]", "expression": {"type": "Object", "value": "[\"POST\"]"}},
            "routeData": {"typeName": "Object", "memoryReference": {"id": "route"}},
            "parsedContent": {"typeName": "Object", "memoryReference": {"id": "body"}}},
           {"type": "Elsa.WriteHttpResponse", "id": "out", "statusCode": {"typeName": "HttpStatusCode", "expression": {"type": "Literal", "value": "Created"}},
            "content": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "({ order: getRoute().id, qty: getBody().qty })"}}},
           {"type": "Elsa.HttpEndpoint", "id": "confirm",
            "path": {"typeName": "String", "expression": {"type": "Literal", "value": "orders/confirm"}},
            "supportedMethods": {"typeName": "String[]", "expression": {"type": "Object", "value": "[\"PUT\", \"POST\"]"}}},
           {"type": "Elsa.WriteHttpResponse", "id": "ok", "statusCode": {"typeName": "HttpStatusCode", "expression": {"type": "Literal", "value": 200}},
            "content": {"typeName": "Object", "expression": {"type": "Literal", "value": "confirmed"}}}],
          "connections": [
            {"source": {"activity": "in", "port": "Done"}, "target": {"activity": "out", "port": "In"}},
            {"source": {"activity": "out", "port": "Done"}, "target": {"activity": "confirm", "port": "In"}},
            {"source": {"activity": "confirm", "port": "Done"}, "target": {"activity": "ok", "port": "In"}}]}}
        """);

    [Fact]
    public async Task HttpEndpoint_RequestMatchingTheTrigger_StartsAnInstanceAndWritesItsResponse()
    {
        var t = new TestRuntime();
        var definition = await t.PublishAsync(Endpoint());
        Assert.True(new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(definition).IsValid);
        var triggers = new List<(WorkflowDefinition, string, string)> { (definition, "in", "orders/{id}") };

        var outcome = await t.Runtime.HandleHttpRequestAsync(
            new WorkflowRuntime.HttpRequestStimulus("POST", "/orders/A-17", null, null, JsonNode.Parse("""{"qty": 3}""")), triggers);

        var instanceId = Assert.Single(outcome.InstanceIds);
        Assert.Equal(201, outcome.Response!.StatusCode);
        Assert.Equal("application/json", outcome.Response.ContentType);
        Assert.Equal("""{"order":"A-17","qty":3}""", outcome.Response.Content);
        var state = (await t.Store.LoadAsync(instanceId))!;
        Assert.Equal(WorkflowStatus.Suspended, state.Status);
        Assert.Equal(2, state.Bookmarks.Count); // PUT and POST on orders/confirm

        // A request to the waiting endpoint resumes it once; the other method's bookmark goes with it.
        var second = await t.Runtime.HandleHttpRequestAsync(new WorkflowRuntime.HttpRequestStimulus("PUT", "/orders/confirm", null, null, null), triggers);
        Assert.Equal([instanceId], second.InstanceIds);
        Assert.Equal("confirmed", second.Response!.Content);
        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(instanceId))!.Status);
        // Nothing waits any more, and the trigger takes POST only.
        var third = await t.Runtime.HandleHttpRequestAsync(new WorkflowRuntime.HttpRequestStimulus("PUT", "/orders/confirm", null, null, null), triggers);
        Assert.Empty(third.InstanceIds);
        Assert.Null(third.Response);
    }

    [Theory]
    [InlineData("orders/{id}", "/orders/7", true)]
    [InlineData("/orders/{id}/lines", "orders/7/lines", true)]
    [InlineData("orders/{id}", "/orders/7/lines", false)]
    [InlineData("orders", "/Orders", true)]
    public void TryMatch_Template_MatchesAsRoutes(string template, string path, bool matches) =>
        Assert.Equal(matches, HttpStimulus.TryMatch(template, path, out _));

    [Fact]
    public void Validate_HttpEndpointWithBadMethod_IsNamed()
    {
        var d = WorkflowJson.Parse("""{"definitionId": "x", "root": {"type": "Elsa.HttpEndpoint", "id": "in", "path": "a", "supportedMethods": ["FETCH"]}}""");
        var error = Assert.Single(new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d).Errors);
        Assert.Contains("'FETCH' is not an HTTP method", error.Message);
    }
}
