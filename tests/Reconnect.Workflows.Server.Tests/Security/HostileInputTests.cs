using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Xunit.Abstractions;
using static Reconnect.Workflows.Server.Tests.Api.Kit;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Security;

/// <summary>
/// Hostile input against every endpoint that takes a body, a query or an id: generated per endpoint from a valid
/// request (every field replaced by wrong types, nulls, huge, odd and extreme values; unknown fields; whole bodies that
/// are not JSON, nested 10,000 deep, 5 MB), and hostile workflow definitions (scripts that never stop or allocate
/// without end, 3,000 activities, 1,000-node cycles, self-loops, duplicate ids, 10,000 connections). Every answer is
/// below 500, every 4xx is problem details, a refused change writes no row, and afterwards /health answers 200 within
/// 2 s and a normal request works. The number of inputs tried goes to the test output (and docs/reliability.md).
/// </summary>
public class HostileInputTests(SecurityServer server, ITestOutputHelper output) : IClassFixture<SecurityServer>
{
    private const string DraftId = "hostile-draft";
    private static readonly string[] CountedTables =
        ["WorkflowDefinitions", "WorkflowInstances", "Bookmarks", "Tasks", "Referrals", "ReferralHistory", "AuditEntries", "Incidents", "AspNetUsers", "AspNetUserRoles", "StaffAbsences"];

    private readonly ConcurrentQueue<string> _failures = new();
    private int _tried;
    private static int _normalReferrals = 9900;

    // ------------------------------------------------------------------------------------------------ the values

    private static readonly string Big100K = new('a', 100 * 1024);
    private static readonly string Big5M = new('b', 5 * 1024 * 1024);

    /// <summary>What any field can be replaced with: wrong JSON types, null, empty containers, extremes.</summary>
    private static IEnumerable<(string Label, Func<JsonNode?> Value)> AnyValue() =>
    [
        ("null", () => null),
        ("zero", () => 0),
        ("negative", () => -1),
        ("huge number", () => JsonValue.Create(1e308)),
        ("long.MaxValue", () => long.MaxValue),
        ("fraction", () => 0.5),
        ("true", () => true),
        ("empty string", () => ""),
        ("array", () => new JsonArray()),
        ("array of null", () => new JsonArray((JsonNode?)null)),
        ("object", () => new JsonObject()),
        ("object in array", () => new JsonArray(new JsonObject { ["a"] = 1 })),
    ];

    /// <summary>What a string field can also be: huge, odd characters, injections, invalid and extreme dates.</summary>
    private static IEnumerable<(string Label, Func<JsonNode?> Value)> StringValue() =>
    [
        ("100 KB", () => Big100K),
        ("whitespace", () => "   \t\n"),
        ("control chars", () => "\u0000\u0001\u0007\u001b[31m\u202e\uFEFF"),
        ("emoji and non-ASCII", () => "😀𝕏 Zoë Ñ ß 漢字 ‮RTL ﷺ"),
        ("lone surrogate", () => "\ud800x"),
        ("SQL", () => "' OR 1=1; DROP TABLE Referrals; --"),
        ("script", () => "<script>alert(1)</script>"),
        ("template", () => "{{ 7 * 7 }} ${7*7} #{7*7} {% for i in (1..100000000) %}x{% endfor %}"),
        ("js", () => "while(true){}"),
        ("path", () => "../../../../etc/passwd"),
        ("date min", () => "0001-01-01"),
        ("date max", () => "9999-12-31"),
        ("date impossible", () => "2027-02-30"),
        ("date garbage", () => "2027-13-45T25:61:00+99:00"),
        ("negative year", () => "-0001-01-01"),
        ("number text", () => "1e999"),
        ("duration huge", () => "P99999999Y"),
    ];

