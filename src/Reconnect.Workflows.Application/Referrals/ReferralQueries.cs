using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Eligibility;
using Reconnect.Workflows.Application.Access;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>What a caller may see of referrals (SPEC §8): managers and admins everything, a navigator their site's, a referrer the status of their own.</summary>
public enum ReferralScope
{
    None,
    All,
    Site,
    Own,
}

/// <summary>The signed-in caller as the referral API needs them: id, name, scope and (navigators) site.</summary>
public sealed record ReferralCaller(string? UserId, string? UserName, ReferralScope Scope, string? Site)
{
    /// <summary>Managers and admins see everything; then navigators (their site, read from the account); then referrers (their own).</summary>
    public static async Task<ReferralCaller> FromAsync(ClaimsPrincipal user, ReconnectDbContext db, CancellationToken cancellationToken)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var name = user.Identity?.Name;
        if (user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Admin)) return new(id, name, ReferralScope.All, null);
        if (user.IsInRole(Roles.Navigator))
        {
            var site = id is null ? null : await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.Site).FirstOrDefaultAsync(cancellationToken);
            return new(id, name, ReferralScope.Site, site);
        }
        if (user.IsInRole(Roles.Referrer)) return new(id, name, ReferralScope.Own, null);
        return new(id, name, ReferralScope.None, null);
    }

    /// <summary>The referrals this caller may see at all (staff: whole rows; a referrer: status only).</summary>
    public IQueryable<ReferralRecord> Visible(IQueryable<ReferralRecord> referrals) => Scope switch
    {
        ReferralScope.All => referrals,
        // A navigator without a site sees nothing rather than everything.
        ReferralScope.Site => Site is null ? referrals.Where(_ => false) : referrals.Where(r => r.Site == Site),
        ReferralScope.Own => UserId is null ? referrals.Where(_ => false) : referrals.Where(r => r.CreatedBy == UserId),
        _ => referrals.Where(_ => false),
    };
}

/// <summary>The referral API's reads: projections and aggregates in SQL, never every row.</summary>
public static class ReferralQueries
{
    public const string EngagementTag = "engagement-21";
    public const string EngagedOutcome = "Engaged";

    /// <summary>How the tag appears in a task's DataJson (compact JSON written by the referral task activities).</summary>
    private const string EngagementTagJson = "\"tag\":\"" + EngagementTag + "\"";

    public static WindowDto? Window(DateOnly? releaseDate) =>
        releaseDate is { } release && ReferralWindow.For(release) is var w ? new WindowDto(w.Opens, w.Closes) : null;

    public static async Task<ReferralDetailDto> DetailAsync(ReconnectDbContext db, ReferralRecord r, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var history = await db.ReferralHistory.AsNoTracking()
            .Where(h => h.ReferralId == r.Id).OrderBy(h => h.Id)
            .Select(h => new HistoryDto(h.At, h.Kind, h.Summary, h.By))
            .ToListAsync(cancellationToken);
        var tasks = await OpenTasksAsync(db, r.Id, now, cancellationToken);
        var timers = await db.Bookmarks.AsNoTracking()
            .Where(b => b.InstanceId == r.WorkflowInstanceId && b.DueAt != null)
            .Select(b => new { b.ActivityId, b.DueAt })
            .ToListAsync(cancellationToken);
        NavigatorDto? navigator = null;
        if (r.NavigatorId is { } navigatorId)
        {
            var name = await db.Users.AsNoTracking().Where(u => u.Id == navigatorId).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
            navigator = new NavigatorDto(navigatorId, name);
        }
        // Consent is recorded by name when a person typed one, else by the referral's maker (an account id): name them.
        var consentBy = r.ConsentRecordedBy is { } by
            ? await db.Users.AsNoTracking().Where(u => u.Id == by).Select(u => u.DisplayName ?? u.UserName).FirstOrDefaultAsync(cancellationToken)
            : null;
        return new ReferralDetailDto(
            r.Id, r.Reference, r.WorkflowInstanceId, r.Stage, r.Site, r.ReleaseDate, Window(r.ReleaseDate), r.ClosureReason, r.ClosedAt, r.ReleasedOn,
            new PersonDto(r.GivenName, r.FamilyName, r.DateOfBirth, r.PrisonNumber, r.NhsNumber),
            JsonSerializer.Deserialize<List<string>>(r.HealthNeedsJson) ?? [],
            r.ReleaseType, r.ReferralSource, r.ReferralDate,
            new ConsentDto(r.ConsentGiven, r.ConsentRecordedBy, r.ConsentRecordedAt) { RecordedByName = consentBy },
            r.Notes, navigator, r.CreatedAt, history, tasks,
            timers.OrderBy(t => t.DueAt).Select(t => new TimerDto(t.ActivityId, t.DueAt!.Value)).ToList())
        {
            NextSteps = await CaseStory.NextStepsAsync(db, r, tasks, cancellationToken),
            Story = await CaseStory.HistoryAsync(db, r, cancellationToken),
        };
    }

