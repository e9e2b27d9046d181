using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Tasks;

/// <summary>Over HTTP: a referral's reference in its JSON, and a manager's review of an overdue task with Reassign.</summary>
public class OverdueReviewApiTests
{
    [Fact]
    public async Task CreateAndList_ReferralJson_CarriesTheReference_AndReviewReassign_GivesTheTaskToTheChosenNavigator()
    {
        await using var app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var service = app.Service<ReferralService>();

        var created = await manager.PostAsJsonAsync("/api/referrals", ReferralFoundationTests.Request(service.Today));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = body["id"]!.GetValue<string>();
        var reference = body["reference"]!.GetValue<string>();
        Assert.Matches($"^LEI-{service.Today.Year}-\\d{{4}}$", reference);
        var read = (await manager.GetFromJsonAsync<JsonObject>($"/api/referrals/{id}"))!;
        Assert.Equal(reference, read["reference"]!.GetValue<string>());
        var list = (await manager.GetFromJsonAsync<JsonObject>("/api/referrals"))!;
        Assert.Equal(reference, list["items"]![0]!["reference"]!.GetValue<string>());

        // A second Leeds navigator, and a review of the overdue First contact as the daily check raises it.
        var users = app.Service<UserManager<ApplicationUser>>();
        var second = new ApplicationUser { UserName = "navigator2.lei@reconnect.test", Email = "navigator2.lei@reconnect.test", EmailConfirmed = true, DisplayName = "Nadia Second", Site = "LEI" };
        Assert.True((await users.CreateAsync(second, ReconnectApp.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(second, Roles.Navigator)).Succeeded);
        string overdueId, reviewId = Guid.CreateVersion7().ToString("N");
        await using (var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
        {
            var overdue = await db.Tasks.SingleAsync(t => t.SubjectId == id && t.Title == "First contact");
            overdueId = overdue.Id;
            var now = DateTimeOffset.UtcNow;
            db.Tasks.Add(new WorkflowTaskRecord
            {
                Id = reviewId, InstanceId = "daily-check", BookmarkId = "", ActivityId = ReferralChecks.EscalateOverdueTasks, ActivityType = "Reconnect.QueryReferrals",
                Title = "Review: overdue task — First contact", OutcomesJson = JsonSerializer.Serialize(OverdueReviews.Outcomes), DueAt = now.AddDays(1),
                Status = "Open", Site = "LEI", AssigneeRole = Roles.Manager, SubjectId = id, CreatedAt = now,
                DataJson = new JsonObject { ["overdueTaskId"] = overdueId, ["check"] = ReferralChecks.EscalateOverdueTasks }.ToJsonString(),
            });
            await db.SaveChangesAsync();
        }

        var review = (await manager.GetFromJsonAsync<JsonObject>($"/api/tasks/{reviewId}"))!;
        Assert.Equal("First contact", review["review"]!["taskTitle"]!.GetValue<string>());
        Assert.Equal(reference, review["reference"]!.GetValue<string>());
        Assert.Equal(["Reassign", "Chase", "Done"], review["outcomes"]!.AsArray().Select(o => o!.GetValue<string>()));

        var missing = await manager.PostAsJsonAsync($"/api/tasks/{reviewId}/complete", new { outcome = "Reassign" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        var done = await manager.PostAsJsonAsync($"/api/tasks/{reviewId}/complete", new { outcome = "Reassign", assigneeId = second.Id });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("Completed", (await done.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        await using var after = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        Assert.Equal(second.Id, (await after.Tasks.SingleAsync(t => t.Id == overdueId)).Assignee);
        Assert.Contains(await after.ReferralHistory.Where(h => h.ReferralId == id).Select(h => h.Summary).ToListAsync(),
            s => s.Contains("given to Nadia Second", StringComparison.Ordinal));
    }
}
