using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Pathway.PathwayKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>
/// Assignment (issue #18): a new referral goes to the site's navigator with the fewest open referrals — referrals, not
/// tasks; closed ones do not count — and to the site's queue when the site has no navigator.
/// </summary>
public class NavigatorAssignmentTests
{
    /// <summary>A second navigator at Leeds whose account id sorts after the demo one's (so a tie goes to the demo navigator).</summary>
    private static async Task<string> AddNavigatorAsync(ReconnectApp app, string site)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            Id = "zzzz-second-navigator", UserName = "second.navigator@reconnect.test", Email = "second.navigator@reconnect.test",
            EmailConfirmed = true, DisplayName = "Second navigator", Site = site,
        };
        Assert.True((await users.CreateAsync(user, ReconnectApp.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.Navigator)).Succeeded);
        return user.Id;
    }

    /// <summary>Moves a referral and its open tasks to a navigator, as a reassignment would have.</summary>
    private static async Task GiveAsync(ReconnectDbContext db, string referralId, string navigatorId)
    {
        await db.Referrals.Where(r => r.Id == referralId).ExecuteUpdateAsync(s => s.SetProperty(r => r.NavigatorId, navigatorId));
        await db.Tasks.Where(t => t.SubjectId == referralId && t.Status == "Open").ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, navigatorId));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Create_EveryNavigatorAtTheCaseloadLimit_WaitsInTheQueueWithOneAllocateNavigatorTask(string provider)
    {
        await using var kit = await StartAsync(provider, new Dictionary<string, string?> { ["Reconnect:Caseload:MaxOpenReferrals"] = "1" });
        var navigator = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var first = await kit.CreateAsync(prisonNumber: "A2000AA");
        var second = await kit.CreateAsync(prisonNumber: "A2000AB");

        await using (var db = await kit.DbAsync())
        {
            Assert.Equal(navigator, await db.Referrals.Where(r => r.Id == first).Select(r => r.NavigatorId).SingleAsync());
            Assert.Null(await db.Referrals.Where(r => r.Id == second).Select(r => r.NavigatorId).SingleAsync());
            // Its work waits in the site's queue; the managers are asked once to allocate it.
            Assert.All(await db.Tasks.Where(t => t.SubjectId == second && t.AssigneeRole == Roles.Navigator).ToListAsync(), t => Assert.Null(t.Assignee));
            var ask = Assert.Single(await db.Tasks.Where(t => t.SubjectId == second && t.Title == "Allocate navigator").ToListAsync());
            Assert.Equal(Roles.Manager, ask.AssigneeRole);
            Assert.Equal("Open", ask.Status);
            Assert.Empty(await db.Tasks.Where(t => t.SubjectId == first && t.Title == "Allocate navigator").ToListAsync());
        }

        // A place frees up (the first referral closes): the next referral goes to the navigator again.
        Assert.Equal("Closed", await kit.SendAsync(first, "consent-withdrawn"));
        var third = await kit.CreateAsync(prisonNumber: "A2000AC");
        await using (var db = await kit.DbAsync())
            Assert.Equal(navigator, await db.Referrals.Where(r => r.Id == third).Select(r => r.NavigatorId).SingleAsync());
    }

    [Fact]
    public async Task Create_NavigatorWithFewerOpenReferralsButMoreTasks_GetsTheReferral()
    {
        await using var kit = await StartAsync();
        var first = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var second = await AddNavigatorAsync(kit.App, "LEI");
        var one = await kit.CreateAsync(prisonNumber: "A1000AA");
        var two = await kit.CreateAsync(prisonNumber: "A1000AB");
        var three = await kit.CreateAsync(prisonNumber: "A1000AC");
        await using (var db = await kit.DbAsync())
        {
            // The first navigator: one referral with six open tasks; the second: two referrals with one task each.
            await GiveAsync(db, one, first);
            await GiveAsync(db, two, second);
            await GiveAsync(db, three, second);
            var task = await db.Tasks.AsNoTracking().FirstAsync(t => t.SubjectId == one);
            for (var i = 0; i < 5; i++)
            {
                task.Id = $"extra-task-{i}";
                db.Tasks.Add(task);
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }

        var four = await kit.CreateAsync(prisonNumber: "A1000AD");

        await using var after = await kit.DbAsync();
        Assert.Equal(first, (await after.Referrals.SingleAsync(r => r.Id == four)).NavigatorId);
        Assert.Equal(first, (await after.Tasks.SingleAsync(t => t.SubjectId == four)).Assignee);
    }

    [Fact]
    public async Task Create_OtherNavigatorsReferralsClosed_ClosedOnesDoNotCount()
    {
        await using var kit = await StartAsync();
        var first = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var second = await AddNavigatorAsync(kit.App, "LEI");
        var one = await kit.CreateAsync(prisonNumber: "A2000AA");
        var two = await kit.CreateAsync(prisonNumber: "A2000AB");
        var three = await kit.CreateAsync(prisonNumber: "A2000AC");
        await using (var db = await kit.DbAsync())
        {
            await GiveAsync(db, one, first);
            await GiveAsync(db, two, second);
            await GiveAsync(db, three, second);
        }
        // The second navigator's two referrals close (consent withdrawn): their caseload is now none.
        await kit.SendAsync(two, "consent-withdrawn", null);
        await kit.SendAsync(three, "consent-withdrawn", null);

        var four = await kit.CreateAsync(prisonNumber: "A2000AD");

        await using var after = await kit.DbAsync();
        Assert.Equal(second, (await after.Referrals.SingleAsync(r => r.Id == four)).NavigatorId);
    }

    [Fact]
    public async Task Create_SiteWithoutNavigator_SkipsAssignmentAndQueuesTheTaskAtTheSite()
    {
        await using var kit = await StartAsync();
        using (var scope = kit.App.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var newHall = (await users.FindByEmailAsync(ReconnectApp.NavigatorNewHall))!;
            Assert.True((await users.RemoveFromRoleAsync(newHall, Roles.Navigator)).Succeeded);
        }

        var id = await kit.CreateAsync(prisonNumber: "A3000AA", site: "NHI");

        await using var db = await kit.DbAsync();
        Assert.Null((await db.Referrals.SingleAsync(r => r.Id == id)).NavigatorId);
        var task = await db.Tasks.SingleAsync(t => t.SubjectId == id);
        Assert.Null(task.Assignee);
        Assert.Equal(Roles.Navigator, task.AssigneeRole);
        Assert.Equal("NHI", task.Site);
        Assert.DoesNotContain(await db.ReferralHistory.Where(h => h.ReferralId == id).Select(h => h.Kind).ToListAsync(), k => k == "assigned");
    }

    [Fact]
    public async Task LeastLoadedNavigator_TiedCaseloads_TakesTheSmallestAccountId()
    {
        await using var kit = await StartAsync();
        var first = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var second = await AddNavigatorAsync(kit.App, "LEI");
        Assert.True(string.CompareOrdinal(first, second) < 0);
        await using var db = await kit.DbAsync();

        Assert.Equal(first, await NavigatorAssignment.LeastLoadedNavigatorAsync(db, "LEI", CancellationToken.None));
        Assert.Null(await NavigatorAssignment.LeastLoadedNavigatorAsync(db, "XYZ", CancellationToken.None));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Choose_NavigatorAwayThatDayOrDeactivated_IsPassedOver_AndCountsAsTheSitesNavigator(string provider)
    {
        await using var kit = await StartAsync(provider);
        var first = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var second = await AddNavigatorAsync(kit.App, "LEI");
        var monday = new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await using var db = await kit.DbAsync();
        db.StaffAbsences.Add(new StaffAbsenceRecord
        {
            Id = "away-1", UserId = first, From = new DateOnly(2027, 3, 1), To = new DateOnly(2027, 3, 5), CreatedAt = monday,
        });
        await db.SaveChangesAsync();

        // Away from Monday to Friday: the other navigator takes the day's referrals; before and after, the tie goes back.
        Assert.Equal(new NavigatorChoice(second, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", monday, null, CancellationToken.None));
        Assert.Equal(new NavigatorChoice(second, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", monday.AddDays(4), null, CancellationToken.None));
        Assert.Equal(new NavigatorChoice(first, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", monday.AddDays(-1), null, CancellationToken.None));
        Assert.Equal(new NavigatorChoice(first, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", monday.AddDays(5), null, CancellationToken.None));
        // No date: absences do not count.
        Assert.Equal(new NavigatorChoice(first, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", null, null, CancellationToken.None));

        // Deactivated as well: nobody can take it, though the site still has two navigator accounts (it is full, not unstaffed).
        await db.Users.Where(u => u.Id == second).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, monday));
        Assert.Equal(new NavigatorChoice(null, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", monday, null, CancellationToken.None));
        Assert.Equal(new NavigatorChoice(first, 2), await NavigatorAssignment.ChooseAsync(db, "LEI", monday.AddDays(7), null, CancellationToken.None));
    }
}
