using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Notifications;

public abstract record NotificationReadResult
{
    public sealed record Done(NotificationDto Notification) : NotificationReadResult;
    /// <summary>None with that id for the caller (someone else's is the same answer: their ids are not confirmed).</summary>
    public sealed record NotFound : NotificationReadResult;
}

/// <summary>
/// A person's in-app notifications (issue #12, docs/security.md "Notifications"): their own only, newest first; marking
/// one read is theirs only. Reading is not audited (the rows are the person's own messages, not case records).
/// </summary>
public sealed class NotificationService(IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, NotificationNews news)
{
    public const int ListSize = 50;

    /// <summary>The caller's newest notifications (at most <see cref="ListSize"/>).</summary>
    public async Task<IReadOnlyList<NotificationDto>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (Me(user) is not { } me) return [];
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Notifications.AsNoTracking().Where(n => n.UserId == me)
            .OrderByDescending(n => n.At).ThenByDescending(n => n.Id).Take(ListSize).ToListAsync(cancellationToken);
        return [.. rows.Select(n => new NotificationDto(n.Id, n.At, n.Kind, n.Text, n.Link, n.ReadAt is not null))];
    }

    /// <summary>How many of the caller's notifications are unread (the bell's badge).</summary>
    public async Task<int> UnreadCountAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (Me(user) is not { } me) return 0;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Notifications.CountAsync(n => n.UserId == me && n.ReadAt == null, cancellationToken);
    }

    /// <summary>Marks one of the caller's notifications read (again: no change).</summary>
    public async Task<NotificationReadResult> MarkReadAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        if (Me(user) is not { } me || id.Length > 64) return new NotificationReadResult.NotFound();
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var changed = await db.Notifications.Where(n => n.Id == id && n.UserId == me && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        var row = await db.Notifications.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id && n.UserId == me, cancellationToken);
        if (row is null) return new NotificationReadResult.NotFound();
        if (changed == 1) news.Published([me]);
        return new NotificationReadResult.Done(new NotificationDto(row.Id, row.At, row.Kind, row.Text, row.Link, true));
    }

    /// <summary>Marks all the caller's notifications read; returns how many changed.</summary>
    public async Task<int> MarkAllReadAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (Me(user) is not { } me) return 0;
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var changed = await db.Notifications.Where(n => n.UserId == me && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        if (changed > 0) news.Published([me]);
        return changed;
    }

    private static string? Me(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);
}
