using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Http;

// Elsa's HTTP activities, with the step kept pure: an inbound request is a stimulus (a trigger or a bookmark keyed by
// method and path), a response to write is an effect the host writes, and an outbound request is an outbox message the
// runtime sends after the commit (through the host's HTTP client, its allow-list, time-out and retries), resuming the
// activity's bookmark with the response.

/// <summary>What an inbound HTTP request or an outbound response looks like to a workflow.</summary>
public static class HttpStimulus
{
    public const string Name = "Http";

    /// <summary>The bookmark key of an endpoint: the method and the path template as written ("/orders/{id}"), normalised.</summary>
    public static string Key(string method, string path) => BookmarkKey.Compute(Name, Discriminator(method, path));

    public static string Discriminator(string method, string path) => $"{method.ToUpperInvariant()} {NormalisePath(path)}";

    public static string NormalisePath(string path) => "/" + path.Trim().Trim('/').ToLowerInvariant();

    /// <summary>The outbox message that sends a request; its payload names the event the response comes back as.</summary>
    public const string SendEventName = "$http:send";

    public static string ResponseEventName(string requestId) => "$http:response:" + requestId;

    /// <summary>Matches a concrete path against a template with <c>{name}</c> segments; the route values on success.</summary>
    public static bool TryMatch(string template, string path, out JsonObject routeValues)
    {
        routeValues = [];
        var t = NormalisePath(template).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var p = path.Trim().Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (t.Length != p.Length) return false;
        for (var i = 0; i < t.Length; i++)
        {
            if (t[i].StartsWith('{') && t[i].EndsWith('}'))
            {
                var name = t[i][1..^1].Split(':')[0];
                routeValues[name] = Uri.UnescapeDataString(p[i]);
            }
            else if (!string.Equals(t[i], p[i], StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}

/// <summary>
/// A response for the host to write to the request that started or resumed this step. It travels as the step's journal
/// line <c>http-response</c> (not as an effect: there is no row to write for it, and the stores refuse effects they
/// cannot write).
/// </summary>
public sealed record HttpResponse(int StatusCode, string? Content, string? ContentType, JsonObject? Headers)
{
    public const string TraceKind = "http-response";

    public static HttpResponse? From(StepResult? step)
    {
        var line = step?.Trace.FirstOrDefault(t => t.Kind == TraceKind);
        if (line?.Detail is not JsonObject d) return null;
        return new HttpResponse((int)(ValueConverter.ToInteger(d["statusCode"]) ?? 200), ValueConverter.ToText(d["content"]),
            ValueConverter.ToText(d["contentType"]), d["headers"] as JsonObject);
    }
}

/// <summary>
/// <c>Elsa.HttpEndpoint</c>: as the start of a published workflow, an inbound request to <c>/workflows/{path}</c> with
/// one of its methods starts an instance; elsewhere it waits for such a request. Its outputs: the parsed body
/// (<c>parsedContent</c>), <c>routeData</c>, <c>queryStringData</c>, <c>headers</c>. Authorisation (by our roles,
/// never anonymous unless a setting allows it) is the host's, before the stimulus reaches the step.
/// </summary>
public sealed class HttpEndpointActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.HttpEndpoint", DisplayName = "HTTP endpoint", Category = "HTTP", Icon = "Http", IsWaiting = true, IsTrigger = true,
        Description = "Waits for (or, at the start, is started by) an HTTP request to /workflows/{path} with one of the methods.",
        Inputs =
        [
            new InputDescriptor { Name = "path", DisplayName = "Path", TypeName = "String", Required = true },
            new InputDescriptor { Name = "supportedMethods", DisplayName = "Methods", TypeName = "String[]", UiHint = "outcomes", DefaultValue = new JsonArray("GET") },
            new InputDescriptor { Name = "authorize", DisplayName = "Signed-in users only", TypeName = "Boolean", UiHint = "checkbox", DefaultValue = true },
            new InputDescriptor { Name = "policy", DisplayName = "Roles (comma-separated)", TypeName = "String" },
        ],
    };

    public static IReadOnlyList<string> Methods(ActivityNode node)
    {
        var expression = node.GetInput("supportedMethods");
        var methods = expression is { Type: Expression.Literal or Expression.Object } ? ValueConverter.ToStringList(expression.Value) : [];
        return methods.Count == 0 ? ["GET"] : [.. methods.Select(m => m.ToUpperInvariant())];
    }

    public static string? Path(ActivityNode node) =>
        node.GetInput("path") is { Type: Expression.Literal } e ? ValueConverter.ToText(e.Value) : null;

    public ActivityResult Execute(ActivityContext context)
    {
        if (context.IsTriggerOfWorkflow)
        {
            Receive(context, context.Input);
            return ActivityResult.Done();
        }
        var path = context.GetString("path");
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidOperationException("HttpEndpoint has no path.");
        var methods = ValueConverter.ToStringList(context.Evaluate("supportedMethods"));
        if (methods.Count == 0) methods = ["GET"];
        // The roles go with the bookmark: the host checks them before it resumes, as it does for a trigger.
        var roles = ValueConverter.ToStringList(context.Evaluate("policy"));
        var bookmarks = methods.Select(m => context.CreateBookmark(HttpStimulus.Name, HttpStimulus.Discriminator(m, path),
            payload: new JsonObject
            {
                ["method"] = m.ToUpperInvariant(), ["path"] = HttpStimulus.NormalisePath(path),
                ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]),
            })).ToArray();
        return ActivityResult.Wait(bookmarks);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        // Any one of its methods resumes it; the other methods' bookmarks go with it.
        context.RemoveOwnBookmarks();
        Receive(context, input as JsonObject ?? []);
        return ActivityResult.Done();
    }

