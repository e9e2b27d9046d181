using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>
/// Who is in the 21-day measure (docs/referrals.md, "The 21-day measure"): one constructed referral per rule, counted by
/// both entry points (<see cref="ReferralQueries.MeasuresAsync"/> and <see cref="ReferralQueries.EngagementByWeekAsync"/>)
/// on SQLite and PostgreSQL; and the London date of an instant, worked out in SQL, across the clock changes.
/// </summary>
public class MeasuresDefinitionTests
{
    /// <summary>A constructed referral and where the definition puts it.</summary>
    private sealed record Case(string Id, DateOnly? ReleasedOn, DateOnly? ReleaseDate, bool InDenominator, bool InNumerator);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Engagement21_EachInclusionAndExclusionRule_BothEntryPoints(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var today = app.Today();
        DateTimeOffset At(DateOnly date, int hour = 10, int minute = 0) => LondonTime.AtLondonTime(date, new TimeOnly(hour, minute));
        var cases = new List<Case>();

        await using (var db = await app.DbAsync())
        {
            void Add(string id, DateOnly? releasedOn = null, DateOnly? releaseDate = null, DateTimeOffset? closedAt = null, string? reason = null,
                string? check = null, bool inDenominator = false, bool inNumerator = false)
            {
                Referral(db, id, releasedOn, releaseDate, closedAt, reason);
                if (check is not null) EngagementByWeekTests.EngagementCheck(db, id, check == "open" ? null : check);
                cases.Add(new Case(id, releasedOn, releaseDate, inDenominator, inNumerator));
            }

            var r = today.AddDays(-30);
            // In, engaged: the numerator.
            Add("engaged", releasedOn: r, check: "Engaged", inDenominator: true, inNumerator: true);
            // In, not engaged: the denominator only (an answered NotEngaged, and a check still open after 21 days).
            Add("not-engaged", releasedOn: r, check: "NotEngaged", inDenominator: true);
            Add("check-unanswered", releasedOn: today.AddDays(-25), check: "open", inDenominator: true);
            // In: the planned release date passed with no release recorded (the pathway ran from it).
            Add("release-unrecorded", releaseDate: r, inDenominator: true);
            // Out: closed DeclinedSupport before release (December's case: planned date passed, never released with us).
            Add("declined-before-release", releaseDate: r, closedAt: At(r.AddDays(-5)), reason: "DeclinedSupport");
            // Out: closed the evening before release, London time (a minute before London's midnight).
            Add("ineligible-eve-of-release", releasedOn: r, closedAt: LondonTime.StartOfDay(r).AddMinutes(-1), reason: "Ineligible");
            // In: closed on the release day itself, just after London's midnight: declined at the gate is not engaging.
            Add("declined-on-release-day", releasedOn: r, closedAt: LondonTime.StartOfDay(r).AddMinutes(1), reason: "DeclinedSupport", inDenominator: true);
            // In: declined after release: not engaging.
            Add("declined-after-release", releasedOn: r, closedAt: At(r.AddDays(3)), reason: "DeclinedSupport", inDenominator: true);
            // Out: recalled on day 2, consent withdrawn on day 10, out of area on day 20: not in the community for 21 days.
            Add("recalled-day-2", releasedOn: r, closedAt: At(r.AddDays(2)), reason: "Recalled");
            Add("consent-withdrawn-day-10", releasedOn: r, closedAt: At(r.AddDays(10)), reason: "ConsentWithdrawn");
            Add("out-of-area-day-20", releasedOn: r, closedAt: At(r.AddDays(20), 23, 30), reason: "OutOfArea");
            // In: recalled on day 21, after the engaged check: they had their 21 days.
            Add("recalled-day-21", releasedOn: today.AddDays(-40), closedAt: At(today.AddDays(-19), 0, 30), reason: "Recalled", check: "Engaged", inDenominator: true, inNumerator: true);
            // The window: released exactly 21 days ago is in; 20 days ago without an answered check is out (still has time).
            Add("day-21-today", releasedOn: today.AddDays(-21), inDenominator: true);
            Add("day-20-today", releasedOn: today.AddDays(-20), check: "open");
            // Released 5 days ago: out while the check is unanswered, in once it is answered (either way).
            Add("recent-no-outcome", releasedOn: today.AddDays(-5));
            Add("recent-engaged", releasedOn: today.AddDays(-5), check: "Engaged", inDenominator: true, inNumerator: true);
            Add("recent-not-engaged", releasedOn: today.AddDays(-4), check: "NotEngaged", inDenominator: true);
            // Out: release still to come.
            Add("future", releaseDate: today.AddDays(10));
            await db.SaveChangesAsync();
        }

        const int weeks = 12;
        var from = ReferralQueries.WeekStarting(today).AddDays(-7 * (weeks - 1));
        MeasuresDto measures;
        IReadOnlyList<EngagementWeekDto> series;
        List<string> counted, engaged;
        await using (var db = await app.DbAsync())
        {
            measures = await ReferralQueries.MeasuresAsync(db, app.Service<ControllableTimeProvider>().GetUtcNow(), today, from, today, CancellationToken.None);
            series = await ReferralQueries.EngagementByWeekAsync(db, today, weeks, CancellationToken.None);
            // The rows behind the counts, to name the referral when a rule is wrong.
            counted = await ReferralQueries.InEngagementMeasure(db, today, from, today).Select(x => x.Id).ToListAsync();
            engaged = await ReferralQueries.InEngagementMeasure(db, today, from, today)
                .Where(x => db.Tasks.Any(t => t.SubjectId == x.Id && t.Outcome == "Engaged" && t.Status == TaskStatuses.Completed)).Select(x => x.Id).ToListAsync();
        }

        Assert.Equal(cases.Where(c => c.InDenominator).Select(c => c.Id).Order(), counted.Order());
        Assert.Equal(cases.Where(c => c.InNumerator).Select(c => c.Id).Order(), engaged.Order());
        Assert.Equal((3, 10), (measures.Engagement21.Numerator, measures.Engagement21.Denominator));
        Assert.Equal(0.3, measures.Engagement21.Share);

        // By week: each week holds the cases released in it (Monday to Sunday) that the definition counts.
        Assert.Equal(weeks, series.Count);
        foreach (var week in series)
        {
            var inWeek = cases.Where(c => (c.ReleasedOn ?? c.ReleaseDate) is { } d && d >= week.WeekStarting && d <= week.WeekEnding).ToList();
            Assert.Equal((inWeek.Count(c => c.InNumerator), inWeek.Count(c => c.InDenominator)), (week.Numerator, week.Denominator));
        }
        Assert.Equal(measures.Engagement21.Denominator, series.Sum(w => w.Denominator));
        Assert.Equal(measures.Engagement21.Numerator, series.Sum(w => w.Numerator));

        Assert.Equal(EngagementMeasure.National, measures.Engagement21.National);
    }

