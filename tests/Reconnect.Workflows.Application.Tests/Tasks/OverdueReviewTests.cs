using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Tests.Infrastructure;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Persistence.Tasks;
using Reconnect.Workflows.Referrals.Activities;

namespace Reconnect.Workflows.Application.Tests.Tasks;

/// <summary>A manager's review of an overdue task: what it is about, and Reassign, Chase and Done with their effects.</summary>
public class OverdueReviewTests
{
    private const string SecondNavigator = "navigator-lei-2";

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Review_SaysWhatItIsAbout_ReassignNeedsANavigator_ThenGivesTheOverdueTaskToThem(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (referral, overdue, review) = await ArrangeAsync(kit, "A1234BC");
        var reviews = kit.Service<OverdueReviews>();

        var listed = await ListedAsync(kit, review);
        Assert.NotNull(listed.Review);
        Assert.Equal("First contact", listed.Review.TaskTitle);
        Assert.Equal(5, listed.Review.DaysOverdue);
        Assert.Equal("Sam", listed.Person!.GivenName);
        Assert.NotNull(listed.Reference);
        Assert.Equal(["Reassign", "Chase", "Done"], listed.Outcomes);
        Assert.Contains(await reviews.NavigatorsAsync("LEI"), n => n.Id == SecondNavigator && n.Name == "Nadia Second");

        var missing = await reviews.CompleteAsync(ApplicationKit.Manager, review, OverdueReviews.Reassign, null, assigneeId: null);
        Assert.IsType<TaskChange.BadOutcome>(missing);
        var wrongSite = await reviews.CompleteAsync(ApplicationKit.Manager, review, OverdueReviews.Reassign, null, ApplicationKit.NavigatorNewHall);
        Assert.Contains("not an active navigator", Assert.IsType<TaskChange.BadOutcome>(wrongSite).Message);
        Assert.Equal(TaskStatuses.Open, (await TaskAsync(kit, review)).Status);

        var done = await reviews.CompleteAsync(ApplicationKit.Manager, review, OverdueReviews.Reassign, "Nadia has capacity", SecondNavigator);

        Assert.Equal(OverdueReviews.Reassign, Assert.IsType<TaskChange.Done>(done).Task.Outcome);
        var moved = await TaskAsync(kit, overdue);
        Assert.Equal(SecondNavigator, moved.Assignee);
        Assert.Equal(TaskStatuses.Open, moved.Status);
        Assert.Contains(await HistoryAsync(kit, referral), h => h == "reassigned: Overdue task 'First contact' given to Nadia Second after a manager's review");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Review_Chase_KeepsTheTaskAndWritesTheHistory_Done_ClosesOnlyTheReview(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (chased, chasedTask, chaseReview) = await ArrangeAsync(kit, "A1111AA");
        var (closed, closedTask, doneReview) = await ArrangeAsync(kit, "B2222BB");
        var reviews = kit.Service<OverdueReviews>();
        var before = await TaskAsync(kit, chasedTask);
        var notified = new List<TaskCommitNotice>();
        using var subscription = kit.Service<TaskNotifications>().Subscribe(notified.AddRange);

        Assert.IsType<TaskChange.Done>(await reviews.CompleteAsync(ApplicationKit.Manager, chaseReview, OverdueReviews.Chase, null, null));

        var kept = await TaskAsync(kit, chasedTask);
        Assert.Equal(before.Status, kept.Status);
        Assert.Equal(before.Assignee, kept.Assignee);
        Assert.Equal(OverdueReviews.Chase, (await TaskAsync(kit, chaseReview)).Outcome);
        Assert.Contains(await HistoryAsync(kit, chased), h => h.StartsWith("chased: Chased: 'First contact' is 5 days overdue", StringComparison.Ordinal));
        Assert.Contains(notified, n => n.TaskId == chasedTask);

        Assert.IsType<TaskChange.Done>(await reviews.CompleteAsync(ApplicationKit.Manager, doneReview, OverdueReviews.Done, null, null));
        Assert.Equal(TaskStatuses.Completed, (await TaskAsync(kit, doneReview)).Status);
        Assert.Equal(TaskStatuses.Open, (await TaskAsync(kit, closedTask)).Status);
        Assert.DoesNotContain(await HistoryAsync(kit, closed), h => h.StartsWith("chased", StringComparison.Ordinal) || h.StartsWith("reassigned", StringComparison.Ordinal));

        // A navigator does not see a manager's review at all.
        Assert.IsType<TaskChange.NotFound>(await reviews.CompleteAsync(ApplicationKit.Navigator(), chaseReview, OverdueReviews.Done, null, null));
    }

    /// <summary>A referral whose First contact is five days overdue, and the review the daily check raises for it.</summary>
    private static async Task<(string Referral, string Overdue, string Review)> ArrangeAsync(ApplicationKit kit, string prisonNumber)
    {
        var referral = await Infrastructure.Referrals.CreateAsync(kit, prisonNumber);
        var overdue = await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact");
        var today = kit.Today;
        var now = LondonTime.AtLondonTime(today, new TimeOnly(12, 0));
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        if (!await db.Roles.AnyAsync(r => r.Name == Roles.Navigator))
        {
            db.Roles.Add(new IdentityRole(Roles.Navigator) { Id = "role-navigator", NormalizedName = Roles.Navigator.ToUpperInvariant() });
            db.Users.Add(new ApplicationUser
            {
                Id = SecondNavigator, UserName = "nadia@reconnect.test", NormalizedUserName = "NADIA@RECONNECT.TEST", DisplayName = "Nadia Second", Site = "LEI",
            });
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = SecondNavigator, RoleId = "role-navigator" });
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = ApplicationKit.NavigatorNewHall, RoleId = "role-navigator" });
        }
        var task = await db.Tasks.SingleAsync(t => t.Id == overdue);
        task.DueAt = LondonTime.AtLondonTime(today.AddDays(-5), new TimeOnly(17, 0));
        task.IsOverdue = true;
        task.EscalatedAt = now;
        // As the daily check writes it (ReferralChecksRunner, EscalateOverdueTasks).
        var review = Guid.CreateVersion7().ToString("N");
        db.Tasks.Add(new WorkflowTaskRecord
        {
            Id = review, InstanceId = "daily-check", BookmarkId = "", ActivityId = ReferralChecks.EscalateOverdueTasks, ActivityType = "Reconnect.QueryReferrals",
            Title = "Review: overdue task — First contact", OutcomesJson = JsonSerializer.Serialize(OverdueReviews.Outcomes),
            DueAt = now.AddDays(1), Status = TaskStatuses.Open, Site = "LEI", AssigneeRole = Roles.Manager, SubjectId = referral, CreatedAt = now,
            DataJson = new JsonObject { ["overdueTaskId"] = overdue, ["check"] = ReferralChecks.EscalateOverdueTasks }.ToJsonString(),
        });
        await db.SaveChangesAsync();
        return (referral, overdue, review);
    }

    private static async Task<TaskDto> ListedAsync(ApplicationKit kit, string id)
    {
        var page = Assert.IsType<TaskListResult.Page>(await kit.Service<TaskWork>().ListAsync(ApplicationKit.Manager,
            new TaskListQuery(TaskAssigneeFilter.All, [TaskStatuses.Open, TaskStatuses.Claimed], null, false, 1, 100)));
        return Assert.Single(page.Tasks.Items, t => t.Id == id);
    }

    private static async Task<WorkflowTaskRecord> TaskAsync(ApplicationKit kit, string id)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == id);
    }

    private static async Task<List<string>> HistoryAsync(ApplicationKit kit, string referralId)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.ReferralHistory.AsNoTracking().Where(h => h.ReferralId == referralId).OrderBy(h => h.Id).Select(h => h.Kind + ": " + h.Summary).ToListAsync();
    }
}
