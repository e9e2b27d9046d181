using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tests.Infrastructure;

namespace Reconnect.Workflows.Application.Tests.Audit;

/// <summary>Reading the audit trail back: who may, and the rows a referral's reads and changes left, newest first.</summary>
public class AuditLogTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Query_ManagerByReferral_NewestFirst_NavigatorForbidden(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var referral = await Infrastructure.Referrals.CreateAsync(kit);
        await kit.Service<ReferralReads>().GetAsync(ApplicationKit.Navigator(), referral);
        var log = kit.Service<AuditLog>();

        var page = Assert.IsType<AuditLogResult.Page>(await log.QueryAsync(ApplicationKit.Manager, new AuditQuery(ReferralId: referral)));
        Assert.Equal([AuditActions.Read, AuditActions.Create], page.Entries.Items.Select(i => i.Action));
        Assert.Equal(2, page.Entries.Total);
        Assert.IsType<AuditLogResult.Forbidden>(await log.QueryAsync(ApplicationKit.Navigator(), new AuditQuery(ReferralId: referral)));
    }
}
