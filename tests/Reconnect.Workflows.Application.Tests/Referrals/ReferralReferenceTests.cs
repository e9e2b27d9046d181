using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Tests.Infrastructure;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;
using Reconnect.Workflows.Testing;

namespace Reconnect.Workflows.Application.Tests.Referrals;

/// <summary>Human references (LEI-2026-0042): numbered per site and year in the referral's transaction, never twice.</summary>
public class ReferralReferenceTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Create_SeveralSites_NumbersEachSiteFromOneAndShowsTheReferenceEverywhere(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var service = kit.Service<ReferralService>();
        var year = kit.Today.Year.ToString(CultureInfo.InvariantCulture);

        var first = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today, prisonNumber: "A1111AA")));
        var second = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today, prisonNumber: "A2222AA")));
        var other = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today, prisonNumber: "A3333AA", site: "NHI")));

        Assert.Equal($"LEI-{year}-0001", first.Reference);
        Assert.Equal($"LEI-{year}-0002", second.Reference);
        Assert.Equal($"NHI-{year}-0001", other.Reference);

        var reads = kit.Service<ReferralReads>();
        var detail = Assert.IsType<ReferralReadResult.Detail>(await reads.GetAsync(ApplicationKit.Manager, second.ReferralId));
        Assert.Equal(second.Reference, detail.Referral.Reference);
        var list = Assert.IsType<ReferralListResult.Staff>(await reads.ListAsync(ApplicationKit.Manager, new ReferralListQuery()));
        Assert.Equal([other.Reference, second.Reference, first.Reference], list.Page.Items.Select(i => i.Reference));
        var status = Assert.IsType<ReferralReadResult.Status>(await reads.GetAsync(ApplicationKit.Referrer, first.ReferralId));
        Assert.Equal(first.Reference, status.Referral.Reference);

        // The same prison number again: the duplicate names the open referral's reference.
        var duplicate = Assert.IsType<CreateReferralResult.Duplicate>(await service.CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today, prisonNumber: "A1111AA")));
        Assert.Equal(first.Reference, duplicate.OpenReference);

        // Tasks name the referral by its reference.
        var tasks = Assert.IsType<TaskListResult.Page>(await kit.Service<TaskWork>().ListAsync(ApplicationKit.Manager,
            new TaskListQuery(TaskAssigneeFilter.All, [TaskStatuses.Open, TaskStatuses.Claimed], null, false, 1, 100)));
        Assert.Contains(tasks.Tasks.Items, t => t.ReferralId == first.ReferralId && t.Reference == first.Reference);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Create_TwentyInParallel_DistinctSequentialReferences(string provider)
    {
        const int count = 20;
        await using var kit = await ApplicationKit.StartAsync(provider);
        var service = kit.Service<ReferralService>();

        var results = await Task.WhenAll(Enumerable.Range(1, count).Select(i => Task.Run(() =>
            service.CreateAsync(ApplicationKit.Referrer, Infrastructure.Referrals.Request(kit.Today, prisonNumber: $"B{i:0000}CD")))));

        var references = results.Select(r => Assert.IsType<CreateReferralResult.Created>(r).Reference).Order(StringComparer.Ordinal).ToList();
        var year = kit.Today.Year;
        Assert.Equal(Enumerable.Range(1, count).Select(n => $"LEI-{year}-{n:0000}"), references);
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        Assert.Equal(count, (await db.ReferenceCounters.SingleAsync(c => c.Site == "LEI" && c.Year == year)).Last);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Migration_ExistingReferrals_BackfilledInCreatedOrderAndCountersContinue(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddReconnectPersistence(database.Provider, database.ConnectionString);
        await using var provided = services.BuildServiceProvider();
        var contexts = provided.GetRequiredService<IDbContextFactory<ReconnectDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
        await migrator.MigrateAsync("OpenCaseloadIndex");

        var sqlite = provider == "Sqlite";
        var start = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        // Made in this order (ids deliberately not in creation order): two LEI referrals of 2026, one of 2025, one NHI.
        (string Id, string Site, DateOnly ReferralDate, int Minutes)[] rows =
        [
            ("z-lei-first", "LEI", new DateOnly(2026, 2, 27), 0),
            ("a-lei-second", "LEI", new DateOnly(2026, 3, 1), 5),
            ("m-lei-2025", "LEI", new DateOnly(2025, 12, 30), 10),
            ("b-nhi-first", "NHI", new DateOnly(2026, 3, 1), 15),
        ];
        foreach (var (id, site, referralDate, minutes) in rows)
        {
            object at = sqlite ? start.AddMinutes(minutes).UtcTicks : start.AddMinutes(minutes);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "Referrals" ("Id", "WorkflowInstanceId", "PrisonNumber", "GivenName", "FamilyName", "DateOfBirth", "Site",
                    "ReleaseType", "ReferralSource", "HealthNeedsJson", "ConsentGiven", "ConsentRecordedAt", "ReferralDate", "Stage", "CreatedAt", "UpdatedAt")
                VALUES ({id}, {"instance-" + id}, {"A0000AA"}, {"Test"}, {"Person"}, {new DateOnly(1990, 1, 1)}, {site},
                    {"ConditionalRelease"}, {"PrisonHealthcare"}, {"[]"}, {true}, {at}, {referralDate}, {"Triage"}, {at}, {at})
                """);
        }

        await db.Database.MigrateAsync();

        var references = await db.Referrals.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Reference);
        Assert.Equal("LEI-2026-0001", references["z-lei-first"]);
        Assert.Equal("LEI-2026-0002", references["a-lei-second"]);
        Assert.Equal("LEI-2025-0001", references["m-lei-2025"]);
        Assert.Equal("NHI-2026-0001", references["b-nhi-first"]);
        var counters = await db.ReferenceCounters.AsNoTracking().OrderBy(c => c.Site).ThenBy(c => c.Year).Select(c => $"{c.Site} {c.Year} {c.Last}").ToListAsync();
        Assert.Equal(["LEI 2025 1", "LEI 2026 2", "NHI 2026 1"], counters);
        // The next LEI referral of 2026 continues after the backfilled ones.
        await using var tx = await db.Database.BeginTransactionAsync();
        Assert.Equal(3, await ReferenceCounters.NextAsync(db, "LEI", 2026, CancellationToken.None));
    }
}
