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
}
