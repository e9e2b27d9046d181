using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>What a signed-in request's account is now: its security stamp, whether it is active and must change its password.</summary>
public sealed record AccountState(string? SecurityStamp, bool Active, bool MustChangePassword);

/// <summary>
/// Read on every signed-in request (the host's account check, docs/security.md), so that a deactivation, a change of
/// roles or a password change stops the account's tokens and cookies at once, on every node: one primary-key read.
/// </summary>
public sealed class AccountGate(IDbContextFactory<ReconnectDbContext> contexts)
{
    public async Task<AccountState?> StateAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new AccountState(u.SecurityStamp, u.DeactivatedAt == null, u.MustChangePassword))
            .FirstOrDefaultAsync(cancellationToken);
    }
}
