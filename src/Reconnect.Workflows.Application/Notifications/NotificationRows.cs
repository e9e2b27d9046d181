using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Notifications;

/// <summary>
/// Adds notification rows to the caller's context, so they commit (or roll back) with the change that causes them. The
/// text is for its recipient (it may name a colleague); it is never logged.
/// </summary>
internal static class NotificationRows
{
    public const int MaxTextLength = 500;

    public static NotificationRecord Add(ReconnectDbContext db, string userId, string kind, string text, string? link, DateTimeOffset now)
    {
        var row = new NotificationRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            UserId = userId,
            At = now,
            Kind = kind,
            Text = text.Length <= MaxTextLength ? text : text[..(MaxTextLength - 1)] + "…",
            Link = link is { Length: > 300 } ? null : link,
        };
        db.Notifications.Add(row);
        return row;
    }

    /// <summary>The active managers (whom a notification "to the managers" goes to).</summary>
    public static Task<List<string>> ManagersAsync(ReconnectDbContext db, CancellationToken cancellationToken) => (
        from u in db.Users
        join ur in db.UserRoles on u.Id equals ur.UserId
        join r in db.Roles on ur.RoleId equals r.Id
        where u.DeactivatedAt == null && r.Name == Roles.Manager
        select u.Id).Distinct().ToListAsync(cancellationToken);

    /// <summary>The recipients of the notifications <paramref name="db"/> is about to add (read before SaveChanges).</summary>
    public static List<string> Pending(ReconnectDbContext db) =>
        [.. db.ChangeTracker.Entries<NotificationRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.UserId).Distinct(StringComparer.Ordinal)];
}
