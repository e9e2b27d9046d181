using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Xunit.Abstractions;
using static Reconnect.Workflows.Server.Tests.Api.Kit;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Security;

/// <summary>The class of an answer: what the matrix asserts.</summary>
public enum Answer
{
    /// <summary>401: not signed in.</summary>
    Unauthorized,
    /// <summary>403: signed in without the role (or, for a list, a filter naming another site).</summary>
    Forbidden,
    /// <summary>404: the caller may not know the thing exists (another site's referral or task, someone else's referral).</summary>
    Hidden,
    /// <summary>Let through: 2xx, or a 4xx other than 401/403/404 about the request itself (409 already done, 422 bad outcome…).</summary>
    Allowed,
}

/// <summary>
/// Every endpoint the server maps × anonymous and every role (two navigators of different sites): the class of answer
/// SPEC §8 and docs/security.md, docs/api.md, docs/referrals.md, docs/tasks.md, docs/scheduling.md give. The table must
/// name every <c>/api</c> and <c>/elsa/api</c> endpoint the server maps, so a new endpoint cannot slip in untested. Every referral read and
/// change that was let through is audited; nothing refused is.
/// </summary>
public class AccessMatrixTests(SecurityServer server, ITestOutputHelper output) : IClassFixture<SecurityServer>
{
    private static readonly Caller[] Callers = Enum.GetValues<Caller>();

    /// <summary>One row: a route template, the real URL and body used, who gets what, and the referral audit row an allowed call writes.</summary>
    private sealed record Row(string Method, string Template, string Url, Func<JsonNode?>? Body, Func<Caller, Answer> Expect,
        Func<Caller, (string Action, string? EntityId)?>? ReferralAudit = null);

    /// <summary>Anonymous → 401, the callers named → allowed, everyone else → 403; then the per-caller exceptions.</summary>
    private static Func<Caller, Answer> Only(Caller[] allowed, params (Caller Caller, Answer Answer)[] except) => caller =>
    {
        foreach (var (c, a) in except) if (c == caller) return a;
        if (caller == Caller.Anonymous) return Answer.Unauthorized;
        return allowed.Contains(caller) ? Answer.Allowed : Answer.Forbidden;
    };

    private static readonly Func<Caller, Answer> Everyone = _ => Answer.Allowed;

    // Role sets, as the docs state them.
    private static readonly Caller[] SignedIn = [Caller.Referrer, Caller.NavigatorLei, Caller.NavigatorNhi, Caller.Manager, Caller.Scheduler, Caller.Admin];
    private static readonly Caller[] ReadWorkflows = [Caller.Manager, Caller.Scheduler, Caller.Admin];
    private static readonly Caller[] EditWorkflows = [Caller.Manager];
    private static readonly Caller[] ReadInstances = [Caller.Manager, Caller.Scheduler, Caller.Admin];
    private static readonly Caller[] ManageInstances = [Caller.Manager, Caller.Admin];
    private static readonly Caller[] ReadSchedules = [Caller.Scheduler, Caller.Admin, Caller.Manager];
    private static readonly Caller[] ManageSchedules = [Caller.Scheduler, Caller.Admin];
    private static readonly Caller[] ControlClock = [Caller.Admin];
    private static readonly Caller[] ReferralCreate = [Caller.Referrer, Caller.NavigatorLei, Caller.NavigatorNhi, Caller.Manager, Caller.Admin];
    private static readonly Caller[] ReferralRead = ReferralCreate;
    private static readonly Caller[] ReferralEvents = [Caller.NavigatorLei, Caller.NavigatorNhi, Caller.Manager, Caller.Admin];
    private static readonly Caller[] Measures = [Caller.Manager, Caller.Admin];
    private static readonly Caller[] TaskRead = [Caller.NavigatorLei, Caller.NavigatorNhi, Caller.Manager, Caller.Admin];
    private static readonly Caller[] TaskWork = [Caller.NavigatorLei, Caller.NavigatorNhi, Caller.Manager];
    private static readonly Caller[] ManageUsers = [Caller.Admin];
    private static readonly Caller[] ReadUsers = [Caller.Manager, Caller.Admin];
    private static readonly Caller[] Absences = [Caller.NavigatorLei, Caller.NavigatorNhi, Caller.Manager];