    /// <summary>Whole bodies that are not the request at all.</summary>
    private static IEnumerable<(string Label, Func<HttpContent> Content)> WholeBodies(JsonObject template) =>
    [
        ("empty", () => Json("")),
        ("blank", () => Json("  \r\n ")),
        ("null", () => Json("null")),
        ("array", () => Json("[]")),
        ("array of template", () => Json("[" + template.ToJsonString() + "]")),
        ("string", () => Json("\"text\"")),
        ("number", () => Json("42")),
        ("true", () => Json("true")),
        ("truncated", () => Json("{\"a\":")),
        ("not json", () => Json("hello there")),
        ("two values", () => Json("{}{}")),
        ("duplicate keys", () => Json(DuplicateKeys(template))),
        ("nested arrays 10,000 deep", () => Json(new string('[', 10_000) + new string(']', 10_000))),
        ("nested objects 10,000 deep", () => Json(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000))),
        ("template nested 10,000 deep", () => Json(Wrap(template, 10_000))),
        ("5 MB field", () => Json(With(template, "huge", Big5M))),
        ("5 MB of spaces", () => Json(new string(' ', 5 * 1024 * 1024) + "{}")),
        ("100 KB unknown field", () => Json(With(template, "unknownField", Big100K))),
        ("unknown fields", () => Json(With((JsonObject)JsonNode.Parse(With(template, "__proto__", "{\"polluted\":true}"))!, "constructor", "x"))),
        ("invalid UTF-8", () => new ByteArrayContent([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) { Headers = { ContentType = new("application/json") } }),
        ("BOM then template", () => new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(template.ToJsonString())]) { Headers = { ContentType = new("application/json") } }),
        ("text/plain", () => new StringContent(template.ToJsonString(), Encoding.UTF8, "text/plain")),
        ("form", () => new FormUrlEncodedContent([new("a", "b")])),
        ("NUL bytes", () => new ByteArrayContent(new byte[1024]) { Headers = { ContentType = new("application/json") } }),
    ];

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static string With(JsonObject template, string field, string value)
    {
        var copy = (JsonObject)template.DeepClone();
        copy[field] = value;
        return copy.ToJsonString();
    }

    private static string DuplicateKeys(JsonObject template)
    {
        var text = template.ToJsonString();
        var first = template.FirstOrDefault();
        return first.Key is null ? "{\"a\":1,\"a\":2}" : text.Insert(1, $"\"{first.Key}\":12345,");
    }

    private static string Wrap(JsonObject template, int depth) =>
        string.Concat(Enumerable.Repeat("{\"x\":", depth)) + template.ToJsonString() + new string('}', depth);

    /// <summary>Every node of the template (leaves and containers) replaced by each hostile value; an unknown field on every object.</summary>
    private static IEnumerable<(string Label, Func<HttpContent> Content)> FieldMutations(JsonObject template)
    {
        var paths = new List<(string Path, JsonNode Node)>();
        void Walk(JsonNode node, string path)
        {
            if (node is JsonObject o) foreach (var (k, v) in o) { if (v is not null) { paths.Add(($"{path}.{k}", v)); Walk(v, $"{path}.{k}"); } }
            if (node is JsonArray a) for (var i = 0; i < a.Count; i++) if (a[i] is { } v) { paths.Add(($"{path}[{i}]", v)); Walk(v, $"{path}[{i}]"); }
        }
        Walk(template, "$");
        foreach (var (path, node) in paths)
        {
            var values = AnyValue();
            if (node is JsonValue v && v.TryGetValue<string>(out _)) values = values.Concat(StringValue());
            foreach (var (label, value) in values)
                yield return ($"{path} = {label}", () => Json(Replace(template, path, value())));
            if (node is JsonObject)
                yield return ($"{path} + unknown field", () => Json(Replace(template, path, AddUnknown(node))));
        }
        yield return ("$ + unknown field", () => Json(AddUnknown(template)!.ToJsonString()));
    }

    private static JsonNode? AddUnknown(JsonNode node)
    {
        var copy = (JsonObject)node.DeepClone();
        copy["unknownField"] = "x";
        copy["$type"] = "System.Object";
        return copy;
    }

    /// <summary>A copy of the template with the node at <paramref name="path"/> ($.a.b[0].c) replaced.</summary>
    private static string Replace(JsonObject template, string path, JsonNode? value)
    {
        var copy = template.DeepClone();
        var target = copy.AsObject().Root;
        var parts = System.Text.RegularExpressions.Regex.Matches(path[1..], @"\.([^.\[]+)|\[(\d+)\]").Select(m => m.Groups[1].Success ? (object)m.Groups[1].Value : int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        JsonNode parent = copy;
        for (var i = 0; i < parts.Count - 1; i++)
            parent = parts[i] is string k ? parent[k]! : parent[(int)parts[i]]!;
        if (parts[^1] is string key) parent[key] = value;
        else parent[(int)parts[^1]] = value;
        _ = target;
        return copy.ToJsonString();
    }

    // ------------------------------------------------------------------------------------------------ trying one input

    private async Task<string> CountsAsync()
    {
        await using var db = await server.App.DbAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + string.Join(", ", CountedTables.Select(t => $"(SELECT COUNT(*) FROM \"{t}\")"));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return string.Join(" ", CountedTables.Select((t, i) => $"{t}={reader.GetInt64(i)}"));
    }

    /// <summary>
    /// Sends one input: below 500, problem details for a 4xx, within <paramref name="within"/>; for a change that was
    /// refused (<paramref name="changes"/>), the row counts of every table a change could touch are the same after.
    /// </summary>
    private async Task<HttpStatusCode> TryAsync(Caller caller, string method, string url, Func<HttpContent>? content, string label, bool changes, TimeSpan? within = null)
    {
        var before = changes ? await CountsAsync() : null;
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = content?.Invoke() };
        var clock = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await server[caller].SendAsync(request);
        }
        catch (Exception ex)
        {
            _failures.Enqueue($"{method} {Short(url)} [{label}]: threw {ex.GetType().Name}: {ex.Message}");
            Interlocked.Increment(ref _tried);
            return HttpStatusCode.InternalServerError;
        }
        using (response)
        {
            var elapsed = clock.Elapsed;
            Interlocked.Increment(ref _tried);
            var status = (int)response.StatusCode;
            var what = $"{method} {Short(url)} [{label}] → {status}";
            if (status >= 500) _failures.Enqueue($"{what}: {Short(await response.Content.ReadAsStringAsync(), 400)}");
            else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                _failures.Enqueue($"{what} is not problem details ({response.Content.Headers.ContentType?.MediaType ?? "no body"})");
            if (elapsed > (within ?? TimeSpan.FromSeconds(10))) _failures.Enqueue($"{what} took {elapsed.TotalSeconds:0.0} s");
            if (changes && status >= 400)
            {
                var after = await CountsAsync();
                if (after != before) _failures.Enqueue($"{what} was refused but wrote rows: before {before}, after {after}");
            }
            return response.StatusCode;
        }
    }

    private static string Short(string text, int max = 160) => text.Length <= max ? text : text[..max] + $"…({text.Length} chars)";

    private async Task AssertResponsiveAsync()
    {
        var health = Stopwatch.StartNew();
        using var response = await server[Caller.Anonymous].GetAsync("/health");
        health.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(health.Elapsed < TimeSpan.FromSeconds(2), $"/health took {health.Elapsed.TotalSeconds:0.00} s after the flood");
        var list = await (await server[Caller.Manager].GetAsync(Definitions)).ArrayAsync();
        Assert.NotEmpty(list);
        var referral = await server[Caller.Manager].CreateReferralAsync(Body(server.Today, PrisonNumber(Interlocked.Increment(ref _normalReferrals)), site: "NHI"));
        Assert.Equal(HttpStatusCode.OK, (await server[Caller.Manager].GetAsync($"{ReferralsUrl}/{referral["id"].Str()}")).StatusCode);
        output.WriteLine($"After the flood: /health 200 in {health.Elapsed.TotalMilliseconds:0} ms; a list and a referral create + read worked.");
    }

    private void Report(string what, Stopwatch clock)
    {
        output.WriteLine($"{what}: {_tried} hostile inputs tried in {clock.Elapsed.TotalSeconds:0.0} s; {_failures.Count} failures.");
        foreach (var f in _failures.Take(60)) output.WriteLine("  ✗ " + f);
        foreach (var e in server.Errors.Select(e => e.Exception!).GroupBy(x => x.GetType().Name + ": " + x.Message.Split('\n')[0]))
            output.WriteLine($"  server error ×{e.Count()}: {Short(e.Key, 200)} at {e.First().StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Reconnect", StringComparison.Ordinal))?.Trim()}");
        Assert.True(_failures.IsEmpty, $"{_failures.Count} of {_tried} hostile inputs misbehaved:\n" + string.Join("\n", _failures.Take(40)));
    }

    // ------------------------------------------------------------------------------------------------ bodies, queries, ids

    private sealed record BodyTarget(Caller As, string Method, string Url, JsonObject Template, bool Changes = true, bool Slow = false);

    [Fact]
    public async Task EveryBodyQueryAndId_HostileValues_4xxProblemsNever500_NothingHalfWritten_StaysResponsive()
    {
        var clock = Stopwatch.StartNew();
        var s = server;
        await (await s[Caller.Manager].PostJsonAsync(Definitions, HelloFlow(DraftId))).JsonAsync(HttpStatusCode.Created);
        var referral = (await s[Caller.Manager].CreateReferralAsync(Body(s.Today, PrisonNumber(9500), site: "LEI")))["id"].Str();
        string task;
        await using (var db = await s.App.DbAsync())
            task = (await db.Tasks.AsNoTracking().Where(t => t.SubjectId == referral).OrderBy(t => t.Id).FirstAsync()).Id;
        var schedule = $"/api/schedules/{Uri.EscapeDataString(s.ScheduleName)}";

        var bodies = new List<BodyTarget>
        {
            new(Caller.Anonymous, "POST", "/api/auth/login", new JsonObject { ["email"] = "nobody@reconnect.test", ["password"] = "not-the-password" }),
            new(Caller.Anonymous, "POST", "/api/auth/refresh", new JsonObject { ["refreshToken"] = "not-a-token" }),
            new(Caller.Admin, "POST", "/api/testing/clock", new JsonObject { ["advanceBy"] = "PT0S" }),
            new(Caller.Manager, "POST", Definitions, HelloFlow("hostile-created")),
            new(Caller.Manager, "PUT", $"{Definitions}/{DraftId}", HelloFlow(DraftId, "edited")),
            new(Caller.Manager, "POST", $"{Definitions}/validate", HelloFlow("hostile-validated"), Changes: false),
            new(Caller.Manager, "POST", $"{Definitions}/import", HelloFlow("hostile-imported")),
            new(Caller.Manager, "POST", Instances, new JsonObject { ["definitionId"] = SecurityServer.FlowId, ["input"] = new JsonObject { ["a"] = "b" }, ["correlationId"] = "hostile" }),
            // migrations and bulk operations: dry runs (a mutated one that runs for real matches nothing, or has no version 2)
            new(Caller.Manager, "POST", $"{Definitions}/{SecurityServer.FlowId}/migrations", new JsonObject
            {
                ["fromVersion"] = 1, ["toVersion"] = 2, ["instanceIds"] = new JsonArray("x"), ["activityMap"] = new JsonObject { ["a"] = "b" },
                ["variables"] = new JsonObject { ["v"] = "keep" }, ["dryRun"] = true,
            }),
            new(Caller.Manager, "POST", $"{Instances}/bulk-cancel", new JsonObject
            {
                ["filter"] = new JsonObject { ["definitionId"] = "matches-nothing", ["version"] = 1, ["status"] = "Suspended", ["activityId"] = "a", ["correlationId"] = "c" },
                ["dryRun"] = true, ["instanceIds"] = new JsonArray("x"),
            }),
            new(Caller.Manager, "POST", $"{Instances}/bulk-retry", new JsonObject { ["filter"] = new JsonObject { ["definitionId"] = "matches-nothing" }, ["dryRun"] = true }),
            new(Caller.Scheduler, "PUT", schedule, new JsonObject { ["cron"] = "0 7 * * *" }),
            new(Caller.Manager, "POST", ReferralsUrl, Body(s.Today, PrisonNumber(9501), site: "LEI")),
            new(Caller.Manager, "POST", $"{ReferralsUrl}/{referral}/events/release-date-changed", new JsonObject { ["releaseDate"] = D(s.Today.AddDays(45)) }),
            new(Caller.Manager, "POST", $"{ReferralsUrl}/{referral}/events/released", new JsonObject { ["date"] = D(s.Today.AddDays(-1)) }),
            new(Caller.Manager, "POST", $"{ReferralsUrl}/{referral}/events/transferred", new JsonObject { ["site"] = "LEI" }),
            new(Caller.Manager, "POST", $"{ReferralsUrl}/{referral}/events/recalled-to-custody", []),
            new(Caller.Manager, "POST", $"{ReferralsUrl}/{referral}/events/consent-withdrawn", []),
            new(Caller.NavigatorLei, "POST", $"/api/tasks/{task}/complete", new JsonObject { ["outcome"] = "Engaged", ["notes"] = "n" }),
            // accounts: the first valid variant creates the account, the rest are refused (409, or 400 for the field)
            new(Caller.Admin, "POST", "/api/users", new JsonObject
            {
                ["email"] = "hostile.user@reconnect.test", ["displayName"] = "Hostile", ["roles"] = new JsonArray("Referrer"), ["site"] = "LEI", ["password"] = "Hostile-password-2027",
            }),
            new(Caller.Admin, "PATCH", $"/api/users/{s.StaffTarget}", new JsonObject { ["roles"] = new JsonArray("Referrer"), ["site"] = "LEI", ["displayName"] = "Hostile target" }),
            new(Caller.Manager, "POST", $"/api/tasks/{task}/assign", new JsonObject { ["assigneeId"] = s.NavigatorLeiId }),
            new(Caller.Manager, "POST", $"{ReferralsUrl}/{referral}/navigator", new JsonObject { ["navigatorId"] = s.NavigatorLeiId, ["reason"] = "Caseload" }),
            // absences: the first valid variant records it (far ahead, so nothing moves), the rest are refused (409 overlap, or 400)
            new(Caller.NavigatorLei, "POST", $"/api/users/{s.NavigatorLeiId}/absences", new JsonObject
            {
                ["from"] = D(s.Today.AddDays(300)), ["to"] = D(s.Today.AddDays(302)), ["coverUserId"] = null,
            }),
            // the Elsa-compatible API: Studio's save, bulk publish, and its POST reads
            new(Caller.Manager, "POST", "/elsa/api/workflow-definitions", new JsonObject { ["model"] = HelloFlow("hostile-elsa-saved"), ["publish"] = false }),
            new(Caller.Manager, "POST", "/elsa/api/bulk-actions/publish/workflow-definitions/by-definition-ids", new JsonObject { ["definitionIds"] = new JsonArray(DraftId) }),
            new(Caller.Manager, "POST", "/elsa/api/workflow-instances", new JsonObject { ["page"] = 0, ["pageSize"] = 5, ["statuses"] = new JsonArray("Running"), ["searchTerm"] = "x" }, Changes: false),
            new(Caller.Manager, "POST", "/elsa/api/activity-executions/report", new JsonObject { ["workflowInstanceId"] = s.InstanceId, ["activityNodeIds"] = new JsonArray("flowchart:start") }, Changes: false),
            // a wrong current password: never changes anything
            new(Caller.Scheduler, "POST", "/api/auth/change-password", new JsonObject { ["currentPassword"] = "not-the-password", ["newPassword"] = "Another-password-2027" }),
            // an event with nothing waiting looks again for about a second: these go in parallel, and change no counted table but the audit
            new(Caller.Manager, "POST", "/api/events/hostile-nobody-waits", new JsonObject { ["correlationId"] = "nobody", ["payload"] = new JsonObject { ["a"] = "b" } }, Changes: false, Slow: true),
        };

        foreach (var target in bodies.Where(b => !b.Slow))
            foreach (var (label, content) in WholeBodies(target.Template).Concat(FieldMutations(target.Template)))
                await TryAsync(target.As, target.Method, target.Url, content, label, target.Changes);
        var afterBodies = _tried;

        // queries: every parameter of every endpoint that reads one, with bad values, and repeated
        string[] badQueryValues =
        [
            "", "abc", "-1", "0", "2147483648", "99999999999999999999", "1.5", "1e3", "NaN", "Infinity", "true", "%00", "%FF%FE",
            "%27%20OR%201%3D1--", "%3Cscript%3E", "%F0%9F%98%80", "0001-01-01", "9999-12-31", "2027-02-30", "P3D", "*", new string('z', 10_000),
        ];
        (string Url, string[] Params, Caller As)[] queries =
        [
            (ReferralsUrl, ["site", "stage", "page", "pageSize"], Caller.Manager),
            (ReferralsUrl, ["site", "stage", "page", "pageSize"], Caller.NavigatorLei),
            ("/api/measures", ["from", "to"], Caller.Manager),
            ("/api/tasks", ["assignee", "status", "site", "overdue", "page", "pageSize", "view"], Caller.Manager),
            ("/api/tasks", ["assignee", "status", "site", "overdue", "page", "pageSize", "view"], Caller.NavigatorLei),
            ("/api/tasks?view=attention", ["site", "page", "pageSize"], Caller.Manager),
            ("/api/notifications", ["x"], Caller.NavigatorLei),
            (Instances, ["status", "definitionId", "correlationId", "page", "pageSize"], Caller.Admin),
            ($"{Definitions}/{SecurityServer.FlowId}", ["version"], Caller.Manager),
            ($"{Definitions}/{SecurityServer.FlowId}/compare", ["from", "to"], Caller.Manager),
            ("/api/schedules/next-fire-times", ["cron"], Caller.Scheduler),
            ($"{schedule}/runs", ["count"], Caller.Scheduler),
            ("/api/auth/me", ["x"], Caller.Referrer),
            ("/elsa/api/workflow-definitions", ["versionOptions", "page", "pageSize", "isSystem", "orderBy", "orderDirection", "searchTerm", "definitionIds", "ids"], Caller.Manager),
            ($"/elsa/api/workflow-definitions/by-definition-id/{SecurityServer.FlowId}", ["versionOptions"], Caller.Manager),
            ("/elsa/api/workflow-definitions/validation/is-name-unique", ["name", "definitionId"], Caller.Manager),
            ("/elsa/api/workflow-instances", ["page", "pageSize", "status", "subStatus", "statuses", "version", "hasIncidents", "orderDirection", "searchTerm"], Caller.Admin),
            ($"/elsa/api/workflow-instances/{s.InstanceId}/journal", ["skip", "take"], Caller.Scheduler),
            ("/elsa/api/activity-executions/list", ["workflowInstanceId", "activityNodeId"], Caller.Manager),
            ("/elsa/api/activity-executions/by-id", ["id"], Caller.Manager),
        ];
        var queryJobs = new List<Func<Task>>();
        foreach (var (url, parameters, caller) in queries)
            foreach (var p in parameters)
            {
                var q = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
                foreach (var value in badQueryValues)
                    queryJobs.Add(() => TryAsync(caller, "GET", $"{url}{q}{p}={value}", null, $"{p}={Short(value, 20)}", changes: false));
                queryJobs.Add(() => TryAsync(caller, "GET", $"{url}{q}{p}=1&{p}=2&{p}=abc", null, $"{p} repeated", changes: false));
            }
        foreach (var value in badQueryValues) // changes: these must be refused before anything is imported / signed in
        {
            queryJobs.Add(() => TryAsync(Caller.Manager, "POST", $"{Definitions}/import?publish={value}", () => Json(HelloFlow("hostile-import-query").ToJsonString()), $"publish={Short(value, 20)}", changes: false));
            queryJobs.Add(() => TryAsync(Caller.Anonymous, "POST", $"/api/auth/login?useCookies={value}", () => Json("{\"email\":\"nobody@reconnect.test\",\"password\":\"x\"}"), $"useCookies={Short(value, 20)}", changes: false));
        }
        await ParallelAsync(queryJobs, 4);
        var afterQueries = _tried;

        // ids in the path: very long, absent, url-encoded junk
        // (not "%00": Kestrel answers 400 before routing; the in-process test server throws in the client instead)
        string[] badIds =
        [
            new string('a', 2000), "does-not-exist", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%F0%9F%98%80", "%E2%80%AE", "%27%20OR%201%3D1--",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%25", "%FF%FE", "..", "%20", "{id}", "1", "-1", "0001-01-01",
        ];
        (string Method, string Template, Caller As, string? Body, bool Slow)[] routes =
        [
            ("GET", $"{Definitions}/{{x}}", Caller.Manager, null, false),
            ("GET", $"{Definitions}/{{x}}/versions", Caller.Manager, null, false),
            ("GET", $"{Definitions}/{{x}}/compare", Caller.Manager, null, false),
            ("PUT", $"{Definitions}/{{x}}", Caller.Manager, HelloFlow("ignored").ToJsonString(), false),
            ("POST", $"{Definitions}/{{x}}/publish", Caller.Manager, null, false),
            ("POST", $"{Definitions}/{{x}}/retract", Caller.Manager, null, false),
            ("POST", $"{Definitions}/{{x}}/migrations", Caller.Manager, "{\"fromVersion\":1,\"toVersion\":2,\"dryRun\":true}", false),
            ("GET", "/api/migrations/{x}", Caller.Scheduler, null, false),
            ("GET", $"{Instances}/{{x}}", Caller.Manager, null, false),
            ("POST", $"{Instances}/{{x}}/cancel", Caller.Manager, null, false),
            ("POST", $"{Instances}/{{x}}/retry", Caller.Manager, null, false),
            ("GET", $"/api/schedules/{{x}}/runs", Caller.Scheduler, null, false),
            ("POST", $"/api/schedules/{{x}}/trigger", Caller.Scheduler, null, false),
            ("POST", $"/api/schedules/{{x}}/pause", Caller.Scheduler, null, false),
            ("POST", $"/api/schedules/{{x}}/resume", Caller.Scheduler, null, false),
            ("PUT", $"/api/schedules/{{x}}", Caller.Scheduler, "{\"cron\":\"0 7 * * *\"}", false),
            ("GET", $"{ReferralsUrl}/{{x}}", Caller.Manager, null, false),
            ("GET", $"{ReferralsUrl}/{{x}}", Caller.Referrer, null, false),
            ("POST", $"{ReferralsUrl}/{{x}}/events/released", Caller.Manager, "{}", false),
            ("POST", $"{ReferralsUrl}/{referral}/events/{{x}}", Caller.Manager, "{}", false),
            ("GET", "/api/tasks/{x}", Caller.NavigatorLei, null, false),
            ("POST", "/api/tasks/{x}/claim", Caller.NavigatorLei, null, false),
            ("POST", "/api/tasks/{x}/complete", Caller.NavigatorLei, "{\"outcome\":\"Engaged\"}", false),
            ("POST", "/api/tasks/{x}/assign", Caller.Manager, "{\"assigneeId\":\"x\"}", false),
            ("POST", "/api/tasks/{x}/release", Caller.NavigatorLei, null, false),
            ("POST", $"{ReferralsUrl}/{{x}}/navigator", Caller.Manager, "{\"navigatorId\":\"x\"}", false),
            ("PATCH", "/api/users/{x}", Caller.Admin, "{\"displayName\":\"x\"}", false),
            ("POST", "/api/users/{x}/deactivate", Caller.Admin, null, false),
            ("POST", "/api/users/{x}/reactivate", Caller.Admin, null, false),
            ("GET", "/api/users/{x}/absences", Caller.Manager, null, false),
            ("POST", "/api/users/{x}/absences", Caller.Manager, "{\"from\":\"2030-01-01\",\"to\":\"2030-01-02\"}", false),
            ("DELETE", $"/api/users/{s.NavigatorLeiId}/absences/{{x}}", Caller.Manager, null, false),
            ("DELETE", "/api/users/{x}/absences/x", Caller.Manager, null, false),
            ("POST", "/api/notifications/{x}/read", Caller.NavigatorLei, null, false),
            ("POST", "/api/events/{x}", Caller.Admin, "{}", true),
        ];
        foreach (var (method, template, caller, body, slow) in routes.Where(r => !r.Slow))
            foreach (var id in badIds)
                await TryAsync(caller, method, template.Replace("{x}", id, StringComparison.Ordinal), body is null ? null : () => Json(body), $"id {Short(id, 20)}", changes: method != "GET");
        var afterIds = _tried;

        // the slow ones (an event with nothing waiting is looked for again for about a second), in parallel
        var slowJobs = new List<Func<Task>>();
        foreach (var (method, template, caller, body, _) in routes.Where(r => r.Slow))
            foreach (var id in badIds)
                slowJobs.Add(() => TryAsync(caller, method, template.Replace("{x}", id, StringComparison.Ordinal), body is null ? null : () => Json(body), $"id {Short(id, 20)}", changes: false));
        foreach (var target in bodies.Where(b => b.Slow))
            foreach (var (label, content) in WholeBodies(target.Template).Concat(FieldMutations(target.Template)))
                slowJobs.Add(() => TryAsync(target.As, target.Method, target.Url, content, label, changes: false));
        await ParallelAsync(slowJobs, 16);

        output.WriteLine($"bodies {afterBodies}, queries {afterQueries - afterBodies}, ids {afterIds - afterQueries}, events (parallel) {_tried - afterIds}");
        Report("Bodies, queries and ids", clock);
        await AssertResponsiveAsync();
    }

    private static async Task ParallelAsync(IEnumerable<Func<Task>> jobs, int degree) =>
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = degree }, async (job, _) => await job());

    // ------------------------------------------------------------------------------------------------ hostile workflows

    private static JsonObject Js(string id, string script) => Activity(id, "Elsa.WriteLine", ("text", Input(script, "JavaScript")));

    private static JsonObject Chain(string definitionId, int count)
    {
        var activities = new List<JsonObject> { Activity("start", "Elsa.Start") };
        var connections = new List<JsonObject>();
        for (var i = 1; i <= count; i++)
        {
            activities.Add(WriteLine($"w{i}", "x"));
            connections.Add(Connection(i == 1 ? "start" : $"w{i - 1}", $"w{i}"));
        }
        return Definition(definitionId, activities, connections);
    }

    /// <summary>start → (decision →) w1 → … → wN → back to the first; with <paramref name="exit"/> the decision's False port leaves (never taken).</summary>
    private static JsonObject Cycle(string definitionId, int count, bool exit)
    {
        var activities = new List<JsonObject> { Activity("start", "Elsa.Start") };
        var connections = new List<JsonObject>();
        var head = "w1";
        if (exit)
        {
            activities.Add(Activity("decide", "Elsa.FlowDecision", ("condition", Input("true", "JavaScript", "Boolean"))));
            activities.Add(Activity("end", "Elsa.End"));
            connections.Add(Connection("start", "decide"));
            connections.Add(Connection("decide", "w1", "True"));
            connections.Add(Connection("decide", "end", "False"));
            head = "decide";
        }
        else connections.Add(Connection("start", "w1"));
        for (var i = 1; i <= count; i++)
        {
            activities.Add(WriteLine($"w{i}", "x"));
            if (i > 1) connections.Add(Connection($"w{i - 1}", $"w{i}"));
        }
        connections.Add(Connection($"w{count}", head));
        return Definition(definitionId, activities, connections);
    }

    private static IEnumerable<(string Label, JsonObject Definition, bool MayRun)> HostileWorkflows()
    {
        yield return ("JavaScript while(true){}", Definition("h-js-loop", [Activity("start", "Elsa.Start"), Js("loop", "while(true){}")], [Connection("start", "loop")]), true);
        yield return ("JavaScript allocating without end", Definition("h-js-alloc",
            [Activity("start", "Elsa.Start"), Js("alloc", "var a = []; while (true) { a.push(new Array(100000).fill('x').join('')); }")], [Connection("start", "alloc")]), true);
        yield return ("JavaScript string doubling", Definition("h-js-double",
            [Activity("start", "Elsa.Start"), Js("double", "var s = 'x'; for (;;) { s = s + s; }")], [Connection("start", "double")]), true);
        yield return ("JavaScript unbounded recursion", Definition("h-js-recurse",
            [Activity("start", "Elsa.Start"), Js("recurse", "function f(n) { return f(n + 1) + 1; } f(0)")], [Connection("start", "recurse")]), true);
        yield return ("decision condition that never returns", Definition("h-js-condition",
            [Activity("start", "Elsa.Start"), Activity("decide", "Elsa.FlowDecision", ("condition", Input("for(;;){} true", "JavaScript", "Boolean"))), Activity("end", "Elsa.End")],
            [Connection("start", "decide"), Connection("decide", "end", "True")]), true);
        yield return ("Liquid loop of 100,000,000", Definition("h-liquid-loop",
            [Activity("start", "Elsa.Start"), Activity("liquid", "Elsa.WriteLine", ("text", Input("{% for i in (1..100000000) %}x{% endfor %}", "Liquid")))], [Connection("start", "liquid")]), true);
        yield return ("Liquid loop over a range from a variable of 100,000,000", Definition("h-liquid-var-range",
            [Activity("start", "Elsa.Start"), Activity("liquid", "Elsa.WriteLine", ("text", Input("{% assign n = 100000000 %}{% for i in (1..n) %}{% endfor %}", "Liquid")))], [Connection("start", "liquid")]), true);
        yield return ("Liquid capture doubling", Definition("h-liquid-capture",
            [Activity("start", "Elsa.Start"), Activity("liquid", "Elsa.WriteLine", ("text", Input("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}", "Liquid")))], [Connection("start", "liquid")]), true);
        yield return ("Liquid replace explosion", Definition("h-liquid-replace",
            [Activity("start", "Elsa.Start"), Activity("liquid", "Elsa.WriteLine", ("text", Input("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..12) %}{% assign s = s | replace: 'x', s %}{% endfor %}{{ s }}", "Liquid")))], [Connection("start", "liquid")]), true);
        yield return ("3,000 activities in a chain", Chain("h-chain-3000", 3000), false);
        yield return ("2,000 activities in a chain (the limit)", Chain("h-chain-2000", 1999), true);
        yield return ("1,000-node cycle, no waiting activity, no way out", Cycle("h-cycle-1000", 1000, exit: false), false);
        yield return ("1,000-node cycle, no waiting activity, an exit never taken", Cycle("h-cycle-exit", 1000, exit: true), true);
        yield return ("self-loop", Definition("h-self", [Activity("start", "Elsa.Start"), WriteLine("me", "x")], [Connection("start", "me"), Connection("me", "me")]), false);
        yield return ("duplicate activity ids", Definition("h-dup",
            [Activity("start", "Elsa.Start"), WriteLine("a", "1"), WriteLine("a", "2"), Activity("start", "Elsa.Start")], [Connection("start", "a")]), false);
        var many = Enumerable.Range(0, 100).Select(i => WriteLine($"n{i}", "x")).Prepend(Activity("start", "Elsa.Start")).ToList();
        yield return ("10,000 connections among 100 activities", Definition("h-conn-10000", many,
            Enumerable.Range(0, 10_000).Select(i => Connection(i == 0 ? "start" : $"n{i % 100}", $"n{(i * 7 + 3) % 100}")).ToList()), false);
        yield return ("10,000 connections to activities that do not exist", Definition("h-conn-missing", [Activity("start", "Elsa.Start")],
            Enumerable.Range(0, 10_000).Select(i => Connection("start", $"ghost{i}")).ToList()), false);
        yield return ("10,000 identical connections", Definition("h-conn-same", [Activity("start", "Elsa.Start"), WriteLine("log", "x")],
            Enumerable.Range(0, 10_000).Select(_ => Connection("start", "log")).ToList()), true);
        yield return ("unknown activity type", Definition("h-unknown", [Activity("start", "Elsa.Start"), Activity("x", "Elsa.BulkDispatchWorkflows")], [Connection("start", "x")]), false);
        yield return ("no activities", Definition("h-empty", [], []), true);
        yield return ("activity id of 5,000 characters", Definition("h-long-id", [Activity("start", "Elsa.Start"), WriteLine(new string('i', 5000), "x")], [Connection("start", new string('i', 5000))]), false);
        yield return ("script of 1 MB", Definition("h-big-script", [Activity("start", "Elsa.Start"), Js("big", "'" + new string('x', 1024 * 1024) + "'")], [Connection("start", "big")]), true);
    }

    [Fact]
    public async Task HostileWorkflows_AreRefusedOrFaultInBoundedTime_Never500_ServerStaysResponsive()
    {
        var clock = Stopwatch.StartNew();
        var manager = server[Caller.Manager];
        await (await manager.PostJsonAsync(Definitions, HelloFlow("hostile-target"))).JsonAsync(HttpStatusCode.Created);
        var runs = new List<string>();
        foreach (var (label, definition, mayRun) in HostileWorkflows())
        {
            var id = definition["definitionId"].Str();
            var text = definition.ToJsonString();
            var validated = await TryAsync(Caller.Manager, "POST", $"{Definitions}/validate", () => Json(text), label + " (validate)", changes: false, within: TimeSpan.FromSeconds(15));
            var asDraft = (JsonObject)definition.DeepClone();
            asDraft["definitionId"] = "hostile-target";
            await TryAsync(Caller.Manager, "PUT", $"{Definitions}/hostile-target", () => Json(asDraft.ToJsonString()), label + " (save draft)", changes: true, within: TimeSpan.FromSeconds(15));
            await TryAsync(Caller.Manager, "POST", $"{Definitions}/import", () => Json(text), label + " (import)", changes: true, within: TimeSpan.FromSeconds(15));
            var created = await TryAsync(Caller.Manager, "POST", Definitions, () => Json(text.Replace($"\"{id}\"", $"\"{id}-c\"", StringComparison.Ordinal)), label + " (create)", changes: true, within: TimeSpan.FromSeconds(15));
            if (created != HttpStatusCode.Created) { runs.Add($"{label}: validate {(int)validated}, create {(int)created}"); continue; }
            if (!mayRun) _failures.Enqueue($"{label}: was accepted ({(int)created}) although it should be refused");
            var published = await TryAsync(Caller.Manager, "POST", $"{Definitions}/{id}-c/publish", null, label + " (publish)", changes: true, within: TimeSpan.FromSeconds(15));
            if (published != HttpStatusCode.OK) { runs.Add($"{label}: created, publish {(int)published}"); continue; }
            var started = Stopwatch.StartNew();
            var response = await manager.PostJsonAsync(Instances, new JsonObject { ["definitionId"] = $"{id}-c" });
            Interlocked.Increment(ref _tried);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status >= 500) _failures.Enqueue($"{label} (start) → {status}: {Short(body, 300)}");
            if (started.Elapsed > TimeSpan.FromSeconds(15)) _failures.Enqueue($"{label} (start) took {started.Elapsed.TotalSeconds:0.0} s");
            var instanceStatus = status == 201 ? JsonNode.Parse(body)!["status"].Str() : "-";
            runs.Add($"{label}: started {status} in {started.Elapsed.TotalMilliseconds:0} ms, instance {instanceStatus}");
        }
        output.WriteLine("Hostile workflows (validate, save, import, create, publish, start):");
        foreach (var r in runs) output.WriteLine("  " + r);
        Report("Hostile workflows", clock);
        await AssertResponsiveAsync();
    }
}