    private static void Receive(ActivityContext context, JsonObject request)
    {
        context.SetOutput(request.DeepClone());
        context.SetNamedOutput("parsedContent", request["body"]?.DeepClone());
        context.SetNamedOutput("routeData", request["routeValues"]?.DeepClone());
        context.SetNamedOutput("queryStringData", request["query"]?.DeepClone());
        context.SetNamedOutput("headers", request["headers"]?.DeepClone());
        context.SetNamedOutput("result", request.DeepClone());
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        if (Path(node) is { } path && path.Contains("..", StringComparison.Ordinal)) yield return $"path '{path}' may not contain '..'";
        foreach (var method in Methods(node))
            if (method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS"))
                yield return $"'{method}' is not an HTTP method";
    }
}

/// <summary><c>Elsa.WriteHttpResponse</c>: the response to the request that started or resumed this workflow (written by the host after the commit).</summary>
public sealed class WriteHttpResponseActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.WriteHttpResponse", DisplayName = "HTTP response", Category = "HTTP", Icon = "Reply",
        Description = "Writes the response to the HTTP request that started or resumed the workflow.",
        Inputs =
        [
            new InputDescriptor { Name = "statusCode", DisplayName = "Status code", TypeName = "HttpStatusCode", DefaultValue = "OK" },
            new InputDescriptor { Name = "content", DisplayName = "Content", TypeName = "Object", UiHint = "multiline" },
            new InputDescriptor { Name = "contentType", DisplayName = "Content type", TypeName = "String" },
            new InputDescriptor { Name = "responseHeaders", DisplayName = "Headers", TypeName = "Object", UiHint = "code" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var status = StatusCode(context.Evaluate("statusCode"));
        var content = context.Evaluate("content");
        var text = content switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => content.ToJsonString(),
        };
        var contentType = context.GetString("contentType") is { Length: > 0 } ct ? ct
            : content is JsonObject or JsonArray ? "application/json" : "text/plain";
        var headers = context.Evaluate("responseHeaders") as JsonObject;
        context.Trace(HttpResponse.TraceKind, new JsonObject
        {
            ["statusCode"] = status, ["content"] = text, ["contentType"] = contentType, ["headers"] = headers?.DeepClone(),
        });
        return ActivityResult.Done();
    }

    /// <summary>A status code from a number or an <c>HttpStatusCode</c> name ("OK", "NotFound").</summary>
    public static int StatusCode(JsonNode? value)
    {
        if (value is null) return 200;
        var text = ValueConverter.ToText(value);
        if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 100 and <= 599) return (int)n;
        if (Enum.TryParse<System.Net.HttpStatusCode>(text, ignoreCase: true, out var code) && (int)code is >= 100 and <= 599) return (int)code;
        throw new FormatException($"'{text}' is not an HTTP status code.");
    }
}