    private List<Row> Table()
    {
        var s = server;
        var prison = 9100;
        var draft = $"{Definitions}/{SecurityServer.DraftId}";
        var flow = $"{Definitions}/{SecurityServer.FlowId}";
        var instance = $"{Instances}/{s.InstanceId}";
        var schedule = $"/api/schedules/{Uri.EscapeDataString(s.ScheduleName)}";
        var account = $"/api/users/{s.StaffTarget}";
        var newAccount = 0;
        (string, string?)? Read(Caller c, string id) => (c == Caller.Referrer ? "read-status" : "read", id);
        return
        [
            // ---- auth (docs/security.md): login and refresh are anonymous; logout and me need a sign-in
            new("POST", "/api/auth/login", "/api/auth/login", () => new JsonObject { ["email"] = ReconnectApp.Scheduler, ["password"] = ReconnectApp.Password }, Everyone),
            new("POST", "/api/auth/refresh", "/api/auth/refresh", () => new JsonObject { ["refreshToken"] = s.RefreshToken }, Everyone),
            new("GET", "/api/auth/me", "/api/auth/me", null, Only(SignedIn)),
            new("POST", "/api/auth/logout", "/api/auth/logout", null, Only(SignedIn)),
            // a wrong current password: a 400 for whoever is signed in, and nothing changes
            new("POST", "/api/auth/change-password", "/api/auth/change-password",
                () => new JsonObject { ["currentPassword"] = "not-the-password", ["newPassword"] = "Another-password-2027" }, Only(SignedIn)),
            // ---- accounts (docs/security.md): admins change them, admins and managers list them
            new("GET", "/api/users", "/api/users", null, Only(ReadUsers)),
            new("POST", "/api/users", "/api/users",
                () => new JsonObject { ["email"] = $"matrix.{Interlocked.Increment(ref newAccount)}@reconnect.test", ["roles"] = new JsonArray("Referrer") }, Only(ManageUsers)),
            new("PATCH", "/api/users/{id}", account, () => new JsonObject { ["displayName"] = "Matrix target" }, Only(ManageUsers)),
            new("POST", "/api/users/{id}/deactivate", $"{account}/deactivate", null, Only(ManageUsers)),
            new("POST", "/api/users/{id}/reactivate", $"{account}/reactivate", null, Only(ManageUsers)),
            // ---- test clock: admins
            new("GET", "/api/testing/clock", "/api/testing/clock", null, Only(ControlClock)),
            new("POST", "/api/testing/clock", "/api/testing/clock", () => new JsonObject { ["advanceBy"] = "PT1S" }, Only(ControlClock)),
            // ---- workflow definitions (docs/api.md): read M/S/A, edit M
            new("GET", "/api/activity-descriptors", "/api/activity-descriptors", null, Only(ReadWorkflows)),
            new("GET", "/api/workflow-definitions", Definitions, null, Only(ReadWorkflows)),
            new("GET", "/api/workflow-definitions/{definitionId}", flow, null, Only(ReadWorkflows)),
            new("GET", "/api/workflow-definitions/{definitionId}/versions", $"{flow}/versions", null, Only(ReadWorkflows)),
            new("GET", "/api/workflow-definitions/{definitionId}/compare", $"{flow}/compare?from=1&to=1", null, Only(ReadWorkflows)),
            new("POST", "/api/workflow-definitions", Definitions, () => HelloFlow("security-created"), Only(EditWorkflows)),
            new("PUT", "/api/workflow-definitions/{definitionId}", draft, () => HelloFlow(SecurityServer.DraftId, "edited"), Only(EditWorkflows)),
            new("POST", "/api/workflow-definitions/validate", $"{Definitions}/validate", () => HelloFlow("security-checked"), Only(EditWorkflows)),
            new("POST", "/api/workflow-definitions/import", $"{Definitions}/import", () => HelloFlow("security-imported"), Only(EditWorkflows)),
            new("POST", "/api/workflow-definitions/{definitionId}/publish", $"{draft}/publish", null, Only(EditWorkflows)),
            new("POST", "/api/workflow-definitions/{definitionId}/retract", $"{draft}/retract", null, Only(EditWorkflows)),
            // ---- instances: read M/S/A, manage M/A
            new("GET", "/api/workflow-instances", Instances, null, Only(ReadInstances)),
            new("GET", "/api/workflow-instances/{id}", instance, null, Only(ReadInstances)),
            new("POST", "/api/workflow-instances", Instances, () => new JsonObject { ["definitionId"] = SecurityServer.FlowId, ["correlationId"] = "security-2" }, Only(ManageInstances)),
            new("POST", "/api/workflow-instances/{id}/retry", $"{instance}/retry", null, Only(ManageInstances)),
            new("POST", "/api/events/{eventName}", $"/api/events/{SecurityServer.FlowEvent}", () => new JsonObject { ["correlationId"] = "security-2" }, Only(ManageInstances)),
            new("POST", "/api/workflow-instances/{id}/cancel", $"{instance}/cancel", null, Only(ManageInstances)),
            // ---- migrations and bulk operations (docs/api.md): migrate M (a bad body: 400 after the policy); bulk M/A; a job's status M/S/A
            new("POST", "/api/workflow-definitions/{definitionId}/migrations", $"{flow}/migrations",
                () => new JsonObject { ["fromVersion"] = 1, ["toVersion"] = 1, ["dryRun"] = true }, Only(EditWorkflows)),
            new("POST", "/api/workflow-instances/bulk-cancel", $"{Instances}/bulk-cancel",
                () => new JsonObject { ["filter"] = new JsonObject { ["definitionId"] = "matches-nothing" }, ["dryRun"] = true }, Only(ManageInstances)),
            new("POST", "/api/workflow-instances/bulk-retry", $"{Instances}/bulk-retry",
                () => new JsonObject { ["filter"] = new JsonObject { ["definitionId"] = "matches-nothing" }, ["dryRun"] = true }, Only(ManageInstances)),
            // an unknown job: 404 for those who may read instances (the policy answers first for everyone else)
            new("GET", "/api/migrations/{id}", "/api/migrations/no-such-job", null,
                c => c == Caller.Anonymous ? Answer.Unauthorized : ReadInstances.Contains(c) ? Answer.Hidden : Answer.Forbidden),
            // ---- schedules (docs/scheduling.md): read S/A/M, change S/A
            new("GET", "/api/schedules", "/api/schedules", null, Only(ReadSchedules)),
            new("GET", "/api/schedules/next-fire-times", "/api/schedules/next-fire-times?cron=0%207%20*%20*%20*", null, Only(ReadSchedules)),
            new("GET", "/api/schedules/{name}/runs", $"{schedule}/runs", null, Only(ReadSchedules)),
            new("POST", "/api/schedules/{name}/pause", $"{schedule}/pause", null, Only(ManageSchedules)),
            new("POST", "/api/schedules/{name}/resume", $"{schedule}/resume", null, Only(ManageSchedules)),
            new("PUT", "/api/schedules/{name}", schedule, () => new JsonObject { ["cron"] = "0 7 * * *" }, Only(ManageSchedules)),
            new("POST", "/api/schedules/{name}/trigger", $"{schedule}/trigger", null, Only(ManageSchedules)),
            // ---- referrals (docs/referrals.md): a navigator sees their site (another's by id → 404, a list filtered to
            //      another → 403); a referrer the status of their own (others → 404) and no events
            new("POST", "/api/referrals", ReferralsUrl, () => Body(s.Today, PrisonNumber(prison++), site: "LEI"), Only(ReferralCreate),
                _ => ("create", null)),
            new("GET", "/api/referrals", ReferralsUrl, null, Only(ReferralRead), _ => ("list", null)),
            new("GET", "/api/referrals", $"{ReferralsUrl}?site=NHI", null,
                Only(ReferralRead, (Caller.NavigatorLei, Answer.Forbidden)), _ => ("list", null)),
            new("GET", "/api/referrals/{id}", $"{ReferralsUrl}/{s.ReferralLei}", null,
                Only(ReferralRead, (Caller.NavigatorNhi, Answer.Hidden)), c => Read(c, s.ReferralLei)),
            new("GET", "/api/referrals/{id}", $"{ReferralsUrl}/{s.ReferralNhi}", null,
                Only(ReferralRead, (Caller.NavigatorLei, Answer.Hidden), (Caller.Referrer, Answer.Hidden)), c => Read(c, s.ReferralNhi)),
            new("POST", "/api/referrals/{id}/events/{eventName}", $"{ReferralsUrl}/{s.ReferralLei}/events/release-date-changed",
                () => new JsonObject { ["releaseDate"] = D(s.Today.AddDays(40)) },
                Only(ReferralEvents, (Caller.NavigatorNhi, Answer.Hidden)), _ => ("event", s.ReferralLei)),
            new("POST", "/api/referrals/{id}/events/{eventName}", $"{ReferralsUrl}/{s.ReferralNhi}/events/release-date-changed",
                () => new JsonObject { ["releaseDate"] = D(s.Today.AddDays(41)) },
                Only(ReferralEvents, (Caller.NavigatorLei, Answer.Hidden)), _ => ("event", s.ReferralNhi)),
            new("GET", "/api/measures", "/api/measures", null, Only(Measures)),
            // ---- the audit trail read back (docs/security.md): managers and admins
            new("GET", "/api/audit", $"/api/audit?referralId={s.ReferralLei}", null, Only(Measures)),
            // ---- tasks (docs/tasks.md): navigators their site's, managers all (work manager tasks only), admins read
            new("GET", "/api/tasks", "/api/tasks", null, Only(TaskRead)),
            new("GET", "/api/tasks", "/api/tasks?site=NHI", null, Only(TaskRead, (Caller.NavigatorLei, Answer.Forbidden))),
            new("GET", "/api/tasks/{id}", $"/api/tasks/{s.TaskLei}", null, Only(TaskRead, (Caller.NavigatorNhi, Answer.Hidden))),
            new("GET", "/api/tasks/{id}", $"/api/tasks/{s.TaskNhi}", null, Only(TaskRead, (Caller.NavigatorLei, Answer.Hidden))),
            // a navigator's task: the manager may see it but not work it (403); an outcome the task lacks is a 422, so
            // completing changes nothing and the row can be asked of everyone in any order
            new("POST", "/api/tasks/{id}/claim", $"/api/tasks/{s.TaskLei}/claim", null,
                Only(TaskWork, (Caller.NavigatorNhi, Answer.Hidden), (Caller.Manager, Answer.Forbidden))),
            new("POST", "/api/tasks/{id}/claim", $"/api/tasks/{s.TaskNhi}/claim", null,
                Only(TaskWork, (Caller.NavigatorLei, Answer.Hidden), (Caller.Manager, Answer.Forbidden))),
            new("POST", "/api/tasks/{id}/complete", $"/api/tasks/{s.TaskLei}/complete", () => new JsonObject { ["outcome"] = "NotAnOutcome" },
                Only(TaskWork, (Caller.NavigatorNhi, Answer.Hidden), (Caller.Manager, Answer.Forbidden))),
            new("POST", "/api/tasks/{id}/complete", $"/api/tasks/{s.TaskNhi}/complete", () => new JsonObject { ["outcome"] = "NotAnOutcome" },
                Only(TaskWork, (Caller.NavigatorLei, Answer.Hidden), (Caller.Manager, Answer.Forbidden))),
            // ---- who does the work (docs/tasks.md): managers give and reassign; the assignee hands back (LEI's navigator
            //      holds the LEI task by now: the claim row above); the referral's navigator is already LEI's (no change, no audit)
            new("POST", "/api/tasks/{id}/assign", $"/api/tasks/{s.TaskLei}/assign", () => new JsonObject { ["assigneeId"] = s.NavigatorLeiId },
                Only([Caller.Manager])),
            new("POST", "/api/tasks/{id}/release", $"/api/tasks/{s.TaskLei}/release", null,
                Only(TaskWork, (Caller.NavigatorNhi, Answer.Hidden), (Caller.Manager, Answer.Forbidden))),
            new("POST", "/api/referrals/{id}/navigator", $"{ReferralsUrl}/{s.ReferralLei}/navigator", () => new JsonObject { ["navigatorId"] = s.NavigatorLeiId },
                Only([Caller.Manager])),
            // ---- absence and cover (docs/tasks.md): a navigator their own, a manager anyone's (LEI's navigator here). Far
            //      enough ahead not to begin during the matrix; the second create of the same days is a 409. The past
            //      absence stays on the record (409), so the delete row changes nothing and any order answers the same.
            new("GET", "/api/users/{id}/absences", $"/api/users/{s.NavigatorLeiId}/absences", null,
                Only(Absences, (Caller.NavigatorNhi, Answer.Forbidden))),
            new("POST", "/api/users/{id}/absences", $"/api/users/{s.NavigatorLeiId}/absences",
                () => new JsonObject { ["from"] = D(s.Today.AddDays(200)), ["to"] = D(s.Today.AddDays(201)) },
                Only(Absences, (Caller.NavigatorNhi, Answer.Forbidden))),
            new("DELETE", "/api/users/{id}/absences/{absenceId}", $"/api/users/{s.NavigatorLeiId}/absences/{s.PastAbsence}", null,
                Only(Absences, (Caller.NavigatorNhi, Answer.Forbidden))),
            new("GET", "/api/caseloads", "/api/caseloads", null, Only([Caller.Manager])),
            // ---- escalation and notifications (docs/tasks.md, docs/security.md): the attention list is the managers';
            //      a person's notifications are their own (someone else's id: 404, as an unknown one)
            new("GET", "/api/tasks", "/api/tasks?view=attention", null, Only([Caller.Manager], (Caller.Admin, Answer.Forbidden))),
            new("GET", "/api/notifications", "/api/notifications", null, Only(SignedIn)),
            new("POST", "/api/notifications/{id}/read", $"/api/notifications/{s.NotificationLei}/read", null,
                caller => caller switch { Caller.Anonymous => Answer.Unauthorized, Caller.NavigatorLei => Answer.Allowed, _ => Answer.Hidden }),
            // ---- the Elsa-compatible API (docs/elsa-api.md): the same policies as /api
            new("GET", "/elsa/api/workflow-definitions", $"{Elsa}/workflow-definitions?versionOptions=Latest&Page=0&PageSize=10", null, Only(ReadWorkflows)),
            new("GET", "/elsa/api/workflow-definitions/by-definition-id/{definitionId}", $"{Elsa}/workflow-definitions/by-definition-id/{SecurityServer.FlowId}", null, Only(ReadWorkflows)),
            new("GET", "/elsa/api/workflow-definitions/by-id/{id}", $"{Elsa}/workflow-definitions/by-id/{SecurityServer.FlowId}:v1", null, Only(ReadWorkflows)),
            new("GET", "/elsa/api/workflow-definitions/many-by-id", $"{Elsa}/workflow-definitions/many-by-id?ids={SecurityServer.FlowId}:v1", null, Only(ReadWorkflows)),
            new("GET", "/elsa/api/workflow-definitions/validation/is-name-unique", $"{Elsa}/workflow-definitions/validation/is-name-unique?name=x", null, Only(ReadWorkflows)),
            new("POST", "/elsa/api/workflow-definitions", $"{Elsa}/workflow-definitions", () => new JsonObject { ["model"] = HelloFlow("security-elsa-saved"), ["publish"] = false }, Only(EditWorkflows)),
            new("POST", "/elsa/api/workflow-definitions/{definitionId}/publish", $"{Elsa}/workflow-definitions/{SecurityServer.DraftId}/publish", () => new JsonObject(), Only(EditWorkflows)),
            new("POST", "/elsa/api/workflow-definitions/{definitionId}/retract", $"{Elsa}/workflow-definitions/{SecurityServer.DraftId}/retract", () => new JsonObject(), Only(EditWorkflows)),
            new("POST", "/elsa/api/bulk-actions/publish/workflow-definitions/by-definition-ids", $"{Elsa}/bulk-actions/publish/workflow-definitions/by-definition-ids",
                () => new JsonObject { ["definitionIds"] = new JsonArray(SecurityServer.DraftId) }, Only(EditWorkflows)),
            .. ElsaDescriptorLists.Select(d => new Row("GET", $"/elsa/api/descriptors/{d}", $"{Elsa}/descriptors/{d}", null, Only(ReadWorkflows))),
            new("GET", "/elsa/api/features/installed", $"{Elsa}/features/installed", null, Only(ReadWorkflows)),
            new("GET", "/elsa/api/workflow-instances", $"{Elsa}/workflow-instances?Page=0&PageSize=5", null, Only(ReadInstances)),
            new("POST", "/elsa/api/workflow-instances", $"{Elsa}/workflow-instances", () => new JsonObject { ["page"] = 0, ["pageSize"] = 5 }, Only(ReadInstances)),
            new("GET", "/elsa/api/workflow-instances/{id}", $"{Elsa}/workflow-instances/{s.InstanceId}", null, Only(ReadInstances)),
            new("GET", "/elsa/api/workflow-instances/{id}/execution-state", $"{Elsa}/workflow-instances/{s.InstanceId}/execution-state", null, Only(ReadInstances)),
            new("GET", "/elsa/api/workflow-instances/{id}/journal", $"{Elsa}/workflow-instances/{s.InstanceId}/journal?skip=0&take=5", null, Only(ReadInstances)),
            new("POST", "/elsa/api/workflow-instances/{id}/journal", $"{Elsa}/workflow-instances/{s.InstanceId}/journal", () => new JsonObject(), Only(ReadInstances)),
            new("GET", "/elsa/api/workflow-instances/{id}/variables", $"{Elsa}/workflow-instances/{s.InstanceId}/variables", null, Only(ReadInstances)),
            new("POST", "/elsa/api/activity-executions/report", $"{Elsa}/activity-executions/report", () => new JsonObject { ["workflowInstanceId"] = s.InstanceId }, Only(ReadInstances)),
            new("GET", "/elsa/api/activity-executions/list", $"{Elsa}/activity-executions/list?workflowInstanceId={s.InstanceId}", null, Only(ReadInstances)),
            new("GET", "/elsa/api/activity-execution-summaries/list", $"{Elsa}/activity-execution-summaries/list?workflowInstanceId={s.InstanceId}", null, Only(ReadInstances)),
            // an execution id made up for the purpose: readers get past the policy to the 404, everyone else stops at it
            new("GET", "/elsa/api/activity-executions/by-id", $"{Elsa}/activity-executions/by-id?id={s.InstanceId}:start:0", null,
                Only(ReadInstances, (Caller.Manager, Answer.Hidden), (Caller.Scheduler, Answer.Hidden), (Caller.Admin, Answer.Hidden))),
            // ---- operations: anonymous
            new("GET", "/health", "/health", null, Everyone),
            new("GET", "/openapi/{documentName}.json", "/openapi/v1.json", null, Everyone),
        ];
    }

