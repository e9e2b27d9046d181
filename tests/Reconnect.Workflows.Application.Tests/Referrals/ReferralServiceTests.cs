using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tests.Infrastructure;

namespace Reconnect.Workflows.Application.Tests.Referrals;

/// <summary>Creating and reading referrals through the application services, without a web host.</summary>
public class ReferralServiceTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Create_ByReferrer_StartsThePathwayAndAuditsTheCreate(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        var result = await kit.Service<ReferralService>().CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today));

        var created = Assert.IsType<CreateReferralResult.Created>(result);
        Assert.Equal("Triage", created.Stage);
        Assert.NotNull(await Infrastructure.Referrals.OpenTaskAsync(kit, created.ReferralId, "First contact"));
        Assert.Equal([$"Referrer create Referral {created.ReferralId}"], await Infrastructure.Referrals.AuditSinceAsync(kit, before));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Create_SamePrisonNumberWhileOpen_DuplicateAndNothingWritten(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var first = await Infrastructure.Referrals.CreateAsync(kit);
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        var again = await kit.Service<ReferralService>().CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today));

        Assert.Equal(first, Assert.IsType<CreateReferralResult.Duplicate>(again).OpenReferralId);
        Assert.Empty(await Infrastructure.Referrals.AuditSinceAsync(kit, before));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Get_NavigatorOfAnotherSite_NotFoundAndNotAudited_OwnSiteReadIsAudited(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var id = await Infrastructure.Referrals.CreateAsync(kit, site: "LEI");
        var reads = kit.Service<ReferralReads>();
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        Assert.IsType<ReferralReadResult.NotFound>(await reads.GetAsync(ApplicationKit.Navigator(ApplicationKit.NavigatorNewHall), id));
        Assert.Empty(await Infrastructure.Referrals.AuditSinceAsync(kit, before));

        var detail = Assert.IsType<ReferralReadResult.Detail>(await reads.GetAsync(ApplicationKit.Navigator(ApplicationKit.NavigatorLeeds), id));
        Assert.Equal("LEI", detail.Referral.Site);
        Assert.Equal([$"{ApplicationKit.NavigatorLeeds} read Referral {id}"], await Infrastructure.Referrals.AuditSinceAsync(kit, before));
    }
}
