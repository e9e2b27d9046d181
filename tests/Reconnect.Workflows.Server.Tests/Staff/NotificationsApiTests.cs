using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary><c>/api/notifications</c> and <c>GET /api/tasks?view=attention</c> (issue #12; docs/security.md, docs/tasks.md).</summary>
public class NotificationsApiTests(StaffServer server) : IClassFixture<StaffServer>
{
    private ReconnectApp App => server.App;

    [Fact]
    public async Task Notifications_TaskGivenAndCaseMoved_TheNavigatorsOwnToReadAndNobodyElses()
    {
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        const string secondEmail = "second.lei.notifications@reconnect.test";
        await (await admin.PostJsonAsync("/api/users", new JsonObject
        {
            ["email"] = secondEmail, ["roles"] = new JsonArray("Navigator"), ["site"] = "LEI", ["password"] = "Navigator-pass-2027",
        })).JsonAsync(HttpStatusCode.Created);
        var first = await App.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var second = await App.UserIdAsync(secondEmail);
        var referral = (await manager.CreateReferralAsync(Body(App.Today(), PrisonNumber(7301), site: "LEI")))["id"].Str();
        string was, taskId;
        await using (var db = await App.DbAsync())
        {
            was = (await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referral)).NavigatorId!;
            taskId = (await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral)).Id;
        }
        var other = was == first ? second : first;
        var otherClient = await App.LoginAsync(other == first ? ReconnectApp.NavigatorLeeds : secondEmail, other == first ? ReconnectApp.Password : "Navigator-pass-2027");
        var wasClient = await App.LoginAsync(was == first ? ReconnectApp.NavigatorLeeds : secondEmail, was == first ? ReconnectApp.Password : "Navigator-pass-2027");

        // A manager gives the task to the other navigator: they are told, with a link to their inbox.
        await (await manager.PostJsonAsync($"/api/tasks/{taskId}/assign", new JsonObject { ["assigneeId"] = other })).JsonAsync(HttpStatusCode.OK);
        var list = await (await otherClient.GetAsync("/api/notifications")).ArrayAsync();
        var given = list.Single(n => n!["kind"].Str() == "task-assigned")!;
        Assert.Equal("/inbox", given["link"].Str());
        Assert.False(given["read"]!.GetValue<bool>());
        Assert.Contains("First contact", given["text"].Str(), StringComparison.Ordinal);
        foreach (var field in new[] { "id", "at", "kind", "text", "link", "read" }) Assert.True(given.AsObject().ContainsKey(field), field);
        var id = given["id"].Str();

        // Someone else's: the same 404 as an unknown id, and it stays unread; nobody else sees it in their list.
        await (await wasClient.PostAsync($"/api/notifications/{id}/read", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.PostAsync($"/api/notifications/{id}/read", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await otherClient.PostAsync("/api/notifications/no-such-notification/read", null)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(await (await wasClient.GetAsync("/api/notifications")).ArrayAsync(), n => n!["id"].Str() == id);
        Assert.DoesNotContain(await (await manager.GetAsync("/api/notifications")).ArrayAsync(), n => n!["id"].Str() == id);

        var read = await (await otherClient.PostAsync($"/api/notifications/{id}/read", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(read["read"]!.GetValue<bool>());
        Assert.True((await (await otherClient.GetAsync("/api/notifications")).ArrayAsync()).Single(n => n!["id"].Str() == id)!["read"]!.GetValue<bool>());
        await (await otherClient.PostAsync($"/api/notifications/{id}/read", null)).JsonAsync(HttpStatusCode.OK); // again: no change, no error

        // The referral's navigator changes too: the other navigator hears the case is theirs.
        await (await manager.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = other })).JsonAsync(HttpStatusCode.OK);
        var moved = (await (await otherClient.GetAsync("/api/notifications")).ArrayAsync()).Single(n => n!["kind"].Str() == "case-assigned" && n["link"].Str() == $"/referrals/{referral}");
        Assert.False(moved!["read"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.CreateClient().GetAsync("/api/notifications")).StatusCode);
    }

    [Fact]
    public async Task Notifications_LeaveStartingToday_TheCoverIsToldWithTheTasksThatMoved()
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        string Email(string who) => $"{who}.notifications.nhi@reconnect.test";
        foreach (var who in new[] { "away", "cover" })
            await (await admin.PostJsonAsync("/api/users", new JsonObject
            {
                ["email"] = Email(who), ["displayName"] = $"Navigator {who}", ["roles"] = new JsonArray("Navigator"), ["site"] = "WEI", ["password"] = "Navigator-pass-2027",
            })).JsonAsync(HttpStatusCode.Created);
        var away = await App.UserIdAsync(Email("away"));
        var cover = await App.UserIdAsync(Email("cover"));
        var referral = (await manager.CreateReferralAsync(Body(App.Today(), PrisonNumber(7303), site: "WEI")))["id"].Str();
        await using (var db = await App.DbAsync())
        {
            // Whoever the assignment chose, the task is the away navigator's for this test.
            await db.Referrals.Where(r => r.Id == referral).ExecuteUpdateAsync(s => s.SetProperty(r => r.NavigatorId, away));
            await db.Tasks.Where(t => t.SubjectId == referral).ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, away));
        }
        var today = App.Today().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await (await manager.PostJsonAsync($"/api/users/{away}/absences", new JsonObject { ["from"] = today, ["to"] = today, ["coverUserId"] = cover }))
            .JsonAsync(HttpStatusCode.Created);

        var coverClient = await App.LoginAsync(Email("cover"), "Navigator-pass-2027");
        var told = (await (await coverClient.GetAsync("/api/notifications")).ArrayAsync()).Single(n => n!["kind"].Str() == "cover-started")!;
        Assert.Contains("Navigator away", told["text"].Str(), StringComparison.Ordinal);
        Assert.Contains("1 open task(s) moved to you", told["text"].Str(), StringComparison.Ordinal);
        var awayClient = await App.LoginAsync(Email("away"), "Navigator-pass-2027");
        Assert.DoesNotContain(await (await awayClient.GetAsync("/api/notifications")).ArrayAsync(), n => n!["kind"].Str() == "cover-started");
    }

    [Fact]
    public async Task Attention_EscalatedTask_ListedForManagersFlaggedForItsNavigatorRefusedToOthers()
    {
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var referral = (await manager.CreateReferralAsync(Body(App.Today(), PrisonNumber(7302), site: "LEI")))["id"].Str();
        string taskId, navigatorId;
        await using (var db = await App.DbAsync())
        {
            var task = await db.Tasks.SingleAsync(t => t.SubjectId == referral);
            (taskId, navigatorId) = (task.Id, task.Assignee!);
            task.EscalatedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        var attention = await (await manager.GetAsync("/api/tasks?view=attention")).JsonAsync(HttpStatusCode.OK);
        var listed = attention["items"]!.AsArray().Single(t => t!["id"].Str() == taskId)!;
        Assert.True(listed["escalated"]!.GetValue<bool>());
        Assert.NotNull(listed["escalatedAt"]);
        Assert.All(attention["items"]!.AsArray(), t => Assert.True(t!["escalated"]!.GetValue<bool>()));

        var navigatorEmail = navigatorId == await App.UserIdAsync(ReconnectApp.NavigatorLeeds) ? ReconnectApp.NavigatorLeeds : null;
        if (navigatorEmail is not null)
        {
            var navigator = await App.LoginAsync(navigatorEmail);
            var mine = await (await navigator.GetAsync("/api/tasks?assignee=me")).JsonAsync(HttpStatusCode.OK);
            Assert.True(mine["items"]!.AsArray().Single(t => t!["id"].Str() == taskId)!["escalated"]!.GetValue<bool>());
            await (await navigator.GetAsync("/api/tasks?view=attention")).ProblemAsync(HttpStatusCode.Forbidden);
        }
        await (await (await App.LoginAsync(ReconnectApp.Admin)).GetAsync("/api/tasks?view=attention")).ProblemAsync(HttpStatusCode.Forbidden);
        var bad = await (await manager.GetAsync("/api/tasks?view=everything")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["view"]);
    }
}