    private const string Elsa = "/elsa/api";

    private static readonly string[] ElsaDescriptorLists =
    [
        "activities", "expression-descriptors", "variables", "storage-drivers", "output-converters", "workflow-activation-strategies",
        "log-persistence-strategies", "incident-strategies", "commit-strategies/workflows", "commit-strategies/activities",
    ];

    /// <summary>Our API and the Elsa-compatible one: every endpoint under either needs a row, and answers 401/403 as problem details.</summary>
    private static bool IsApi(string path) => path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/elsa/api/", StringComparison.Ordinal);

    private static Answer Classify(HttpStatusCode status) => (int)status switch
    {
        401 => Answer.Unauthorized,
        403 => Answer.Forbidden,
        404 => Answer.Hidden,
        _ => Answer.Allowed,
    };

    /// <summary>"POST /api/x/{id}" for every route endpoint the server maps (trailing slashes of groups removed).</summary>
    private IReadOnlyList<string> MappedEndpoints()
    {
        var source = server.App.Services.GetRequiredService<EndpointDataSource>();
        var list = new List<string>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var raw = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            // /health is mapped for any method; the matrix asks it with GET.
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            list.AddRange(methods.Select(m => $"{m} {raw}"));
        }
        return [.. list.Distinct().Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Table_NamesEveryApiEndpointTheServerMaps()
    {
        var mapped = MappedEndpoints();
        var tested = Table().Select(r => $"{r.Method} {r.Template}").ToHashSet(StringComparer.Ordinal);
        output.WriteLine("Endpoints mapped by the server:");
        foreach (var e in mapped) output.WriteLine($"  {(tested.Contains(e) ? "tested " : "       ")} {e}");
        var missing = mapped.Where(e => IsApi(e.Split(' ')[1]) && !tested.Contains(e)).ToList();
        Assert.True(missing.Count == 0, "API endpoints with no row in the access matrix: " + string.Join(", ", missing));
        var stale = tested.Where(t => !mapped.Contains(t)).ToList();
        Assert.True(stale.Count == 0, "Matrix rows for endpoints the server does not map: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task EveryEndpoint_EveryRole_AnswersAsSpec8Says_AndReferralReadsAreAudited()
    {
        long auditBefore;
        await using (var db = await server.App.DbAsync())
            auditBefore = await db.AuditEntries.AsNoTracking().MaxAsync(a => (long?)a.Id) ?? 0;

        var rows = Table();
        var failures = new List<string>();
        var expectedAudit = new List<string>();
        var lines = new List<string> { "| request | " + string.Join(" | ", Callers) + " |", "|---|" + string.Concat(Callers.Select(_ => "---|")) };
        var cells = 0;
        foreach (var row in rows)
        {
            var line = new StringBuilder($"| {row.Method} {row.Url.Replace(server.ReferralLei, "{lei-referral}").Replace(server.ReferralNhi, "{nhi-referral}").Replace(server.TaskLei, "{lei-task}").Replace(server.TaskNhi, "{nhi-task}").Replace(server.InstanceId, "{instance}").Replace(server.StaffTarget, "{account}").Replace(server.NavigatorLeiId, "{lei-navigator}")} |");
            foreach (var caller in Callers)
            {
                using var request = new HttpRequestMessage(new HttpMethod(row.Method), row.Url)
                {
                    Content = row.Body is null ? null : new StringContent(row.Body()!.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                using var response = await server[caller].SendAsync(request);
                cells++;
                var expected = row.Expect(caller);
                var actual = Classify(response.StatusCode);
                var ok = expected == actual;
                if (!ok)
                    failures.Add($"{row.Method} {row.Url} as {caller}: expected {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if ((int)response.StatusCode >= 500) failures.Add($"{row.Method} {row.Url} as {caller}: {(int)response.StatusCode}");
                if (actual is Answer.Unauthorized or Answer.Forbidden && IsApi(row.Url) &&
                    response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{row.Method} {row.Url} as {caller}: {(int)response.StatusCode} is not problem details ({response.Content.Headers.ContentType})");
                if (response.IsSuccessStatusCode && row.ReferralAudit?.Invoke(caller) is { } audit)
                {
                    // a create is audited under the new referral's id, which only the answer knows
                    var entityId = audit.Action == "create" ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"].Str() : audit.EntityId;
                    expectedAudit.Add($"{SecurityServer.Emails[caller]} {audit.Action} {entityId}");
                }
                line.Append($" {(int)response.StatusCode}{(ok ? "" : " ✗")} |");
            }
            lines.Add(line.ToString());
        }

        output.WriteLine($"Access matrix: {rows.Count} requests × {Callers.Length} callers = {cells} cells (✗ = not as expected)");
        foreach (var l in lines) output.WriteLine(l);

        // Every referral read and change let through wrote its audit row, with who did it; nothing refused wrote one.
        await using (var db = await server.App.DbAsync())
        {
            var actualAudit = (await db.AuditEntries.AsNoTracking()
                    .Where(a => a.Id > auditBefore && a.EntityType == "Referral")
                    .Select(a => new { a.UserName, a.Action, a.EntityId }).ToListAsync())
                .Select(a => $"{a.UserName} {a.Action} {a.EntityId}").Order(StringComparer.Ordinal).ToList();
            expectedAudit.Sort(StringComparer.Ordinal);
            output.WriteLine($"Referral audit rows written during the matrix: {actualAudit.Count} (expected {expectedAudit.Count})");
            if (!expectedAudit.SequenceEqual(actualAudit))
                failures.Add("Referral audit rows differ.\n expected: " + string.Join("; ", expectedAudit) + "\n actual:   " + string.Join("; ", actualAudit));
            Assert.Contains(actualAudit, a => a.Contains(" read ", StringComparison.Ordinal));
            Assert.Contains(actualAudit, a => a.Contains(" read-status ", StringComparison.Ordinal));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
