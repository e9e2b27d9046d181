using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary>Accounts through <c>/api/users</c> and <c>/api/auth/change-password</c> (issue #12; docs/security.md, "Accounts").</summary>
public class UsersApiTests(StaffServer server) : IClassFixture<StaffServer>
{
    private ReconnectApp App => server.App;
    private static int _next;

    private static string NewEmail(string what) => $"{what}.{Interlocked.Increment(ref _next)}.{Guid.NewGuid():N}"[..40] + "@reconnect.test";

    private async Task<JsonObject> CreateAsync(JsonObject body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        return await (await admin.PostJsonAsync("/api/users", body)).JsonAsync(expected);
    }

    private async Task<HttpResponseMessage> LoginRawAsync(string email, string password, bool cookies = false) =>
        await App.CreateClient().PostAsJsonAsync($"/api/auth/login{(cookies ? "?useCookies=true" : "")}", new { email, password });

    private async Task<HttpClient> BearerAsync(string email, string password) => await App.LoginAsync(email, password);

    [Fact]
    public async Task Create_WithoutPassword_201WithTemporaryPasswordThatMustBeChangedAtFirstSignIn()
    {
        var email = NewEmail("new.nav");
        var created = await CreateAsync(new JsonObject { ["email"] = email, ["displayName"] = "New navigator", ["roles"] = new JsonArray("Navigator"), ["site"] = "lei" });
        Assert.Equal(email, created["email"].Str());
        Assert.Equal("LEI", created["site"].Str());
        Assert.Equal("Navigator", created["roles"]![0].Str());
        Assert.True(created["active"]!.GetValue<bool>());
        Assert.True(created["mustChangePassword"]!.GetValue<bool>());
        var temporary = created["temporaryPassword"].Str();
        Assert.True(temporary.Length >= 12);

        // Signed in with it, only /api/auth/* works until the password is changed.
        var client = await BearerAsync(email, temporary);
        var refused = await (await client.GetAsync("/api/tasks")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("Password change required", refused["title"].Str());
        var me = await (await client.GetAsync("/api/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.True(me["mustChangePassword"]!.GetValue<bool>());

        var wrong = await (await client.PostJsonAsync("/api/auth/change-password", new JsonObject { ["currentPassword"] = "not-it-at-all", ["newPassword"] = "A-new-password-2027" }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(wrong["errors"]!["currentPassword"]);
        var weak = await (await client.PostJsonAsync("/api/auth/change-password", new JsonObject { ["currentPassword"] = temporary, ["newPassword"] = "short" }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(weak["errors"]!["newPassword"]);
        var changed = await client.PostJsonAsync("/api/auth/change-password", new JsonObject { ["currentPassword"] = temporary, ["newPassword"] = "A-new-password-2027" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        // The token made before the change stops working (new security stamp); the temporary password is gone.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginRawAsync(email, temporary)).StatusCode);
        var again = await BearerAsync(email, "A-new-password-2027");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/tasks")).StatusCode);
        Assert.False((await (await again.GetAsync("/api/auth/me")).JsonAsync(HttpStatusCode.OK))["mustChangePassword"]!.GetValue<bool>());

        var audit = (await App.AuditAsync()).Where(a => a.EntityType == "User" && a.EntityId == created["id"].Str()).ToList();
        Assert.Contains(audit, a => a.Action == "user-create" && a.UserName == ReconnectApp.Admin && a.DetailJson!.Contains("\"temporaryPassword\":true", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Action == "password-change" && a.UserName == email);
        Assert.DoesNotContain(audit, a => a.DetailJson?.Contains(temporary, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Create_WithPassword_201WithoutTemporaryPassword_SignsInAtOnce()
    {
        var email = NewEmail("sched");
        var created = await CreateAsync(new JsonObject { ["email"] = email, ["roles"] = new JsonArray("Scheduler"), ["password"] = "Scheduler-pass-2027" });
        Assert.Null(created["temporaryPassword"]);
        Assert.False(created["mustChangePassword"]!.GetValue<bool>());
        Assert.Null(created["site"]);
        Assert.True(created.ContainsKey("site"));
        var client = await BearerAsync(email, "Scheduler-pass-2027");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/schedules")).StatusCode);
    }

    [Fact]
    public async Task Create_BadFields_400NamingEachField()
    {
        var problem = await CreateAsync(new JsonObject
        {
            ["email"] = "not an email", ["roles"] = new JsonArray("Navigator", "Wizard"), ["site"] = "XYZ", ["password"] = "short",
        }, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("email"));
        Assert.True(errors.ContainsKey("roles[1]"));
        Assert.True(errors.ContainsKey("site"));
        Assert.True(errors.ContainsKey("password"));
    }

    [Fact]
    public async Task Create_NavigatorWithoutSite_400OnSite()
    {
        var problem = await CreateAsync(new JsonObject { ["email"] = NewEmail("nosite"), ["roles"] = new JsonArray("Navigator") }, HttpStatusCode.BadRequest);
        Assert.Contains("site", problem["errors"]!["site"]![0].Str(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ExistingEmail_409()
    {
        var problem = await CreateAsync(new JsonObject { ["email"] = ReconnectApp.Manager.ToUpperInvariant(), ["roles"] = new JsonArray("Manager") }, HttpStatusCode.Conflict);
        Assert.Equal(409, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_AsManager_ReturnsEveryAccountWithRolesAndSite()
    {
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var list = await (await manager.GetAsync("/api/users")).ArrayAsync();
        var leeds = list.Single(u => u!["email"].Str() == ReconnectApp.NavigatorLeeds)!;
        Assert.Equal("LEI", leeds["site"].Str());
        Assert.Equal(["Navigator"], leeds["roles"]!.AsArray().Select(r => r.Str()));
        Assert.True(leeds["active"]!.GetValue<bool>());
        Assert.Null(leeds["temporaryPassword"]);
    }

    [Fact]
    public async Task Update_Roles_ChangesThemAndStopsTokensCarryingTheOldOnes()
    {
        var email = NewEmail("promote");
        var created = await CreateAsync(new JsonObject { ["email"] = email, ["roles"] = new JsonArray("Referrer"), ["password"] = "Referrer-pass-2027" });
        var id = created["id"].Str();
        var before = await BearerAsync(email, "Referrer-pass-2027");
        var admin = await App.LoginAsync(ReconnectApp.Admin);

        var noSite = await (await admin.PatchAsync($"/api/users/{id}", Json(new JsonObject { ["roles"] = new JsonArray("Navigator") }))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(noSite["errors"]!["site"]);
        var updated = await (await admin.PatchAsync($"/api/users/{id}", Json(new JsonObject { ["roles"] = new JsonArray("Navigator"), ["site"] = "NHI", ["displayName"] = "Promoted" })))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Navigator"], updated["roles"]!.AsArray().Select(r => r.Str()));
        Assert.Equal("NHI", updated["site"].Str());
        Assert.Equal("Promoted", updated["displayName"].Str());

        Assert.Equal(HttpStatusCode.Unauthorized, (await before.GetAsync("/api/auth/me")).StatusCode);
        var after = await BearerAsync(email, "Referrer-pass-2027");
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/tasks")).StatusCode);

        var audit = (await App.AuditAsync()).Single(a => a.Action == "user-update" && a.EntityId == id);
        Assert.Contains("\"roles\"", audit.DetailJson!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PatchAsync("/api/users/no-such-account", Json(new JsonObject { ["displayName"] = "x" }))).StatusCode);
    }

    [Fact]
    public async Task UpdateAndDeactivate_LastAdminOrSelf_409()
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        var id = await App.UserIdAsync(ReconnectApp.Admin);
        await (await admin.PatchAsync($"/api/users/{id}", Json(new JsonObject { ["roles"] = new JsonArray("Manager") }))).ProblemAsync(HttpStatusCode.Conflict);
        await (await admin.PostAsync($"/api/users/{id}/deactivate", null)).ProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Deactivate_Navigator_CannotSignIn_TokensAndCookiesStop_TasksReturn_ReferralsGetOneAllocateTask()
    {
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        // Weald's only navigator: the pathway assigns the referral and its first task to them.
        var email = NewEmail("wei.nav");
        var navigator = await CreateAsync(new JsonObject { ["email"] = email, ["roles"] = new JsonArray("Navigator"), ["site"] = "WEI", ["password"] = "Navigator-pass-2027" });
        var id = navigator["id"].Str();
        var wei = await App.UserIdAsync("navigator.wei@reconnect.test");
        await (await admin.PostAsync($"/api/users/{wei}/deactivate", null)).JsonAsync(HttpStatusCode.OK);
        try
        {
            var referral = (await manager.CreateReferralAsync(Body(App.Today(), PrisonNumber(7001), site: "WEI")))["id"].Str();
            string taskId;
            await using (var db = await App.DbAsync())
            {
                Assert.Equal(id, (await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referral)).NavigatorId);
                taskId = (await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral && t.Assignee == id)).Id;
            }
            var bearer = await BearerAsync(email, "Navigator-pass-2027");
            Assert.Equal(HttpStatusCode.OK, (await bearer.PostAsync($"/api/tasks/{taskId}/claim", null)).StatusCode);
            var cookieLogin = await LoginRawAsync(email, "Navigator-pass-2027", cookies: true);
            var cookie = cookieLogin.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("reconnect.auth=", StringComparison.Ordinal)).Split(';')[0];
            var cookieClient = App.CreateClient();
            cookieClient.DefaultRequestHeaders.Add("Cookie", cookie);
            Assert.Equal(HttpStatusCode.OK, (await cookieClient.GetAsync("/api/auth/me")).StatusCode);

            var result = await (await admin.PostAsync($"/api/users/{id}/deactivate", null)).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(1, result["tasksReturned"].Int());
            Assert.Equal(1, result["referralsToAllocate"].Int());
            Assert.False(result["user"]!["active"]!.GetValue<bool>());

            Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/auth/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/tasks")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await cookieClient.GetAsync("/api/auth/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginRawAsync(email, "Navigator-pass-2027")).StatusCode);

            await using (var db = await App.DbAsync())
            {
                var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
                Assert.Null(task.Assignee);
                Assert.Equal("Open", task.Status);
                Assert.Null(task.ClaimedBy);
                Assert.Null((await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referral)).NavigatorId);
                var allocate = await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral && t.Title == "Allocate navigator");
                Assert.Equal("Manager", allocate.AssigneeRole);
                Assert.Equal("Open", allocate.Status);
                Assert.Contains(await db.ReferralHistory.AsNoTracking().Where(h => h.ReferralId == referral).ToListAsync(), h => h.Kind == "navigator-left");
            }
            // The managers see it in their queue and can complete it.
            var queue = await (await manager.GetAsync("/api/tasks?assignee=unassigned")).JsonAsync(HttpStatusCode.OK);
            Assert.Contains(queue["items"]!.AsArray(), t => t!["title"].Str() == "Allocate navigator" && t["referralId"].Str() == referral);

            // Again: nothing more moves, no second allocation task.
            var again = await (await admin.PostAsync($"/api/users/{id}/deactivate", null)).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, again["referralsToAllocate"].Int());
            await using (var db = await App.DbAsync())
                Assert.Equal(1, await db.Tasks.CountAsync(t => t.SubjectId == referral && t.Title == "Allocate navigator"));
            var audit = (await App.AuditAsync()).Where(a => a.EntityId == id && a.Action == "user-deactivate").ToList();
            Assert.Single(audit);
            Assert.Contains("\"tasksReturned\":1", audit[0].DetailJson!, StringComparison.Ordinal);

            // Reactivated: they sign in again (their work stays where it went).
            await (await admin.PostAsync($"/api/users/{id}/reactivate", null)).JsonAsync(HttpStatusCode.OK);
            var back = await BearerAsync(email, "Navigator-pass-2027");
            Assert.Equal(HttpStatusCode.OK, (await back.GetAsync("/api/tasks")).StatusCode);
            Assert.Contains(await App.AuditAsync(), a => a.EntityId == id && a.Action == "user-reactivate");
        }
        finally
        {
            await (await admin.PostAsync($"/api/users/{wei}/reactivate", null)).JsonAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task DeactivateAndReactivate_UnknownAccount_404()
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/users/nobody/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/users/nobody/reactivate", null)).StatusCode);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