    public static async Task<ReferralStatusDto> StatusAsync(ReconnectDbContext db, ReferralRecord r, CancellationToken cancellationToken)
    {
        // Kinds and times only: summaries and detail can name sites, dates and people.
        var history = await db.ReferralHistory.AsNoTracking()
            .Where(h => h.ReferralId == r.Id).OrderBy(h => h.Id)
            .Select(h => new HistoryDto(h.At, h.Kind, null, null))
            .ToListAsync(cancellationToken);
        return new ReferralStatusDto(r.Id, r.Reference, r.Stage, Window(r.ReleaseDate), r.ClosureReason, r.ReferralDate, r.CreatedAt, history);
    }

    public static async Task<List<TaskDto>> OpenTasksAsync(ReconnectDbContext db, string referralId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await db.Tasks.AsNoTracking()
            .Where(t => t.SubjectId == referralId && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
            .Select(t => new { t.Id, t.Title, t.SubjectId, t.Site, t.Assignee, t.Status, t.DueAt, t.OutcomesJson, t.CreatedAt })
            .ToListAsync(cancellationToken);
        return rows.OrderBy(t => t.DueAt ?? DateTimeOffset.MaxValue).ThenBy(t => t.CreatedAt)
            .Select(t => new TaskDto(t.Id, t.Title, t.SubjectId, t.Site, t.Assignee, t.Status,
                t.DueAt is { } due ? LondonTime.ToLondonDate(due) : null,
                t.DueAt is { } d && d < now,
                JsonSerializer.Deserialize<List<string>>(t.OutcomesJson) ?? []))
            .ToList();
    }

    /// <summary>The service's measures: counts grouped in SQL.</summary>
    public static async Task<MeasuresDto> MeasuresAsync(ReconnectDbContext db, DateTimeOffset now, DateOnly today, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var open = await db.Referrals.AsNoTracking()
            .Where(r => r.ClosedAt == null)
            .GroupBy(r => new { r.Site, r.Stage })
            .Select(g => new { g.Key.Site, g.Key.Stage, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var openList = open.OrderBy(x => x.Site, StringComparer.Ordinal).ThenBy(x => x.Stage, StringComparer.Ordinal)
            .Select(x => new SiteStageCount(x.Site, x.Stage, x.Count)).ToList();

        var overdue = await db.Tasks.AsNoTracking()
            .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && t.DueAt != null && t.DueAt < now)
            .GroupBy(t => t.Site)
            .Select(g => new { Site = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var overdueList = overdue.OrderBy(x => x.Site ?? "", StringComparer.Ordinal).Select(x => new SiteCount(x.Site, x.Count)).ToList();

        var counted = InEngagementMeasure(db, today, from, to);
        var denominator = await counted.CountAsync(cancellationToken);
        var numerator = await counted.CountAsync(EngagedWithin21Days(db), cancellationToken);

        return new MeasuresDto(now, open.Sum(x => x.Count), openList,
            new OverdueTasksDto(overdue.Sum(x => x.Count), overdueList),
            new EngagementMeasureDto(from, to, numerator, denominator, denominator == 0 ? null : Math.Round((double)numerator / denominator, 4),
                EngagementMeasure.National));
    }

    /// <summary>
    /// The denominator of the 21-day measure (docs/referrals.md, "The 21-day measure"), one SQL predicate for
    /// <see cref="MeasuresAsync"/> and <see cref="EngagementByWeekAsync"/>. The release date is <c>ReleasedOn</c>, or the
    /// planned <c>ReleaseDate</c> once passed with no release recorded (the pathway runs from it; an unrecorded release
    /// must not drop out of the figure). A referral counts when released in [from, to] and
    /// <list type="bullet">
    /// <item>open on its release date: closed before it (declined, ineligible, …) it was never ours to engage after release;</item>
    /// <item>its 21 days are over (release + 21 ≤ today), or its 21-day check is already answered: otherwise the current
    /// weeks would read low with people who still have time, and counting only early successes would flatter them;</item>
    /// <item>not closed recalled, consent withdrawn or out of area before release + 21: not in our community for the 21 days.</item>
    /// </list>
    /// Closure dates are <c>ClosedAt</c>'s London date, worked out in SQL (<see cref="LondonDates"/>).
    /// </summary>
    internal static IQueryable<ReferralRecord> InEngagementMeasure(ReconnectDbContext db, DateOnly today, DateOnly from, DateOnly to)
    {
        var windowOverBy = today.AddDays(-EngagementMeasure.Days);
        return db.Referrals.AsNoTracking().Where(r =>
            // Released in the period.
            ((r.ReleasedOn != null && r.ReleasedOn >= from && r.ReleasedOn <= to)
             || (r.ReleasedOn == null && r.ReleaseDate != null && r.ReleaseDate <= today && r.ReleaseDate >= from && r.ReleaseDate <= to))
            // Open on the release date.
            && (r.ClosedAt == null || LondonDates.LondonDate(r.ClosedAt.Value) >= (r.ReleasedOn ?? r.ReleaseDate))
            // The 21 days are over, or the check is answered (any outcome).
            && ((r.ReleasedOn ?? r.ReleaseDate) <= windowOverBy
                || db.Tasks.Any(t => t.SubjectId == r.Id && t.Status == TaskStatuses.Completed && t.DataJson != null && t.DataJson.Contains(EngagementTagJson)))
            // In the community for the 21 days.
            && (r.ClosedAt == null
                || (r.ClosureReason != EngagementMeasure.Recalled && r.ClosureReason != EngagementMeasure.ConsentWithdrawn && r.ClosureReason != EngagementMeasure.OutOfArea)
                || LondonDates.LondonDate(r.ClosedAt.Value) >= (r.ReleasedOn ?? r.ReleaseDate)!.Value.AddDays(EngagementMeasure.Days)));
    }

    /// <summary>The numerator: a task tagged <c>engagement-21</c> completed as <c>Engaged</c>.</summary>
    private static System.Linq.Expressions.Expression<Func<ReferralRecord, bool>> EngagedWithin21Days(ReconnectDbContext db) =>
        r => db.Tasks.Any(t =>
            t.SubjectId == r.Id && t.Status == TaskStatuses.Completed && t.Outcome == EngagedOutcome
            && t.DataJson != null && t.DataJson.Contains(EngagementTagJson));

    /// <summary>The Monday (London date) that starts the week of <paramref name="date"/>.</summary>
    public static DateOnly WeekStarting(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    /// <summary>
    /// The 21-day engagement measure by week of release (Monday to Sunday, London dates) for the <paramref name="weeks"/>
    /// weeks up to and including the one holding <paramref name="today"/> (which ends today): the same denominator and
    /// numerator as <see cref="MeasuresAsync"/>, counted per release date in SQL (two grouped queries) and summed into weeks.
    /// Every week is present, with zero where nobody counts (yet).
    /// </summary>
    public static async Task<IReadOnlyList<EngagementWeekDto>> EngagementByWeekAsync(ReconnectDbContext db, DateOnly today, int weeks, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weeks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weeks, 104);
        var first = WeekStarting(today).AddDays(-7 * (weeks - 1));
        var counted = InEngagementMeasure(db, today, first, today);
        var denominators = await counted
            .GroupBy(r => r.ReleasedOn ?? r.ReleaseDate)
            .Select(g => new { Date = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var numerators = await counted.Where(EngagedWithin21Days(db))
            .GroupBy(r => r.ReleasedOn ?? r.ReleaseDate)
            .Select(g => new { Date = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var series = new List<EngagementWeekDto>(weeks);
        for (var i = 0; i < weeks; i++)
        {
            var start = first.AddDays(7 * i);
            var end = start.AddDays(6) < today ? start.AddDays(6) : today;
            var denominator = denominators.Where(d => d.Date >= start && d.Date <= end).Sum(d => d.Count);
            var numerator = numerators.Where(d => d.Date >= start && d.Date <= end).Sum(d => d.Count);
            series.Add(new EngagementWeekDto(start, end, numerator, denominator, denominator == 0 ? null : Math.Round((double)numerator / denominator, 4)));
        }
        return series;
    }
}