    /// <summary>
    /// ClosedAt's London date in SQL equals <see cref="LondonTime.ToLondonDate"/> around midnight in winter (GMT) and
    /// summer (BST) and around both clock changes: 23:30 UTC in July is the next day in London.
    /// </summary>
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task LondonDate_InSql_MatchesLondonTime_AcrossTheClockChanges(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var instants = new List<DateTimeOffset>();
        foreach (var utc in new[]
        {
            "2026-01-15T23:30:00Z", "2026-01-16T00:30:00Z", // GMT: London = UTC
            "2026-07-15T22:59:00Z", "2026-07-15T23:00:00Z", "2026-07-15T23:30:00Z", // BST: 23:00 UTC is London's midnight
            "2026-03-28T23:30:00Z", "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-03-29T23:30:00Z", // spring forward (29 March)
            "2026-10-24T22:59:00Z", "2026-10-24T23:00:00Z", "2026-10-25T00:59:00Z", "2026-10-25T01:00:00Z", "2026-10-25T23:30:00Z", // fall back (25 October)
            "2027-12-31T23:59:59Z", "2028-06-30T23:00:00Z",
        })
            instants.Add(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
        // London offsets too: the converters store UTC, the date must not depend on the offset written.
        instants.Add(new DateTimeOffset(2026, 7, 16, 0, 15, 0, TimeSpan.FromHours(1)));

        await using (var db = await app.DbAsync())
        {
            for (var i = 0; i < instants.Count; i++)
                Referral(db, "i" + i, releasedOn: new DateOnly(2026, 1, 1), releaseDate: null, closedAt: instants[i], reason: "NeedsMet");
            await db.SaveChangesAsync();
        }

        await using (var db = await app.DbAsync())
        {
            var query = db.Referrals.AsNoTracking().Where(r => r.ClosedAt != null).Select(r => new { r.Id, Date = LondonDates.LondonDate(r.ClosedAt!.Value) });
            Assert.Contains(provider == "Sqlite" ? "'unixepoch'" : "Europe/London", query.ToQueryString(), StringComparison.Ordinal); // worked out in SQL
            var dates = (await query.ToListAsync()).ToDictionary(x => x.Id, x => x.Date);
            for (var i = 0; i < instants.Count; i++)
                Assert.True(LondonTime.ToLondonDate(instants[i]) == dates["i" + i], $"{instants[i]:O}: SQL {dates["i" + i]}, London {LondonTime.ToLondonDate(instants[i])}");
            Assert.Equal(new DateOnly(2026, 7, 16), dates["i3"]);
            Assert.Equal(new DateOnly(2026, 1, 15), dates["i0"]);

            // And in a WHERE comparing with a date column, as the measure does.
            var sameDay = await db.Referrals.AsNoTracking()
                .Where(r => r.ClosedAt != null && LondonDates.LondonDate(r.ClosedAt.Value) == new DateOnly(2026, 7, 16)).Select(r => r.Id).ToListAsync();
            Assert.Equal(new[] { "i3", "i4", "i" + (instants.Count - 1) }.Order(), sameDay.Order());
        }
    }

    /// <summary>SQL Server is not run by the tests; its SQL is at least generated (no server needed to print a query).</summary>
    [Fact]
    public void InEngagementMeasure_SqlServer_TranslatesTheLondonDate()
    {
        using var db = new SqlServerReconnectDbContext(new DbContextOptionsBuilder<SqlServerReconnectDbContext>()
            .UseSqlServer("Server=localhost;Database=none;Trusted_Connection=True;TrustServerCertificate=True").Options);
        var today = new DateOnly(2026, 12, 1);
        var sql = ReferralQueries.InEngagementMeasure(db, today, today.AddDays(-90), today).ToQueryString();
        Assert.Contains("AT TIME ZONE 'GMT Standard Time'", sql, StringComparison.Ordinal);
        Assert.Contains("CONVERT(date,", sql, StringComparison.Ordinal);
    }

    private static int _prisonNumbers;

    private static void Referral(ReconnectDbContext db, string id, DateOnly? releasedOn, DateOnly? releaseDate, DateTimeOffset? closedAt, string? reason)
    {
        var at = DateTimeOffset.UtcNow;
        var prisonNumber = $"A{Interlocked.Increment(ref _prisonNumbers) % 10000:0000}BC";
        db.Referrals.Add(new ReferralRecord
        {
            Id = id,
            Reference = "REF-" + id,
            WorkflowInstanceId = "instance-" + id,
            PrisonNumber = prisonNumber,
            OpenPrisonNumber = closedAt is null ? prisonNumber : null,
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
            Stage = closedAt is null ? "PostRelease" : "Closed",
            ClosedAt = closedAt,
            ClosureReason = reason,
            CreatedAt = at,
            UpdatedAt = at,
        });
    }
}
