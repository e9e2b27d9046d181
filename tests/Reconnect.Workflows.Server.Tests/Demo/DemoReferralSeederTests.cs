using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Demo;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Referrals.Eligibility;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Demo;

/// <summary>The first run's synthetic caseload, made by running the real pathway (issue 10): every stage, every reachable closure, overdue work, a 21-day measure.</summary>
public class DemoReferralSeederTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Pathway.PathwayKit.Postgres)]
    public async Task Seed_OnStartUp_RunsThePathwayToEveryStageAndIsIdempotent(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows,
            new Dictionary<string, string?> { ["Seed:DemoReferrals"] = "30" });
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();

        var referrals = await db.Referrals.AsNoTracking().ToListAsync();
        Assert.Equal(30, referrals.Count);
        Assert.Equal(["Closed", "PostRelease", "PreRelease", "Triage"], referrals.Select(r => r.Stage).Distinct().Order());
        Assert.Equal(
            ["ConsentWithdrawn", "DeclinedSupport", "Ineligible", "NeedsMet", "OutOfArea", "Recalled", "SixMonthLimit", "UnableToContact"],
            referrals.Where(r => r.ClosureReason != null).Select(r => r.ClosureReason!).Distinct().Order());
        Assert.All(referrals, r => Assert.StartsWith("Example-", r.FamilyName, StringComparison.Ordinal));
        Assert.All(referrals, r => Assert.True(Identifiers.IsPrisonNumber(r.PrisonNumber)));
        Assert.All(referrals.Where(r => r.NhsNumber != null), r => Assert.True(Identifiers.IsNhsNumber(r.NhsNumber)));
        // Made by the pathway, not inserted: each has its instance, history, and tasks the pathway raised.
        Assert.All(referrals, r => Assert.True(db.WorkflowInstances.Any(i => i.Id == r.WorkflowInstanceId)));
        Assert.True(await db.ReferralHistory.CountAsync(h => h.Kind == "stage") >= 30);
        var now = app.Service<Reconnect.Workflows.Application.Time.ControllableTimeProvider>().GetUtcNow();
        Assert.True(await db.Tasks.CountAsync(t => t.Status == TaskStatuses.Open && t.DueAt < now) > 0, "some work is overdue");
        Assert.True(await db.Tasks.CountAsync(t => t.Status == TaskStatuses.Completed && t.Outcome == "NotEngaged") > 0);

        var measures = await app.Service<Reconnect.Workflows.Application.Referrals.ReferralReads>().MeasuresAsync(app.Today().AddDays(-90), app.Today());
        Assert.True(measures.Engagement21.Denominator > 0);
        Assert.True(measures.Engagement21.Numerator > 0);

        Assert.Equal(0, await app.Service<DemoReferralSeeder>().SeedAsync(30));
        Assert.Equal(30, await db.Referrals.CountAsync());
    }

    [Fact]
    public void NhsNumber_Synthetic_HasAValidCheckDigitAndTheUnissuedPrefix()
    {
        for (var i = 0; i < 200; i++)
        {
            var number = DemoReferralSeeder.NhsNumber(i);
            Assert.StartsWith("999", number, StringComparison.Ordinal);
            Assert.True(Identifiers.IsNhsNumber(number), number);
        }
    }
}
