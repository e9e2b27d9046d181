using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Tasks;

/// <summary>The task API (docs/tasks.md) over the real pathway: inbox, claim, complete, races, visibility, roles.</summary>
public class TaskApiTests
{
    private const string SecondLeedsNavigator = "navigator2.lei@reconnect.test";

    private static async Task<(ReconnectApp App, string ReferralId, string TaskId)> StartWithReferralAsync(string provider)
    {
        var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var service = app.Service<ReferralService>();
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today), "tester"));
        await using var db = await Db(app);
        var task = await db.Tasks.SingleAsync(t => t.SubjectId == created.ReferralId);
        return (app, created.ReferralId, task.Id);
    }

    private static Task<ReconnectDbContext> Db(ReconnectApp app) => app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();

    private static async Task AddNavigatorAsync(ReconnectApp app, string email, string site)
    {
        var users = app.Service<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Second navigator", Site = site };
        Assert.True((await users.CreateAsync(user, ReconnectApp.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, "Navigator")).Succeeded);
    }

    private static async Task ToQueueAsync(ReconnectApp app, string taskId)
    {
        await using var db = await Db(app);
        await db.Tasks.Where(t => t.Id == taskId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, (string?)null));
    }

    private static Task<HttpResponseMessage> CompleteAsync(HttpClient client, string taskId, string outcome, string? notes = null) =>
        client.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { outcome, notes });

    private static async Task<JsonArray> InboxAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/api/tasks{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
    }

    /// <summary>Issue 15: a task names the person it is about, their release date and how late it is; the sight is audited.</summary>
    [Fact]
    public async Task List_TaskAboutAReferral_CarriesThePersonReleaseDateAndDaysOverdue_AndIsAuditedOnce()
    {
        var (app, referralId, taskId) = await StartWithReferralAsync("Sqlite");
        await using var _ = app;
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var nhi = await app.LoginAsync(ReconnectApp.NavigatorNewHall);

        var task = Assert.Single(await InboxAsync(navigator, "?assignee=me"))!;
        Assert.Equal(taskId, task["id"]!.GetValue<string>());
        Assert.Equal("Sam", task["person"]!["givenName"]!.GetValue<string>());
        Assert.Equal("Example", task["person"]!["familyName"]!.GetValue<string>());
        Assert.Equal("A1234BC", task["person"]!["prisonNumber"]!.GetValue<string>());
        Assert.NotNull(task["releaseDate"]);
        Assert.Null(task["daysOverdue"]);
        Assert.Empty(await InboxAsync(nhi, "?assignee=all")); // another site's navigator sees neither the task nor the person

        // First contact is due in two days: four days on, it is two days overdue.
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        (await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "P4D" })).EnsureSuccessStatusCode();
        var late = (await (await navigator.GetAsync($"/api/tasks/{taskId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, late["daysOverdue"]!.GetValue<int>());
        Assert.Equal("Sam", late["person"]!["givenName"]!.GetValue<string>());

        await using var db = await Db(app);
        var views = await db.AuditEntries.AsNoTracking().Where(a => a.Action == "list" && a.DetailJson!.Contains("\"tasks\"")).ToListAsync();
        Assert.Equal(2, views.Count); // the list and the single read, each naming the referral
        Assert.All(views, v => Assert.Contains(referralId, v.DetailJson));
    }

    [Fact]
    public async Task CompleteFirstContact_Engaged_AdvancesReferralAndNextTaskReachesInbox()
    {
        var (app, referralId, taskId) = await StartWithReferralAsync("Sqlite");
        await using var _ = app;
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);

        var inbox = await InboxAsync(navigator, "?assignee=me&status=open");
        var first = Assert.Single(inbox)!;
        Assert.Equal("First contact", first["title"]!.GetValue<string>());
        Assert.Equal(referralId, first["referralId"]!.GetValue<string>());
        Assert.Equal("LEI", first["site"]!.GetValue<string>());
        Assert.Equal(["Engaged", "Declined", "UnableToContact"], first["outcomes"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", first["dueDate"]!.GetValue<string>());
        Assert.False(first["overdue"]!.GetValue<bool>());
        Assert.Equal("Navigator (LEI)", first["assigneeName"]!.GetValue<string>());

        var wrong = await CompleteAsync(navigator, taskId, "Maybe");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        Assert.NotNull((await wrong.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["outcome"]);

        var done = await CompleteAsync(navigator, taskId, "Engaged", "Met on the wing.");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var body = (await done.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Completed", body["status"]!.GetValue<string>());
        Assert.Equal("Engaged", body["outcome"]!.GetValue<string>());
        Assert.Equal("Met on the wing.", body["notes"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Conflict, (await CompleteAsync(navigator, taskId, "Engaged")).StatusCode);

        await using var db = await Db(app);
        Assert.Equal("PreRelease", (await db.Referrals.SingleAsync(r => r.Id == referralId)).Stage);
        var next = Assert.Single(await InboxAsync(navigator, "?assignee=me"))!;
        Assert.Equal("Needs assessment and support plan", next["title"]!.GetValue<string>());
        Assert.Single(await InboxAsync(navigator, "?status=completed"));
        var audit = await db.AuditEntries.Where(a => a.EntityType == "Task" && a.EntityId == taskId).ToListAsync();
        Assert.Equal("complete", Assert.Single(audit).Action);
        Assert.DoesNotContain("Met on the wing", audit[0].DetailJson ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task CompleteSameTask_TwoNavigatorsAtOnce_OneSucceedsOneConflictsOneResume(string provider)
    {
        var (app, referralId, taskId) = await StartWithReferralAsync(provider);
        await using var _ = app;
        await AddNavigatorAsync(app, SecondLeedsNavigator, "LEI");
        await ToQueueAsync(app, taskId); // the site's queue: both navigators may complete it
        var one = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var two = await app.LoginAsync(SecondLeedsNavigator);

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<HttpStatusCode> Go(HttpClient client)
        {
            await gate.Task;
            return (await CompleteAsync(client, taskId, "Engaged")).StatusCode;
        }
        var racers = new[] { Task.Run(() => Go(one)), Task.Run(() => Go(two)) };
        gate.SetResult();
        var codes = await Task.WhenAll(racers);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], codes.Order());
        await using var db = await Db(app);
        var tasks = await db.Tasks.Where(t => t.SubjectId == referralId).ToListAsync();
        Assert.Equal(TaskStatuses.Completed, tasks.Single(t => t.Id == taskId).Status);
        Assert.Single(tasks, t => t.Title == "Needs assessment and support plan"); // one resume
        Assert.Single(await db.AuditEntries.Where(a => a.EntityType == "Task" && a.Action == "complete").ToListAsync());
    }

    [Fact]
    public async Task Claim_QueueTask_ClaimerOwnsIt_OtherNavigatorConflicts_AndOtherSiteCannotSeeIt()
    {
        var (app, _, taskId) = await StartWithReferralAsync("Sqlite");
        await using var __ = app;
        await AddNavigatorAsync(app, SecondLeedsNavigator, "LEI");
        await ToQueueAsync(app, taskId);
        var one = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var two = await app.LoginAsync(SecondLeedsNavigator);
        var newHall = await app.LoginAsync(ReconnectApp.NavigatorNewHall);

        Assert.Single(await InboxAsync(two, "?assignee=unassigned"));
        Assert.Empty(await InboxAsync(newHall));
        Assert.Equal(HttpStatusCode.NotFound, (await newHall.GetAsync($"/api/tasks/{taskId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await newHall.PostAsync($"/api/tasks/{taskId}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await newHall.GetAsync("/api/tasks?site=LEI")).StatusCode);

        var claimed = await one.PostAsync($"/api/tasks/{taskId}/claim", null);
        Assert.Equal(HttpStatusCode.OK, claimed.StatusCode);
        var body = (await claimed.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Claimed", body["status"]!.GetValue<string>());
        var me = body["assignee"]!.GetValue<string>();
        Assert.Equal(me, body["claimedBy"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await one.PostAsync($"/api/tasks/{taskId}/claim", null)).StatusCode); // their own again

        // Now it is the first navigator's: the second no longer sees it.
        Assert.Equal(HttpStatusCode.NotFound, (await two.PostAsync($"/api/tasks/{taskId}/claim", null)).StatusCode);
        Assert.Empty(await InboxAsync(two));
        Assert.Single(await InboxAsync(one, "?assignee=me"));

        await using var db = await Db(app);
        // One change audited (the claim; claiming one's own task again changes nothing); the lists' sight of the
        // referral is audited apart, as "list" rows.
        Assert.Equal("claim", Assert.Single(await db.AuditEntries.Where(a => a.EntityType == "Task" && a.Action != "list").ToListAsync()).Action);
        Assert.NotEmpty(await db.AuditEntries.Where(a => a.EntityType == "Task" && a.Action == "list").ToListAsync());
    }

    [Fact]
    public async Task Manager_SeesEveryTask_ButClaimsAndCompletesManagerTasksOnly()
    {
        var (app, _, taskId) = await StartWithReferralAsync("Sqlite");
        await using var __ = app;
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        Assert.Single(await InboxAsync(manager, "?site=LEI"));
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/api/tasks/{taskId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsync($"/api/tasks/{taskId}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CompleteAsync(manager, taskId, "Engaged")).StatusCode);
    }

    [Fact]
    public async Task Inbox_OverdueFirstThenDueDate_StandaloneTaskCompletesOnceByGuardedUpdate()
    {
        var (app, referralId, taskId) = await StartWithReferralAsync("Sqlite");
        await using var __ = app;
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var navigatorId = (await app.Service<UserManager<ApplicationUser>>().FindByEmailAsync(ReconnectApp.NavigatorLeeds))!.Id;
        var now = app.Service<ControllableTimeProvider>().GetUtcNow();
        await using (var db = await Db(app))
        {
            var instanceId = (await db.Tasks.SingleAsync(t => t.Id == taskId)).InstanceId;
            WorkflowTaskRecord Standalone(string id, DateTimeOffset? due, string? assignee) => new()
            {
                Id = id, InstanceId = instanceId, BookmarkId = "", ActivityId = "check", ActivityType = "Reconnect.QueryReferrals",
                Title = $"Check {id}", OutcomesJson = "[\"Done\"]", DueAt = due, Status = TaskStatuses.Open, Site = "LEI",
                Assignee = assignee, AssigneeRole = "Navigator", SubjectId = referralId, CreatedAt = now,
            };
            db.Tasks.AddRange(
                Standalone("late", now.AddDays(-2), navigatorId),
                Standalone("queue-late", now.AddDays(-1), null),
                Standalone("undated", null, navigatorId),
                Standalone("later", now.AddDays(40), navigatorId));
            await db.SaveChangesAsync();
        }

        var inbox = await InboxAsync(navigator);
        Assert.Equal(["late", "queue-late", taskId, "later", "undated"], inbox.Select(t => t!["id"]!.GetValue<string>()));
        Assert.Equal([true, true, false, false, false], inbox.Select(t => t!["overdue"]!.GetValue<bool>()));
        Assert.Equal(["late", "queue-late"], (await InboxAsync(navigator, "?overdue=true")).Select(t => t!["id"]!.GetValue<string>()));
        var page2 = (await (await navigator.GetAsync("/api/tasks?pageSize=2&page=2")).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal([taskId, "later"], page2["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
        Assert.True(page2["hasMore"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await CompleteAsync(navigator, "late", "Engaged")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(navigator, "late", "Done", "checked")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await CompleteAsync(navigator, "late", "Done")).StatusCode);
        await using var check = await Db(app);
        var late = await check.Tasks.SingleAsync(t => t.Id == "late");
        Assert.Equal((TaskStatuses.Completed, "Done", "checked", navigatorId), (late.Status, late.Outcome, late.Notes, late.CompletedBy));
    }

    [Fact]
    public async Task Endpoints_RoleMatrix_401_403_404()
    {
        var (app, _, taskId) = await StartWithReferralAsync("Sqlite");
        await using var __ = app;
        var anonymous = app.CreateClient();
        var urls = new[] { ("GET", "/api/tasks"), ("GET", $"/api/tasks/{taskId}"), ("POST", $"/api/tasks/{taskId}/claim"), ("POST", $"/api/tasks/{taskId}/complete") };
        HttpRequestMessage Request(string method, string url) => new(new HttpMethod(method), url)
        {
            Content = method == "POST" ? JsonContent.Create(new { outcome = "Engaged" }) : null,
        };

        foreach (var (method, url) in urls)
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request(method, url))).StatusCode);
        foreach (var who in new[] { ReconnectApp.Referrer, ReconnectApp.Scheduler })
        {
            var client = await app.LoginAsync(who);
            foreach (var (method, url) in urls)
                Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Request(method, url))).StatusCode);
        }
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        Assert.Single(await InboxAsync(admin));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/tasks/{taskId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(Request("POST", $"/api/tasks/{taskId}/claim"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(Request("POST", $"/api/tasks/{taskId}/complete"))).StatusCode);

        var newHall = await app.LoginAsync(ReconnectApp.NavigatorNewHall);
        Assert.Equal(HttpStatusCode.NotFound, (await newHall.GetAsync($"/api/tasks/{taskId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await newHall.SendAsync(Request("POST", $"/api/tasks/{taskId}/complete"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await newHall.GetAsync("/api/tasks/no-such-task")).StatusCode);

        var leeds = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        Assert.Equal(HttpStatusCode.BadRequest, (await leeds.GetAsync("/api/tasks?assignee=everyone")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await leeds.GetAsync("/api/tasks?pageSize=500")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await leeds.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { notes = "no outcome" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await leeds.GetAsync($"/api/tasks/{taskId}")).StatusCode);
    }
}
