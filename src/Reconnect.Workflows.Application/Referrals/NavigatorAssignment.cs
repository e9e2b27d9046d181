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
    /// <summary>Open referrals of each of these navigators (absent: none), as committed or written earlier in this transaction.</summary>
    public static async Task<Dictionary<string, int>> OpenCaseloadsAsync(ReconnectDbContext db, IReadOnlyCollection<string> navigatorIds, CancellationToken cancellationToken) =>
        await db.Referrals
            .Where(r => r.NavigatorId != null && navigatorIds.Contains(r.NavigatorId) && r.ClosedAt == null)
            .GroupBy(r => r.NavigatorId!)
            .Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Id, x => x.Count, StringComparer.Ordinal, cancellationToken);

    /// <summary>The navigators of a site (users in the Navigator role whose account names the site), by account id.</summary>
    public static async Task<List<string>> NavigatorsAtAsync(ReconnectDbContext db, string site, CancellationToken cancellationToken)
    {
        var ids = await (
            from user in db.Users
            join userRole in db.UserRoles on user.Id equals userRole.UserId
            join role in db.Roles on userRole.RoleId equals role.Id
            where role.Name == Roles.Navigator && user.Site == site
            select user.Id).ToListAsync(cancellationToken);
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>The navigator at <paramref name="site"/> with the fewest open referrals (ties: the smallest id), or null.</summary>
    public static async Task<string?> LeastLoadedNavigatorAsync(ReconnectDbContext db, string site, CancellationToken cancellationToken)
    {
        var navigators = await NavigatorsAtAsync(db, site, cancellationToken);
        if (navigators.Count == 0) return null;
        var load = await OpenCaseloadsAsync(db, navigators, cancellationToken);
        string? best = null;
        var fewest = int.MaxValue;
        foreach (var id in navigators)
        {
            var open = load.GetValueOrDefault(id);
            if (open < fewest) (best, fewest) = (id, open);
        }
        return best;
    }
}
