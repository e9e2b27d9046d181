using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// Who may be given new work (issue #12): not a deactivated account, and not someone absent on the day (UK date of
/// <c>at</c>, both ends of an absence included). The referral writer's assignment runs its candidates through this
/// filter, inside the step's transaction.
/// </summary>
public static class StaffAvailability
{
    public static async Task<List<string>> AvailableAsync(ReconnectDbContext db, List<string> candidates, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0) return candidates;
        var away = await db.Users.Where(u => candidates.Contains(u.Id) && u.DeactivatedAt != null).Select(u => u.Id).ToListAsync(cancellationToken);
        if (at is { } now)
        {
            var today = LondonTime.Today(now);
            away.AddRange(await db.StaffAbsences.Where(a => candidates.Contains(a.UserId) && a.From <= today && a.To >= today)
                .Select(a => a.UserId).ToListAsync(cancellationToken));
        }
        return away.Count == 0 ? candidates : candidates.Except(away, StringComparer.Ordinal).ToList();
    }

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
