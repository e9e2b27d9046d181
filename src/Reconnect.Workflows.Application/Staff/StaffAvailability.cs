using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// Who may be given new work (issue #12): not a deactivated account, and not someone absent on the day (UK date of
/// <c>at</c>, both ends of an absence included). The referral writer's navigator choice uses the same rule inside its
/// own query (<see cref="IsAvailable"/>), in the step's transaction.
/// </summary>
public static class StaffAvailability
{
    public static async Task<List<string>> AvailableAsync(ReconnectDbContext db, List<string> candidates, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0) return candidates;
        var available = db.Users.Where(IsAvailable(db, DayOf(at))).Select(u => u.Id);
        var away = await db.Users.Where(u => candidates.Contains(u.Id) && !available.Contains(u.Id)).Select(u => u.Id).ToListAsync(cancellationToken);
        return away.Count == 0 ? candidates : candidates.Except(away, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The rule as a query predicate, for a query that needs it inside itself (the navigator choice): the account is
    /// active and no absence of theirs covers <paramref name="day"/>.
    /// </summary>
    public static Expression<Func<ApplicationUser, bool>> IsAvailable(ReconnectDbContext db, DateOnly day) =>
        u => u.DeactivatedAt == null && !db.StaffAbsences.Any(a => a.UserId == u.Id && a.From <= day && a.To >= day);

    /// <summary>The UK date absences are read on; without an instant none counts (no absence starts on DateOnly.MinValue).</summary>
    public static DateOnly DayOf(DateTimeOffset? at) => at is { } now ? LondonTime.Today(now) : DateOnly.MinValue;

    /// <summary>
    /// Who gets a new navigator task of a referral whose navigator is <paramref name="navigatorId"/> (docs/tasks.md,
    /// "Absence and cover"): the navigator; while they are absent (UK date of <paramref name="at"/>), their cover when the
    /// cover is available that day, else nobody (the site's queue). Inside the caller's transaction.
    /// </summary>
    public static async Task<string?> RouteAsync(ReconnectDbContext db, string? navigatorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (navigatorId is null) return null;
        var today = LondonTime.Today(at);
        var absence = await db.StaffAbsences.Where(a => a.UserId == navigatorId && a.From <= today && a.To >= today)
            .Select(a => new { a.CoverUserId }).FirstOrDefaultAsync(cancellationToken);
        if (absence is null) return navigatorId;
        if (absence.CoverUserId is not { } cover) return null;
        return (await AvailableAsync(db, [cover], at, cancellationToken)).Count == 1 ? cover : null;
    }
}
