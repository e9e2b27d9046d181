using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary><c>POST /api/referrals/{id}/navigator</c>, <c>POST /api/tasks/{id}/assign</c> and <c>/release</c> (issue #12, docs/tasks.md).</summary>
public class AllocationApiTests(StaffServer server) : IClassFixture<StaffServer>
{
    private ReconnectApp App => server.App;

    [Fact]
    public async Task ChangeNavigator_AssignAndRelease_MoveTheTasks_WriteHistoryAndAudit()
    {
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        const string secondEmail = "second.lei.allocation@reconnect.test";
        await (await admin.PostJsonAsync("/api/users", new JsonObject
        {
            ["email"] = secondEmail, ["roles"] = new JsonArray("Navigator"), ["site"] = "LEI", ["password"] = "Navigator-pass-2027",
        })).JsonAsync(HttpStatusCode.Created);
        var first = await App.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var second = await App.UserIdAsync(secondEmail);
        var newHall = await App.UserIdAsync(ReconnectApp.NavigatorNewHall);
        var referral = (await manager.CreateReferralAsync(Body(App.Today(), PrisonNumber(7101), site: "LEI")))["id"].Str();
        string was, taskId;
        await using (var db = await App.DbAsync())
        {
            was = (await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referral)).NavigatorId!;
            taskId = (await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral)).Id;
        }
        var other = was == first ? second : first;
        var otherEmail = other == first ? ReconnectApp.NavigatorLeeds : secondEmail;
        var otherPassword = other == first ? ReconnectApp.Password : "Navigator-pass-2027";

        // Navigators and admins may not; a navigator of another site is not one of this referral's.
        var navigator = await App.LoginAsync(ReconnectApp.NavigatorLeeds);
        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = other })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = other })).StatusCode);
        var wrongSite = await (await manager.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = newHall })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(wrongSite["errors"]!["navigatorId"]);
        await (await manager.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject())).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync("/api/referrals/nope/navigator", new JsonObject { ["navigatorId"] = other })).ProblemAsync(HttpStatusCode.NotFound);

        var changed = await (await manager.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = other, ["reason"] = "Caseload balance" }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, changed["tasksMoved"].Int());
        Assert.Equal(was, changed["previousNavigatorId"].Str());
        var managerId = await App.UserIdAsync(ReconnectApp.Manager);
        await using (var db = await App.DbAsync())
        {
            Assert.Equal(other, (await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referral)).NavigatorId);
            Assert.Equal(other, (await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId)).Assignee);
            var line = await db.ReferralHistory.AsNoTracking().SingleAsync(h => h.ReferralId == referral && h.Kind == "navigator-changed");
            Assert.Equal(managerId, line.By);
            Assert.Contains("Caseload balance", line.Summary, StringComparison.Ordinal);
        }
        Assert.Contains(await App.AuditAsync(), a => a.Action == "navigator-change" && a.EntityType == "Referral" && a.EntityId == referral && a.UserName == ReconnectApp.Manager);

        // assign: a manager gives the task back to the first navigator; not to another site's
        await (await manager.PostJsonAsync($"/api/tasks/{taskId}/assign", new JsonObject { ["assigneeId"] = newHall })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.PostJsonAsync($"/api/tasks/{taskId}/assign", new JsonObject { ["assigneeId"] = was })).StatusCode);
        var assigned = await (await manager.PostJsonAsync($"/api/tasks/{taskId}/assign", new JsonObject { ["assigneeId"] = was })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(was, assigned["assignee"].Str());
        Assert.Contains(await App.AuditAsync(), a => a.Action == "assign" && a.EntityId == taskId);

        // release: only the assignee hands it back to the site's queue (another navigator does not even see it; a manager may not)
        var notAssignee = await App.LoginAsync(otherEmail, otherPassword);
        await (await notAssignee.PostAsync($"/api/tasks/{taskId}/release", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await manager.PostAsync($"/api/tasks/{taskId}/release", null)).ProblemAsync(HttpStatusCode.Forbidden);
        var assignee = was == first ? navigator : await App.LoginAsync(secondEmail, "Navigator-pass-2027");
        var released = await (await assignee.PostAsync($"/api/tasks/{taskId}/release", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Null(released["assignee"]);
        Assert.Equal("Open", released["status"].Str());
        Assert.Contains(await App.AuditAsync(), a => a.Action == "release" && a.EntityId == taskId);
    }
}
