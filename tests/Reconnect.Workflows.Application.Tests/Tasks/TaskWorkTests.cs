using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Tests.Infrastructure;

namespace Reconnect.Workflows.Application.Tests.Tasks;

/// <summary>Completing the pathway's tasks through <see cref="TaskWork"/>: who may, what it moves, what it audits.</summary>
public class TaskWorkTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Complete_FirstContactEngagedByTheSitesNavigator_MovesToPreReleaseAndAuditsTheCompletion(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var referral = await Infrastructure.Referrals.CreateAsync(kit);
        var task = await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact");
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        var done = await kit.Service<TaskWork>().CompleteAsync(ApplicationKit.Navigator(), task, "Engaged", "Met on the wing.");

        Assert.IsType<TaskChange.Done>(done);
        var read = Assert.IsType<ReferralReadResult.Detail>(await kit.Service<ReferralReads>().GetAsync(ApplicationKit.Manager, referral));
        Assert.Equal("PreRelease", read.Referral.Stage);
        Assert.Contains($"{ApplicationKit.NavigatorLeeds} complete Task {task}", await Infrastructure.Referrals.AuditSinceAsync(kit, before));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Complete_NavigatorOfAnotherSiteOrReferrer_RefusedAndTheTaskStaysOpen(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var referral = await Infrastructure.Referrals.CreateAsync(kit, site: "LEI");
        var task = await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact");
        var work = kit.Service<TaskWork>();
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        Assert.IsNotType<TaskChange.Done>(await work.CompleteAsync(ApplicationKit.Navigator(ApplicationKit.NavigatorNewHall), task, "Engaged", null));
        Assert.IsType<TaskChange.Forbidden>(await work.CompleteAsync(ApplicationKit.Referrer, task, "Engaged", null));
        Assert.IsType<TaskChange.BadOutcome>(await work.CompleteAsync(ApplicationKit.Navigator(), task, "Not an outcome", null));

        Assert.Equal(task, await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact"));
        Assert.DoesNotContain(await Infrastructure.Referrals.AuditSinceAsync(kit, before), a => a.Contains(" complete ", StringComparison.Ordinal));
    }
}
