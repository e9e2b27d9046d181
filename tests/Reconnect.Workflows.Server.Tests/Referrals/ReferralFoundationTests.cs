using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>The referral service over the real pathway: referral row, first step and tasks in one transaction; events recorded with the step they cause.</summary>
public class ReferralFoundationTests
{
    internal static ReferralRequest Request(DateOnly today, string prisonNumber = "A1234BC", string site = "LEI") => new()
    {
        Person = new PersonRequest { GivenName = "Sam", FamilyName = "Example", DateOfBirth = "1990-05-17", PrisonNumber = prisonNumber },
        Site = site,
        ReleaseDate = today.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ReleaseType = "ConditionalRelease",
        ReferralSource = "PrisonHealthcare",
        HealthNeeds = ["MentalHealth"],
        Consent = new ConsentRequest { Given = true },
    };

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Create_ValidReferral_StartsPathwayWithFirstContactTaskForSiteNavigator(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var service = app.Service<ReferralService>();
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(Request(service.Today), "tester"));

        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var referral = await db.Referrals.SingleAsync(r => r.Id == created.ReferralId);
        var navigator = await app.Service<UserManager<ApplicationUser>>().FindByEmailAsync(ReconnectApp.NavigatorLeeds);
        Assert.Equal("Triage", referral.Stage);
        Assert.Equal(navigator!.Id, referral.NavigatorId);
        var task = await db.Tasks.SingleAsync(t => t.SubjectId == created.ReferralId);
        Assert.Equal("First contact", task.Title);
        Assert.Equal(navigator.Id, task.Assignee);
        Assert.Equal("LEI", task.Site);
        Assert.Contains(await db.ReferralHistory.Where(h => h.ReferralId == created.ReferralId).Select(h => h.Kind).ToListAsync(), k => k == "assigned");

        var duplicate = Assert.IsType<CreateReferralResult.Duplicate>(await service.CreateAsync(Request(service.Today), "tester"));
        Assert.Equal(created.ReferralId, duplicate.OpenReferralId);
    }

    [Fact]
    public async Task ConsentWithdrawn_OpenReferral_ClosesAndCancelsOpenTasks()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var service = app.Service<ReferralService>();
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(Request(service.Today), "tester"));

        var applied = Assert.IsType<ReferralEventResult.Applied>(await service.SendEventAsync(created.ReferralId, "consent-withdrawn", new JsonObject(), "navigator"));

        Assert.Equal("Closed", applied.Stage);
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var referral = await db.Referrals.SingleAsync(r => r.Id == created.ReferralId);
        Assert.Equal("ConsentWithdrawn", referral.ClosureReason);
        Assert.Null(referral.OpenPrisonNumber);
        Assert.All(await db.Tasks.Where(t => t.SubjectId == created.ReferralId).ToListAsync(), t => Assert.Equal(TaskStatuses.Cancelled, t.Status));
        Assert.IsType<ReferralEventResult.Conflict>(await service.SendEventAsync(created.ReferralId, "released", new JsonObject(), "navigator"));
        // A new referral for the same prison number is allowed once the first is closed.
        Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(Request(service.Today), "tester"));
    }
}
