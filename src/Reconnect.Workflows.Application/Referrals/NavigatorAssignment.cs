using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>
/// Who takes a referral at a site: the navigator with the fewest open referrals (ties: the smallest account id), or no
/// one when the site has no navigator (the referral's tasks wait in the site's queue). The caseload is counted in
/// referrals, not tasks — a person with five open tasks is one case. The count reads the index
/// <c>(NavigatorId, ClosedAt)</c> of each navigator of the site only, so its cost does not grow with the number of
/// referrals in the service (docs/decisions.md).
/// </summary>
public static class NavigatorAssignment
{
    /// <summary>
    /// The navigator at <paramref name="site"/> with the fewest open referrals (ties: the smallest id, compared ordinally
    /// here rather than by the database's collation), or null. One query: each navigator of the site with their count and
    /// whether they can take work that day.
    /// Deactivated navigators, those absent on the day of <paramref name="at"/> (Staff/StaffAvailability) and, with
    /// <paramref name="maxOpenReferrals"/>, those already carrying that many are passed over.
    /// </summary>
    public static async Task<string?> LeastLoadedNavigatorAsync(ReconnectDbContext db, string site, CancellationToken cancellationToken,
        DateTimeOffset? at = null, int? maxOpenReferrals = null) =>
        (await ChooseAsync(db, site, at, maxOpenReferrals, cancellationToken)).NavigatorId;

    /// <summary>The choice, and how many navigator accounts the site has (none: the site is unstaffed, not full).</summary>
    public static async Task<NavigatorChoice> ChooseAsync(ReconnectDbContext db, string site, DateTimeOffset? at, int? maxOpenReferrals, CancellationToken cancellationToken)
    {
        var available = Staff.StaffAvailability.IsAvailable(db, Staff.StaffAvailability.DayOf(at));
        var caseloads = await (
            from user in db.Users
            join userRole in db.UserRoles on user.Id equals userRole.UserId
            join role in db.Roles on userRole.RoleId equals role.Id
            where role.Name == Roles.Navigator && user.Site == site
            select new
            {
                user.Id,
                Open = db.Referrals.Count(r => r.NavigatorId == user.Id && r.ClosedAt == null),
                // Staff/StaffAvailability's rule, in the same query: active, and not away that day.
                Available = db.Users.Where(available).Any(u => u.Id == user.Id),
            }).ToListAsync(cancellationToken);
        string? best = null;
        var fewest = int.MaxValue;
        foreach (var navigator in caseloads.Where(c => c.Available && (maxOpenReferrals is not { } max || c.Open < max)))
        {
            if (navigator.Open < fewest || (navigator.Open == fewest && string.CompareOrdinal(navigator.Id, best) < 0))
                (best, fewest) = (navigator.Id, navigator.Open);
        }
        return new NavigatorChoice(best, caseloads.Count);
    }
}

/// <summary>Who takes a referral (null: nobody can now) and how many navigator accounts the site has.</summary>
public sealed record NavigatorChoice(string? NavigatorId, int SiteNavigators);
