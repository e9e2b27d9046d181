using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Tests.Infrastructure;

/// <summary>Referral requests and reads of the rows the use cases wrote.</summary>
public static class Referrals
{
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ReferralRequest Request(DateOnly today, int releaseInDays = 30, string prisonNumber = "A1234BC", string site = "LEI") => new()
    {
        Person = new PersonRequest { GivenName = "Sam", FamilyName = "Example", DateOfBirth = "1990-05-17", PrisonNumber = prisonNumber },
        Site = site,
        ReleaseDate = Iso(today.AddDays(releaseInDays)),
        ReleaseType = "ConditionalRelease",
        ReferralSource = "PrisonHealthcare",
        HealthNeeds = ["MentalHealth", "Medication"],
        Consent = new ConsentRequest { Given = true },
        ReferralDate = Iso(today),
    };

    public static async Task<string> CreateAsync(ApplicationKit kit, string prisonNumber = "A1234BC", string site = "LEI", int releaseInDays = 30)
    {
        var result = await kit.Service<ReferralService>().CreateAsync(ApplicationKit.Referrer, Request(kit.Today, releaseInDays, prisonNumber, site));
        return Assert.IsType<CreateReferralResult.Created>(result).ReferralId;
    }

    public static async Task<string> OpenTaskAsync(ApplicationKit kit, string referralId, string title)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var instanceId = await db.Referrals.Where(r => r.Id == referralId).Select(r => r.WorkflowInstanceId).SingleAsync();
        return await db.Tasks.Where(t => t.InstanceId == instanceId && t.Title == title && t.Status != "Completed" && t.Status != "Cancelled")
            .Select(t => t.Id).SingleAsync();
    }

    /// <summary>The audit rows after <paramref name="afterId"/>, as "user action subject id".</summary>
    public static async Task<List<string>> AuditSinceAsync(ApplicationKit kit, long afterId)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().Where(a => a.Id > afterId).OrderBy(a => a.Id)
            .Select(a => a.UserId + " " + a.Action + " " + a.EntityType + " " + a.EntityId).ToListAsync();
    }

    public static async Task<long> LastAuditIdAsync(ApplicationKit kit)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.MaxAsync(a => (long?)a.Id) ?? 0;
    }
}