/// <summary>
/// <c>Elsa.FlowSendHttpRequest</c>: sends a request after the step commits and waits for the response. Ports: the
/// status code when it is one of <c>expectedStatusCodes</c> (else "Unmatched status code"), and Done; "Failed to
/// connect" or "Timeout" when no response came. Outputs: <c>statusCode</c>, <c>parsedContent</c>, <c>responseHeaders</c>.
/// </summary>
public sealed class SendHttpRequestActivity(string type, string displayName) : IActivity
{
    public const string FailedToConnect = "Failed to connect";
    public const string Timeout = "Timeout";
    public const string Unmatched = "Unmatched status code";

    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = type, DisplayName = displayName, Category = "HTTP", Icon = "Public", IsWaiting = true,
        Description = "Sends an HTTP request to an allowed host (time-out and retries from settings) and continues on the response's status code.",
        DynamicPortsInput = "expectedStatusCodes",
        Ports = ["Done", Unmatched, FailedToConnect, Timeout],
        Inputs =
        [
            .. HttpRequestSending.Inputs,
            new InputDescriptor { Name = "expectedStatusCodes", DisplayName = "Expected status codes", TypeName = "Int32[]", UiHint = "outcomes", Raw = false },
        ],
    };

    public IReadOnlyList<string> GetPorts(ActivityNode node)
    {
        var ports = new List<string>(HttpRequestSending.ExpectedFromNode(node).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        ports.AddRange(Descriptor.Ports);
        return ports;
    }

    public ActivityResult Execute(ActivityContext context) => HttpRequestSending.Send(context);

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        var answer = HttpRequestSending.Receive(context, input);
        if (answer.Error is { } error) return ActivityResult.Outcomes(error);
        var expected = HttpRequestSending.ExpectedStatusCodes(context);
        var ports = new List<string>();
        var status = answer.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (expected.Count > 0) ports.Add(expected.Contains(answer.StatusCode) ? status : Unmatched);
        ports.Add("Done");
        return ActivityResult.Outcomes(ports);
    }
}

/// <summary>
/// <c>Elsa.SendHttpRequest</c>, the non-flow one: sends the request as the flow one does, then runs the activity of the
/// status-code case that matches (<c>expectedStatusCodes[].activity</c>), else <c>unmatchedStatusCode</c>;
/// <c>failedToConnect</c> or <c>timeout</c> when no response came. It is done (Done, its only port) when that activity
/// is, or at once when there is none — as Elsa schedules a missing activity as a no-op.
/// </summary>
public sealed class SendHttpRequestWithActivities : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.SendHttpRequest", DisplayName = "HTTP request", Category = "HTTP", Icon = "Public", IsWaiting = true,
        Description = "Sends an HTTP request to an allowed host and runs the activity given for the response's status code (or for no response), then is done.",
        Ports = ["Done"],
        Inputs =
        [
            .. HttpRequestSending.Inputs,
            new InputDescriptor { Name = "expectedStatusCodes", DisplayName = "Expected status codes", TypeName = "HttpStatusCodeCases", UiHint = "code", Raw = true },
        ],
    };

    public ActivityResult Execute(ActivityContext context) => HttpRequestSending.Send(context);

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        var answer = HttpRequestSending.Receive(context, input);
        var slot = answer.Error switch
        {
            SendHttpRequestActivity.Timeout => "timeout",
            SendHttpRequestActivity.FailedToConnect => "failedToConnect",
            _ => CaseSlot(context.Node, answer.StatusCode),
        };
        // A matched case without an activity, or no activity for what happened: done at once.
        return slot is not null && context.Node.Slot(slot) is { } child
            ? new ActivityResult.ScheduleChildren([child.Id])
            : ActivityResult.Done();
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => allDone ? ActivityResult.Done() : null;

    /// <summary>The slot of the first case with this status code (null when that case has no activity), else <c>unmatchedStatusCode</c>.</summary>
    private static string? CaseSlot(ActivityNode node, int statusCode)
    {
        if (node.GetInputRaw("expectedStatusCodes") is JsonArray cases)
            for (var i = 0; i < cases.Count; i++)
                if (cases[i] is JsonObject c && ValueConverter.ToInteger(c["statusCode"]) == statusCode)
                    return c["activity"] is JsonObject ? $"expectedStatusCodes/{i}/activity" : null;
        return "unmatchedStatusCode";
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var raw = node.GetInputRaw("expectedStatusCodes");
        if (raw is null) yield break;
        if (raw is not JsonArray cases)
        {
            yield return "expectedStatusCodes must be a list of {statusCode, activity}";
            yield break;
        }
        var seen = new HashSet<long>();
        foreach (var c in cases)
        {
            var code = c is JsonObject o ? ValueConverter.ToInteger(o["statusCode"]) : null;
            if (code is not (>= 100 and <= 599)) yield return $"'{c?.ToJsonString()}' is not a status-code case (statusCode 100–599)";
            else if (!seen.Add(code.Value)) yield return $"status code {code} is listed twice";
        }
    }
}

