using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Api;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>The referral API over the real pathway: create, read, list, events, audit.</summary>
public class ReferralsApiTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task CreateGetList_ValidReferral_201DetailWithTasksTimersHistoryAndAudit(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var referrer = await app.LoginAsync(ReconnectApp.Referrer);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var today = app.Today();

        var response = await referrer.PostJsonAsync(ReferralsUrl, Body(today, PrisonNumber(1)));
        var created = await response.JsonAsync(HttpStatusCode.Created);
        var id = created["id"].Str();
        Assert.Equal($"/api/referrals/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("Triage", created["stage"].Str());
        Assert.Equal(D(today.AddDays(30 - 84)), created["window"]!["opens"].Str());
        Assert.Equal(D(today.AddDays(30 + 28)), created["window"]!["closes"].Str());

        var detail = await manager.GetReferralAsync(id);
        Assert.Equal(created["workflowInstanceId"].Str(), detail["workflowInstanceId"].Str());
        Assert.Equal("LEI", detail["site"].Str());
        Assert.Equal(D(today.AddDays(30)), detail["releaseDate"].Str());
        Assert.Equal("Sam", detail["person"]!["givenName"].Str());
        Assert.Equal("A0001BC", detail["person"]!["prisonNumber"].Str());
        Assert.Equal(["MentalHealth", "Medication"], detail["healthNeeds"]!.AsArray().Select(n => n.Str()));
        Assert.Equal("ConditionalRelease", detail["releaseType"].Str());
        Assert.Equal("PrisonHealthcare", detail["referralSource"].Str());
        Assert.Equal(D(today), detail["referralDate"].Str());
        Assert.Equal(await app.UserIdAsync(ReconnectApp.NavigatorLeeds), detail["navigator"]!["id"].Str());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["kind"].Str() == "created");
        var task = Assert.Single(detail["openTasks"]!.AsArray())!;
        Assert.Equal("First contact", task["title"].Str());
        Assert.Equal(id, task["referralId"].Str());
        Assert.Equal("LEI", task["site"].Str());
        Assert.Equal(D(today.AddDays(2)), task["dueDate"].Str());
        Assert.False(task["overdue"]!.GetValue<bool>());
        Assert.Equal(["Engaged", "Declined", "UnableToContact"], task["outcomes"]!.AsArray().Select(n => n.Str()));
        Assert.NotNull(detail["timers"]);

        var list = await (await manager.GetAsync($"{ReferralsUrl}?site=LEI&stage=Triage")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(list["items"]!.AsArray())!["id"].Str());
        Assert.Empty((await (await manager.GetAsync($"{ReferralsUrl}?stage=Closed")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray());
        await (await manager.GetAsync($"{ReferralsUrl}?stage=Nope")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.GetAsync($"{ReferralsUrl}/nope")).ProblemAsync(HttpStatusCode.NotFound);

        var audit = (await app.AuditAsync()).Where(a => a.EntityType == ReferralReads.AuditEntityType).ToList();
        var managerId = await app.UserIdAsync(ReconnectApp.Manager);
        var referrerId = await app.UserIdAsync(ReconnectApp.Referrer);
        Assert.Contains(audit, a => a.Action == "create" && a.EntityId == id && a.UserId == referrerId && a.UserName == ReconnectApp.Referrer);
        Assert.Contains(audit, a => a.Action == "read" && a.EntityId == id && a.UserId == managerId && a.UserName == ReconnectApp.Manager);
        Assert.Contains(audit, a => a.Action == "list" && a.UserId == managerId && a.DetailJson!.Contains(id, StringComparison.Ordinal));
        Assert.All(audit, a => Assert.DoesNotContain("Sam", a.DetailJson ?? "", StringComparison.Ordinal));
        Assert.All(audit, a => Assert.DoesNotContain("A0001BC", a.DetailJson ?? "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Create_SecondOpenReferralForPrisonNumber_409WithOpenReferralId(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var first = await client.CreateReferralAsync(Body(app.Today(), "A1234BC"));

        var problem = await (await client.PostJsonAsync(ReferralsUrl, Body(app.Today(), "a1234bc", site: "NHI"))).ProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal(first["id"].Str(), problem["openReferralId"].Str());
    }

    [Fact]
    public async Task Create_PathwayNotPublished_503()
    {
        await using var app = await ReconnectApp.StartAsync();
        var client = await app.LoginAsync(ReconnectApp.Referrer);

        await (await client.PostJsonAsync(ReferralsUrl, Body(app.Today()))).ProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task ReferrerAndNavigator_Reads_ScopedToOwnReferralsAndSite()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var referrer = await app.LoginAsync(ReconnectApp.Referrer);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var leeds = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var newHall = await app.LoginAsync(ReconnectApp.NavigatorNewHall);
        var today = app.Today();
        var mine = (await referrer.CreateReferralAsync(Body(today, PrisonNumber(1), site: "LEI")))["id"].Str();
        var managers = (await manager.CreateReferralAsync(Body(today, PrisonNumber(2), site: "NHI")))["id"].Str();

        // The referrer: status of their own only, no person, history kinds only.
        var status = await referrer.GetReferralAsync(mine);
        Assert.Equal(mine, status["id"].Str());
        Assert.Equal("Triage", status["stage"].Str());
        Assert.NotNull(status["window"]);
        Assert.Null(status["person"]);
        Assert.Null(status["openTasks"]);
        Assert.Null(status["site"]);
        Assert.All(status["history"]!.AsArray(), h => { Assert.NotNull(h!["kind"]); Assert.Null(h["summary"]); Assert.Null(h["by"]); });
        await (await referrer.GetAsync($"{ReferralsUrl}/{managers}")).ProblemAsync(HttpStatusCode.NotFound);
        var referrerList = await (await referrer.GetAsync(ReferralsUrl)).JsonAsync(HttpStatusCode.OK);
        var item = Assert.Single(referrerList["items"]!.AsArray())!;
        Assert.Equal(mine, item["id"].Str());
        Assert.Null(item["person"]);

        // Navigators: their own site only; another site's referral is 404, another site's list 403.
        Assert.Equal(mine, Assert.Single((await (await leeds.GetAsync(ReferralsUrl)).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray())!["id"].Str());
        Assert.Equal(managers, Assert.Single((await (await newHall.GetAsync(ReferralsUrl)).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray())!["id"].Str());
        await (await leeds.GetAsync($"{ReferralsUrl}/{managers}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await leeds.GetAsync($"{ReferralsUrl}?site=NHI")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("Sam", (await leeds.GetReferralAsync(mine))["person"]!["givenName"].Str());

        // Managers: everything.
        Assert.Equal(2, (await (await manager.GetAsync(ReferralsUrl)).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray().Count);
        var paged = await (await manager.GetAsync($"{ReferralsUrl}?page=1&pageSize=1")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(paged["items"]!.AsArray());
        Assert.True(paged["hasMore"]!.GetValue<bool>());
        await (await manager.GetAsync($"{ReferralsUrl}?pageSize=0")).ProblemAsync(HttpStatusCode.BadRequest);

        var reads = (await app.AuditAsync()).Where(a => a.EntityType == ReferralReads.AuditEntityType && a.Action is "read" or "read-status" or "list").ToList();
        Assert.Contains(reads, a => a.Action == "read-status" && a.EntityId == mine && a.UserName == ReconnectApp.Referrer);
        Assert.Contains(reads, a => a.Action == "read" && a.EntityId == mine && a.UserName == ReconnectApp.NavigatorLeeds);
        Assert.Contains(reads, a => a.Action == "list" && a.UserName == ReconnectApp.NavigatorNewHall && a.DetailJson!.Contains(managers, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task ConsentWithdrawn_OpenReferral_ClosesCancelsTasksThenEvents409(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var id = (await navigator.CreateReferralAsync(Body(app.Today())))["id"].Str();

        var answer = await (await navigator.EventAsync(id, "consent-withdrawn")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Closed", answer["stage"].Str());
        var detail = await navigator.GetReferralAsync(id);
        Assert.Equal("ConsentWithdrawn", detail["closureReason"].Str());
        Assert.Empty(detail["openTasks"]!.AsArray());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["kind"].Str() == "event" && h["summary"].Str() == "Consent withdrawn");
        await using (var db = await app.DbAsync())
            Assert.All(await db.Tasks.Where(t => t.SubjectId == id).ToListAsync(), t => Assert.Equal(TaskStatuses.Cancelled, t.Status));
        await (await navigator.EventAsync(id, "released", new JsonObject { ["date"] = D(app.Today()) })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(await app.AuditAsync(), a => a.EntityType == ReferralReads.AuditEntityType && a.Action == "event" && a.EntityId == id && a.DetailJson!.Contains("consent-withdrawn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transferred_ToAnotherServiceSite_ReassignsNavigatorAndTasks()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var id = (await manager.CreateReferralAsync(Body(app.Today())))["id"].Str();
        var newHallNavigator = await app.UserIdAsync(ReconnectApp.NavigatorNewHall);

        var answer = await (await manager.EventAsync(id, "transferred", new JsonObject { ["site"] = "nhi" })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Triage", answer["stage"].Str());
        var detail = await manager.GetReferralAsync(id);
        Assert.Equal("NHI", detail["site"].Str());
        Assert.Equal(newHallNavigator, detail["navigator"]!["id"].Str());
        var task = Assert.Single(detail["openTasks"]!.AsArray())!;
        Assert.Equal(newHallNavigator, task["assignee"].Str());
        Assert.Equal("NHI", task["site"].Str());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["summary"].Str() == "Transferred to NHI");
        // The Leeds navigator no longer sees it; the New Hall one does, and may send events.
        await (await (await app.LoginAsync(ReconnectApp.NavigatorLeeds)).GetAsync($"{ReferralsUrl}/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        var newHall = await app.LoginAsync(ReconnectApp.NavigatorNewHall);
        await newHall.GetReferralAsync(id);
        // The transferred listener loops: a second transfer is heard too.
        await (await newHall.EventAsync(id, "transferred", new JsonObject { ["site"] = "WEI" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("WEI", (await manager.GetReferralAsync(id))["site"].Str());
    }

    [Fact]
    public async Task Transferred_ToPrisonOutsideService_ClosesOutOfArea()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var id = (await manager.CreateReferralAsync(Body(app.Today())))["id"].Str();

        var answer = await (await manager.EventAsync(id, "transferred", new JsonObject { ["site"] = "HMP Durham" })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Closed", answer["stage"].Str());
        var detail = await manager.GetReferralAsync(id);
        Assert.Equal("OutOfArea", detail["closureReason"].Str());
        Assert.Equal("LEI", detail["site"].Str());
        Assert.Empty(detail["openTasks"]!.AsArray());
    }

    [Fact]
    public async Task RecalledToCustody_OpenReferral_ClosesRecalled()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        var id = (await admin.CreateReferralAsync(Body(app.Today())))["id"].Str();

        Assert.Equal("Closed", (await (await admin.EventAsync(id, "recalled-to-custody")).JsonAsync(HttpStatusCode.OK))["stage"].Str());

        var detail = await admin.GetReferralAsync(id);
        Assert.Equal("Recalled", detail["closureReason"].Str());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["summary"].Str() == "Recalled to custody");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task ReleaseDateChanged_WithOpenNeedsAssessment_MovesReleaseDateAndDueDate(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var today = app.Today();
        var id = (await navigator.CreateReferralAsync(Body(today, releaseDate: today.AddDays(60))))["id"].Str();
        var firstContact = Assert.Single((await navigator.GetReferralAsync(id))["openTasks"]!.AsArray())!["id"].Str();
        Assert.True((await app.Service<WorkflowRuntime>().CompleteTaskAsync(firstContact, "Engaged")).Succeeded);
        var before = await navigator.GetReferralAsync(id);
        Assert.Equal("PreRelease", before["stage"].Str());
        // due: release − 28, or today + 5 if sooner
        Assert.Equal(D(today.AddDays(5)), AssessmentDue(before));

        var answer = await (await navigator.EventAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = D(today.AddDays(30)) })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("PreRelease", answer["stage"].Str());
        var after = await navigator.GetReferralAsync(id);
        Assert.Equal(D(today.AddDays(30)), after["releaseDate"].Str());
        Assert.Equal(D(today.AddDays(30 - 84)), after["window"]!["opens"].Str());
        Assert.Equal(D(today.AddDays(2)), AssessmentDue(after));
        Assert.Contains(after["history"]!.AsArray(), h => h!["summary"].Str() == $"Release date changed to {D(today.AddDays(30))}");
        // Timers computed from the release date moved with it: the week-before timer is at the new release − 7 days.
        var weekBefore = after["timers"]!.AsArray().Single(t => t!["activityId"].Str() == "weekBefore")!;
        Assert.Equal(today.AddDays(30 - 7), Engine.Time.LondonTime.ToLondonDate(DateTimeOffset.Parse(weekBefore["due"].Str(), System.Globalization.CultureInfo.InvariantCulture)));

        static string AssessmentDue(JsonObject detail) =>
            detail["openTasks"]!.AsArray().Single(t => t!["title"].Str() == "Needs assessment and support plan")!["dueDate"].Str();
    }

    [Fact]
    public async Task Released_WithDate_RecordsReleaseAndHistory()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var today = app.Today();
        var id = (await manager.CreateReferralAsync(Body(today, releaseDate: today.AddDays(3))))["id"].Str();

        await (await manager.EventAsync(id, "released", new JsonObject { ["date"] = D(today) })).JsonAsync(HttpStatusCode.OK);

        var detail = await manager.GetReferralAsync(id);
        Assert.Equal(D(today), detail["releasedOn"].Str());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["summary"].Str() == $"Released on {D(today)}");
        // The released listener waits again: a second message corrects the date (docs/pathway.md, "The actual release").
        await (await manager.EventAsync(id, "released", new JsonObject { ["date"] = D(today.AddDays(-1)) })).JsonAsync(HttpStatusCode.OK);
        detail = await manager.GetReferralAsync(id);
        Assert.Equal(D(today.AddDays(-1)), detail["releasedOn"].Str());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["kind"].Str() == "released" && h["summary"].Str()!.StartsWith("Release date corrected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_UnknownOrBadPayload_404And422And400()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var today = app.Today();
        var id = (await manager.CreateReferralAsync(Body(today)))["id"].Str();

        await (await manager.EventAsync(id, "escaped")).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.EventAsync("no-such-referral", "released")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["releaseDate"], await (await manager.EventAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = "soon" })).ErrorKeysAsync());
        Assert.Equal(["releaseDate"], await (await manager.EventAsync(id, "release-date-changed")).ErrorKeysAsync());
        Assert.Equal(["date"], await (await manager.EventAsync(id, "released", new JsonObject { ["date"] = D(today.AddDays(1)) })).ErrorKeysAsync());
        Assert.Equal(["site"], await (await manager.EventAsync(id, "transferred", new JsonObject { ["site"] = " " })).ErrorKeysAsync());
        await (await manager.EventAsync(id, "recalled-to-custody", new JsonObject { ["reason"] = "x" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostAsync($"{ReferralsUrl}/{id}/events/released", new StringContent("[1]", System.Text.Encoding.UTF8, "application/json"))).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostAsync($"{ReferralsUrl}/{id}/events/released", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Triage", (await manager.GetReferralAsync(id))["stage"].Str());
    }
}
