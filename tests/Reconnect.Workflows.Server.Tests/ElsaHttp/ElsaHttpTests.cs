using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.ElsaHttp;

/// <summary>A small real SMTP server on loopback, started by the test: accepts every message and keeps it.</summary>
internal sealed class LoopbackSmtpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    public List<string> Messages { get; } = [];
    public List<string> Recipients { get; } = [];
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public LoopbackSmtpServer()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost test SMTP");
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-localhost");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "RCPT":
                    lock (Recipients) Recipients.Add(line[(line.IndexOf(':') + 1)..].Trim().Trim('<', '>'));
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".") data.AppendLine(dataLine);
                    lock (Messages) Messages.Add(data.ToString());
                    await writer.WriteLineAsync("250 OK queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}

/// <summary>/workflows/{path} (Elsa.HttpEndpoint + WriteHttpResponse) with our roles, and Elsa.SendEmail through a loopback SMTP server.</summary>
public sealed class ElsaHttpTests
{
    private static JsonObject Endpoint(string definitionId, string path, string roles) => Kit.Definition(definitionId,
        [
            Kit.Activity("in", "Elsa.HttpEndpoint", ("path", Kit.Input(path)), ("supportedMethods", Kit.Input("[\"POST\"]", "Object", "String[]")),
                ("policy", Kit.Input(roles)), ("parsedContent", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "body" } })),
            Kit.Activity("out", "Elsa.WriteHttpResponse", ("statusCode", Kit.Input("Created")),
                ("content", Kit.Input("({ hello: getBody().name })", "JavaScript", "Object"))),
        ],
        [Kit.Connection("in", "out")],
        new JsonArray(new JsonObject { ["id"] = "body", ["name"] = "Body", ["typeName"] = "Object" }));

    [Fact]
    public async Task HttpEndpoint_RoleAndAnonymous_AnswersAsTheWorkflowSaysOnlyToItsRoles()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(Endpoint("greeter", "greet/{who}", "Manager"));

        using var anonymous = app.CreateClient();
        var body = new StringContent("""{"name": "Ann"}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/workflows/greet/ann", body)).StatusCode);

        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.PostAsync("/workflows/greet/ann", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);

        var answer = await manager.PostAsync("/workflows/greet/ann", new StringContent("""{"name": "Ann"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        Assert.Equal("""{"hello":"Ann"}""", await answer.Content.ReadAsStringAsync());
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsync("/workflows/nobody/here", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Fact]
    public async Task HttpEndpoint_TriggersAreCached_ReadOncePublishAndRetractSeenAtOnce()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var index = app.Service<Reconnect.Workflows.Server.ElsaHttp.HttpTriggerIndex>();
        await manager.CreateAndPublishAsync(Endpoint("hello-one", "hello/one", "Manager"));
        static StringContent Json() => new("""{"name": "Ann"}""", Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsync("/workflows/hello/one", Json())).StatusCode);
        var rebuilds = index.Rebuilds;
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsync("/workflows/hello/one", Json())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsync("/workflows/hello/two", Json())).StatusCode);
        Assert.Equal(rebuilds, index.Rebuilds); // answered from the cache

        // A publish on this node is seen by the next request, and so is a retract.
        await manager.CreateAndPublishAsync(Endpoint("hello-two", "hello/two", "Manager"));
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsync("/workflows/hello/two", Json())).StatusCode);
        (await manager.PostAsync($"{Kit.Definitions}/hello-two/retract", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsync("/workflows/hello/two", Json())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsync("/workflows/hello/one", Json())).StatusCode);
    }

    [Fact]
    public async Task HttpEndpoint_AnInstanceWaitsOnIt_OnlyItsRolesResumeIt()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(Kit.Definition("approval",
            [
                Kit.WriteLine("asked", "approval asked"),
                Kit.Activity("approve", "Elsa.HttpEndpoint", ("path", Kit.Input("approvals/42")),
                    ("supportedMethods", Kit.Input("[\"POST\"]", "Object", "String[]")), ("policy", Kit.Input("Manager"))),
                Kit.WriteLine("approved", "approved"),
            ],
            [Kit.Connection("asked", "approve"), Kit.Connection("approve", "approved")]));
        var started = await manager.StartAsync("approval");
        var instanceId = (started["id"] ?? started["instanceId"]).Str();

        // A navigator may not answer a manager's endpoint: 403, and the instance still waits there.
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.PostAsync("/workflows/approvals/42", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal("Suspended", (await (await manager.GetAsync($"{Kit.Instances}/{instanceId}")).JsonAsync(HttpStatusCode.OK))["status"].Str());

        var answer = await manager.PostAsync("/workflows/approvals/42", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains(instanceId, await answer.Content.ReadAsStringAsync());
        Assert.Equal("Finished", (await (await manager.GetAsync($"{Kit.Instances}/{instanceId}")).JsonAsync(HttpStatusCode.OK))["status"].Str());
    }

    [Fact]
    public async Task SendEmail_LoopbackSmtpServer_ReceivesTheMessageAndTheWorkflowFinishes()
    {
        using var smtp = new LoopbackSmtpServer();
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Reconnect:ElsaHttp:Smtp:Host"] = "127.0.0.1",
            ["Reconnect:ElsaHttp:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Reconnect:ElsaHttp:Smtp:Security"] = "None",
            ["Reconnect:ElsaHttp:Smtp:From"] = "workflows@reconnect.test",
        });
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        await manager.CreateAndPublishAsync(Kit.Definition("mailer",
            [
                Kit.Activity("mail", "Elsa.SendEmail", ("to", Kit.Input("[\"navigator.lei@reconnect.test\"]", "Object", "String[]")),
                    ("subject", Kit.Input("Release tomorrow")), ("body", Kit.Input("Please call P1 before 10:00."))),
                Kit.WriteLine("sent", "sent"),
            ],
            [Kit.Connection("mail", "sent")]));

        var started = await manager.StartAsync("mailer");

        var instanceId = started["id"]?.GetValue<string>() ?? started["instanceId"]!.GetValue<string>();
        var detail = await (await manager.GetAsync($"{Kit.Instances}/{instanceId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Finished", detail["status"]!.GetValue<string>());
        Assert.Equal(["navigator.lei@reconnect.test"], smtp.Recipients);
        var message = Assert.Single(smtp.Messages);
        Assert.Contains("Subject: Release tomorrow", message);
        Assert.Contains("Please call P1 before 10:00.", message);
    }
}