/// <summary>What both HTTP request activities share: their inputs, the outbox message, and reading the response.</summary>
internal static class HttpRequestSending
{
    public static readonly IReadOnlyList<InputDescriptor> Inputs =
    [
        new InputDescriptor { Name = "url", DisplayName = "URL", TypeName = "Uri", Required = true },
        new InputDescriptor { Name = "method", DisplayName = "Method", TypeName = "String", UiHint = "dropdown", Options = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], DefaultValue = "GET" },
        new InputDescriptor { Name = "content", DisplayName = "Content", TypeName = "Object", UiHint = "multiline" },
        new InputDescriptor { Name = "contentType", DisplayName = "Content type", TypeName = "String" },
        new InputDescriptor { Name = "requestHeaders", DisplayName = "Headers", TypeName = "Object", UiHint = "code" },
    ];

    public readonly record struct Answer(int StatusCode, string? Error);

    public static List<int> ExpectedFromNode(ActivityNode node)
    {
        var raw = node.GetInputRaw("expectedStatusCodes");
        // Elsa.SendHttpRequest writes cases ({statusCode, activity}); FlowSendHttpRequest a list of numbers.
        if (raw is JsonArray cases && cases.All(c => c is JsonObject))
            return [.. cases.Select(c => (int)(ValueConverter.ToInteger(c!["statusCode"]) ?? 0)).Where(c => c > 0)];
        var expression = Expression.FromInput(raw);
        if (expression is not { Type: Expression.Literal or Expression.Object }) return [];
        return [.. ValueConverter.ToStringList(expression.Value).Select(s => int.TryParse(s, out var n) ? n : 0).Where(n => n > 0)];
    }

    public static List<int> ExpectedStatusCodes(ActivityContext context)
    {
        var value = context.Evaluate("expectedStatusCodes");
        var codes = value is JsonArray a && a.All(c => c is JsonObject)
            ? new JsonArray([.. a.Select(c => c!["statusCode"]?.DeepClone())])
            : value;
        return [.. ValueConverter.ToStringList(codes).Select(s => int.TryParse(s, out var n) ? n : 0).Where(n => n > 0)];
    }

    public static ActivityResult Send(ActivityContext context)
    {
        var url = context.GetString("url");
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"'{url}' is not an absolute http(s) URL.");
        var requestId = context.NewId();
        var responseEvent = HttpStimulus.ResponseEventName(requestId);
        var content = context.Evaluate("content");
        context.AddEffect(new PublishEventEffect(HttpStimulus.SendEventName, null, new JsonObject
        {
            ["requestId"] = requestId,
            ["responseEvent"] = responseEvent,
            ["url"] = uri.ToString(),
            ["method"] = (context.GetString("method") ?? "GET").ToUpperInvariant(),
            ["content"] = content is JsonValue v && v.TryGetValue<string>(out var s) ? s : content?.ToJsonString(),
            ["contentType"] = context.GetString("contentType") ?? (content is JsonObject or JsonArray ? "application/json" : null),
            ["headers"] = context.Evaluate("requestHeaders")?.DeepClone(),
        }));
        return ActivityResult.Wait(context.CreateBookmark(StimulusNames.Event, responseEvent,
            payload: new JsonObject { ["eventName"] = responseEvent, ["url"] = uri.ToString() }));
    }

    /// <summary>Sets the outputs from the sender's answer; the error port's name when no response came.</summary>
    public static Answer Receive(ActivityContext context, JsonNode? input)
    {
        var response = input as JsonObject ?? [];
        switch (ValueConverter.ToText(response["error"]))
        {
            case "timeout":
                return new Answer(0, SendHttpRequestActivity.Timeout);
            case "failed-to-connect":
            case "not-allowed":
                context.Trace("http-request-failed", response.DeepClone());
                return new Answer(0, SendHttpRequestActivity.FailedToConnect);
        }
        var status = (int)(ValueConverter.ToInteger(response["statusCode"]) ?? 0);
        var body = ValueConverter.ToText(response["content"]);
        JsonNode? parsed = body;
        if (body is not null && (ValueConverter.ToText(response["contentType"]) ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try { parsed = JsonNode.Parse(body); }
            catch (System.Text.Json.JsonException) { parsed = body; }
        }
        context.SetOutput(parsed?.DeepClone());
        context.SetNamedOutput("statusCode", status);
        context.SetNamedOutput("parsedContent", parsed?.DeepClone());
        context.SetNamedOutput("responseHeaders", response["headers"]?.DeepClone());
        return new Answer(status, null);
    }
}
