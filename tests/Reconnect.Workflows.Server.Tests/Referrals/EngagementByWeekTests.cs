using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>The dashboard's 21-day engagement series by week of release: the numbers of known rows, and agreement with GET /api/measures' query.</summary>
public class EngagementByWeekTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task EngagementByWeek_CountsReleasesAndEngagedChecksPerWeek(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var today = app.Today();
        var monday = ReferralQueries.WeekStarting(today);
        var firstMonday = monday.AddDays(-77);

        await using (var db = await app.DbAsync())
        {
            // This week: released on Monday, its check already answered Engaged (counts before its 21 days are over).
            Referral(db, "r1", releasedOn: monday);
            EngagementCheck(db, "r1", "Engaged");
            // Last week: a planned release that passed unrecorded, 21 days not over and no answer yet (not counted yet);
            // a confirmed release whose check was answered Declined (counts, not engaged).
            Referral(db, "r2", releaseDate: monday.AddDays(-7));
            Referral(db, "r3", releasedOn: monday.AddDays(-6), releaseDate: monday.AddDays(-20));
            EngagementCheck(db, "r3", "Declined");
            // Two weeks ago, Sunday: engaged, and closed NeedsMet since (still counts: open on release, still here).
            Referral(db, "r4", releasedOn: monday.AddDays(-8), closed: true);
            EngagementCheck(db, "r4", "Engaged");
            // The first of the 12 weeks: engaged on a task without the engagement-21 tag (not the measure), and an open check.
            Referral(db, "r5", releasedOn: firstMonday);
            EngagementCheck(db, "r5", "Engaged", tag: "first-contact");
            EngagementCheck(db, "r5", null);
            // Not in any week: release still to come; released the day before the first week.
            Referral(db, "r6", releaseDate: today.AddDays(10));
            Referral(db, "r7", releasedOn: firstMonday.AddDays(-1));
            EngagementCheck(db, "r7", "Engaged");
            await db.SaveChangesAsync();
        }

        IReadOnlyList<EngagementWeekDto> weeks;
        MeasuresDto measures;
        await using (var db = await app.DbAsync())
        {
            weeks = await ReferralQueries.EngagementByWeekAsync(db, today, 12, CancellationToken.None);
            measures = await ReferralQueries.MeasuresAsync(db, app.Service<ControllableTimeProvider>().GetUtcNow(), today, firstMonday, today, CancellationToken.None);
        }

        Assert.Equal(12, weeks.Count);
        Assert.Equal(firstMonday, weeks[0].WeekStarting);
        Assert.Equal(firstMonday.AddDays(6), weeks[0].WeekEnding);
        Assert.Equal(monday, weeks[^1].WeekStarting);
        Assert.Equal(today, weeks[^1].WeekEnding);
        Assert.All(weeks, w => Assert.Equal(DayOfWeek.Monday, w.WeekStarting.DayOfWeek));

        Assert.Equal((1, 1, 1.0), Point(weeks[11]));   // r1
        Assert.Equal((0, 1, 0.0), Point(weeks[10]));   // r3 (r2's 21 days are not over)
        Assert.Equal((1, 1, 1.0), Point(weeks[9]));    // r4
        Assert.Equal((0, 1, 0.0), Point(weeks[0]));    // r5
        foreach (var empty in weeks.Skip(1).Take(8))
            Assert.Equal((0, 0, (double?)null), Point(empty));

        // The same numbers as GET /api/measures over the same twelve weeks.
        Assert.Equal(measures.Engagement21.Denominator, weeks.Sum(w => w.Denominator));
        Assert.Equal(measures.Engagement21.Numerator, weeks.Sum(w => w.Numerator));
        Assert.Equal(4, measures.Engagement21.Denominator);
        Assert.Equal(2, measures.Engagement21.Numerator);
    }

    [Fact]
    public void WeekStarting_IsTheMonday()
    {
        Assert.Equal(new DateOnly(2026, 11, 23), ReferralQueries.WeekStarting(new DateOnly(2026, 11, 23))); // Monday
        Assert.Equal(new DateOnly(2026, 11, 23), ReferralQueries.WeekStarting(new DateOnly(2026, 11, 29))); // Sunday
        Assert.Equal(new DateOnly(2026, 11, 30), ReferralQueries.WeekStarting(new DateOnly(2026, 12, 2)));
    }

    private static (int, int, double?) Point(EngagementWeekDto w) => (w.Numerator, w.Denominator, w.Share);

    private static void Referral(ReconnectDbContext db, string id, DateOnly? releasedOn = null, DateOnly? releaseDate = null, bool closed = false)
    {
        var at = DateTimeOffset.UtcNow;
        db.Referrals.Add(new ReferralRecord
        {
            Id = id,
            Reference = "REF-" + id,
            WorkflowInstanceId = "instance-" + id,
            PrisonNumber = "P-" + id,
            OpenPrisonNumber = closed ? null : "open-" + id,
            GivenName = "Test",
            FamilyName = "Person",
            DateOfBirth = new DateOnly(1990, 1, 1),
            Site = "LEI",
            ReleaseDate = releaseDate ?? releasedOn,
            ReleasedOn = releasedOn,
            ReleaseType = "ConditionalRelease",
            ReferralSource = "PrisonHealthcare",
            HealthNeedsJson = "[\"MentalHealth\"]",
            ConsentGiven = true,
            ReferralDate = (releaseDate ?? releasedOn ?? DateOnly.FromDateTime(at.UtcDateTime)).AddDays(-30),
            Stage = closed ? "Closed" : "PostRelease",
            ClosedAt = closed ? at : null,
            ClosureReason = closed ? "NeedsMet" : null,
            CreatedAt = at,
            UpdatedAt = at,
        });
    }

    /// <summary>A 21-day check row as the pathway writes it (tagged), open or answered; shared with the measure's definition tests.</summary>
    internal static void EngagementCheck(ReconnectDbContext db, string referralId, string? outcome, string tag = ReferralQueries.EngagementTag) =>
        db.Tasks.Add(new WorkflowTaskRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            InstanceId = "instance-" + referralId,
            BookmarkId = "b-" + Guid.NewGuid().ToString("N"),
            ActivityId = "check",
            ActivityType = "Reconnect.NavigatorTask",
            Title = "Check at 21 days",
            OutcomesJson = "[\"Engaged\",\"Declined\"]",
            Status = outcome is null ? TaskStatuses.Open : TaskStatuses.Completed,
            Outcome = outcome,
            Site = "LEI",
            SubjectId = referralId,
            CreatedAt = DateTimeOffset.UtcNow,
            DataJson = $"{{\"subjectId\":\"{referralId}\",\"tag\":\"{tag}\"}}",
        });
}
