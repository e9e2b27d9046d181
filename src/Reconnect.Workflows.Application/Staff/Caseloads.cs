using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// One navigator's caseload (<c>GET /api/caseloads</c>): open referrals they are the navigator of, open and overdue
/// tasks assigned to them, the last day of the absence they are on (null: here), and the limit.
/// </summary>
public sealed record CaseloadDto(
    string UserId,
    string Email,
    string? Site,
    int OpenReferrals,
    int OpenTasks,
    int OverdueTasks,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? AbsentUntil,
    int Max);

/// <summary>
/// Caseloads (issue #12, docs/tasks.md): every active navigator by site and e-mail, for managers. Its own grouped
/// counts (three queries, each one GROUP BY on an indexed column), apart from the referral writer's assignment query.
/// </summary>
public sealed class Caseloads(IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, IOptions<ReconnectOptions> options)
{
    public int Max => Math.Max(1, options.Value.Caseload.MaxOpenReferrals);

    public async Task<(IReadOnlyList<CaseloadDto>? Caseloads, string? Forbidden)> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.Allocate)) return (null, "Only managers see the caseloads.");
        var now = clock.GetUtcNow();
        var today = LondonTime.Today(now);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var navigators = await (
            from u in db.Users
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where r.Name == Roles.Navigator && u.DeactivatedAt == null
            select new { u.Id, u.Email, u.Site }).ToListAsync(cancellationToken);
        var ids = navigators.Select(n => n.Id).ToList();
        var referrals = await db.Referrals.Where(r => r.ClosedAt == null && r.NavigatorId != null && ids.Contains(r.NavigatorId))
            .GroupBy(r => r.NavigatorId!).Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Id, x => x.Count, cancellationToken);
        var tasks = await db.Tasks.Where(t => t.Assignee != null && ids.Contains(t.Assignee) && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
            .GroupBy(t => t.Assignee!)
            .Select(g => new { Id = g.Key, Open = g.Count(), Overdue = g.Count(t => t.IsOverdue || (t.DueAt != null && t.DueAt < now)) })
            .ToDictionaryAsync(x => x.Id, cancellationToken);
        var away = await db.StaffAbsences.Where(a => ids.Contains(a.UserId) && a.From <= today && a.To >= today)
            .Select(a => new { a.UserId, a.To }).ToListAsync(cancellationToken);
        var until = away.GroupBy(a => a.UserId).ToDictionary(g => g.Key, g => g.Max(a => a.To), StringComparer.Ordinal);
        var max = Max;
        return ([.. navigators
            .OrderBy(n => n.Site, StringComparer.Ordinal).ThenBy(n => n.Email, StringComparer.OrdinalIgnoreCase)
            .Select(n => new CaseloadDto(n.Id, n.Email ?? "", n.Site, referrals.GetValueOrDefault(n.Id),
                tasks.GetValueOrDefault(n.Id)?.Open ?? 0, tasks.GetValueOrDefault(n.Id)?.Overdue ?? 0,
                until.TryGetValue(n.Id, out var to) ? to : null, max))], null);
    }
}
