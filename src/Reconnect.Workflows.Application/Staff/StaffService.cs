using System.Net.Mail;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// Accounts (issue #12, docs/security.md "Accounts"): admins create, change, deactivate and reactivate them; admins and
/// managers list them; everyone changes their own password. Every change is audited (<c>user-create</c>,
/// <c>user-update</c>, <c>user-deactivate</c>, <c>user-reactivate</c>, <c>password-change</c>) with ids, roles and site only.
/// Scoped: it works through Identity's <see cref="UserManager{TUser}"/> on the request's context, and a change that
/// touches several tables (create with roles, deactivation) is one transaction on that context.
/// </summary>
public sealed class StaffService(
    UserManager<ApplicationUser> users,
    ReconnectDbContext db,
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock,
    IOptions<ReconnectOptions> options,
    TaskNotifications notifications)
{
    public const int MaxEmailLength = 256;
    public const int MaxDisplayNameLength = 200;
    public const int TemporaryPasswordLength = 16;

    // ------------------------------------------------------------------ reading

    /// <summary>Every account, by e-mail (<c>GET /api/users</c>): admins and managers.</summary>
    public async Task<(IReadOnlyList<UserDto>? Users, string? Forbidden)> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.ReadUsers)) return (null, "Only admins and managers see the accounts.");
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.NormalizedEmail).ToListAsync(cancellationToken);
        var roles = await RolesOfAsync(accounts.Select(a => a.Id).ToList(), cancellationToken);
        return (accounts.Select(a => Dto(a, roles.GetValueOrDefault(a.Id) ?? [])).ToList(), null);
    }

    /// <summary>One account, or null.</summary>
    public async Task<UserDto?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        var account = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return account is null ? null : Dto(account, (await RolesOfAsync([id], cancellationToken)).GetValueOrDefault(id) ?? []);
    }

    // ------------------------------------------------------------------ creating and changing

    /// <summary>
    /// A new account (<c>POST /api/users</c>, admins). Without a password one is made, answered once in
    /// <see cref="UserDto.TemporaryPassword"/>, and must be changed at first sign-in.
    /// </summary>
    public async Task<StaffResult> CreateAsync(ClaimsPrincipal user, CreateUserRequest request, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.ManageUsers)) return new StaffResult.Forbidden("Only admins create accounts.");
        return await CreateAsync(request, user, cancellationToken);
    }

    /// <summary>The create itself, for a signed-in admin or the <c>create-admin</c> server command (<paramref name="by"/> is who is audited).</summary>
    internal async Task<StaffResult> CreateAsync(CreateUserRequest request, ClaimsPrincipal by, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var email = Email(request.Email, errors);
        var displayName = DisplayName(request.DisplayName, errors);
        var roles = RoleList(request.Roles, required: true, errors);
        var site = Site(request.Site, errors);
        if (roles is not null && roles.Contains(Roles.Navigator) && site is null && !errors.ContainsKey("site"))
            errors["site"] = ["A navigator needs a site (" + string.Join(", ", SiteCodes) + ")."];
        var temporary = string.IsNullOrEmpty(request.Password);
        var password = temporary ? TemporaryPassword() : request.Password!;
        var account = new ApplicationUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName, Site = site, MustChangePassword = temporary,
        };
        if (!temporary) await PasswordErrorsAsync(account, password, "password", errors);
        if (errors.Count > 0) return new StaffResult.Invalid(errors);
        if (await users.FindByEmailAsync(email!) is not null) return new StaffResult.Conflict("An account with this e-mail already exists.");

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                var created = await users.CreateAsync(account, password);
                if (!created.Succeeded) return Refused(created, "password");
                var added = await users.AddToRolesAsync(account, roles!);
                if (!added.Succeeded) return Refused(added, "roles");
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Lost a race with another create of the same e-mail (the user name's unique index).
                return new StaffResult.Conflict("An account with this e-mail already exists.");
            }
        }
        await AuditAsync(by, AuditActions.UserCreate, account.Id, new JsonObject
        {
            ["roles"] = Array(roles!), ["site"] = site, ["temporaryPassword"] = temporary,
        });
        return new StaffResult.Done(Dto(account, roles!) with { TemporaryPassword = temporary ? password : null });
    }

    /// <summary>
    /// Roles, site, display name (<c>PATCH /api/users/{id}</c>, admins). A change of roles changes the security stamp, so
    /// tokens and cookies carrying the old roles stop working at once. The last active admin keeps the Admin role.
    /// </summary>
    public async Task<StaffResult> UpdateAsync(ClaimsPrincipal user, string id, UpdateUserRequest request, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.ManageUsers)) return new StaffResult.Forbidden("Only admins change accounts.");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var roles = request.Roles is null ? null : RoleList(request.Roles, required: true, errors);
        var clearSite = request.Site is { Length: 0 };
        var site = request.Site is null || clearSite ? null : Site(request.Site, errors);
        var displayName = request.DisplayName is null ? null : DisplayName(request.DisplayName, errors);
        if (errors.Count > 0) return new StaffResult.Invalid(errors);

        var account = await users.FindByIdAsync(id);
        if (account is null) return new StaffResult.NotFound();
        var before = (await users.GetRolesAsync(account)).ToList();
        var after = roles ?? before;
        var newSite = clearSite ? null : site ?? account.Site;
        if (after.Contains(Roles.Navigator) && newSite is null)
            return new StaffResult.Invalid(new Dictionary<string, string[]> { ["site"] = ["A navigator needs a site (" + string.Join(", ", SiteCodes) + ")."] });
        if (before.Contains(Roles.Admin) && !after.Contains(Roles.Admin) && account.DeactivatedAt is null && await ActiveAdminCountAsync(cancellationToken) <= 1)
            return new StaffResult.Conflict("This is the last active admin: make another admin first.");

        var changed = new List<string>();
        var rolesChanged = !before.Order(StringComparer.Ordinal).SequenceEqual(after.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        if (rolesChanged) changed.Add("roles");
        if (!string.Equals(newSite, account.Site, StringComparison.Ordinal)) changed.Add("site");
        if (displayName is not null && !string.Equals(displayName, account.DisplayName, StringComparison.Ordinal)) changed.Add("displayName");
        if (changed.Count == 0) return new StaffResult.Done(Dto(account, before));

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            account.Site = newSite;
            if (displayName is not null) account.DisplayName = displayName;
            if (rolesChanged)
            {
                var removed = await users.RemoveFromRolesAsync(account, before.Except(after, StringComparer.Ordinal));
                if (!removed.Succeeded) return Refused(removed, "roles");
                var added = await users.AddToRolesAsync(account, after.Except(before, StringComparer.Ordinal));
                if (!added.Succeeded) return Refused(added, "roles");
                await users.UpdateSecurityStampAsync(account); // saves the account too
            }
            else
            {
                var updated = await users.UpdateAsync(account);
                if (!updated.Succeeded) return Refused(updated, "body");
            }
            await transaction.CommitAsync(cancellationToken);
        }
        await AuditAsync(user, AuditActions.UserUpdate, account.Id, new JsonObject
        {
            ["changed"] = Array(changed), ["roles"] = Array(after), ["site"] = newSite,
        });
        return new StaffResult.Done(Dto(account, after));
    }

    /// <summary>
    /// Deactivates an account (<c>POST /api/users/{id}/deactivate</c>, admins), in one transaction: it can no longer sign
    /// in and its security stamp changes (its tokens and cookies stop working at once, docs/security.md); its open tasks
    /// go back to their queue (a navigator task to its site's, a manager task to the managers'); its open referrals lose
    /// their navigator (new tasks wait in the site's queue) and each gets one manager task "Allocate navigator". Again on
    /// an inactive account changes nothing. Nobody deactivates themself or the last active admin.
    /// </summary>
    public async Task<StaffResult> DeactivateAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.ManageUsers)) return new StaffResult.Forbidden("Only admins deactivate accounts.");
        var account = await users.FindByIdAsync(id);
        if (account is null) return new StaffResult.NotFound();
        var roles = (await users.GetRolesAsync(account)).ToList();
        if (account.DeactivatedAt is not null) return new StaffResult.Deactivated(new DeactivationDto(Dto(account, roles), 0, 0));
        if (account.Id == user.FindFirstValue(ClaimTypes.NameIdentifier)) return new StaffResult.Conflict("You cannot deactivate your own account.");
        if (roles.Contains(Roles.Admin) && await ActiveAdminCountAsync(cancellationToken) <= 1)
            return new StaffResult.Conflict("This is the last active admin: make another admin first.");

        var now = clock.GetUtcNow();
        StaffWork.Moved moved;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            account.DeactivatedAt = now;
            var stamped = await users.UpdateSecurityStampAsync(account); // saves DeactivatedAt with the new stamp
            if (!stamped.Succeeded) return Refused(stamped, "body");
            moved = await StaffWork.ReleaseWorkOfAsync(db, account.Id, now, user.FindFirstValue(ClaimTypes.NameIdentifier), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        notifications.TasksCommitted(moved.Tasks);
        await AuditAsync(user, AuditActions.UserDeactivate, account.Id, new JsonObject
        {
            ["tasksReturned"] = moved.TasksReturned, ["referralsToAllocate"] = moved.ReferralsToAllocate,
        });
        return new StaffResult.Deactivated(new DeactivationDto(Dto(account, roles), moved.TasksReturned, moved.ReferralsToAllocate));
    }

    /// <summary>Lets a deactivated account sign in again (<c>POST /api/users/{id}/reactivate</c>, admins); its work stays where it went.</summary>
    public async Task<StaffResult> ReactivateAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        if (!RoleSets.Has(user, RoleSets.ManageUsers)) return new StaffResult.Forbidden("Only admins reactivate accounts.");
        var account = await users.FindByIdAsync(id);
        if (account is null) return new StaffResult.NotFound();
        var roles = (await users.GetRolesAsync(account)).ToList();
        if (account.DeactivatedAt is null) return new StaffResult.Done(Dto(account, roles));
        account.DeactivatedAt = null;
        var updated = await users.UpdateAsync(account);
        if (!updated.Succeeded) return Refused(updated, "body");
        await AuditAsync(user, AuditActions.UserReactivate, account.Id, null);
        return new StaffResult.Done(Dto(account, roles));
    }

    /// <summary>
    /// The caller's own password (<c>POST /api/auth/change-password</c>): the current one, and a new one that meets the
    /// policy and differs. Clears "must change"; the security stamp changes, so the caller's other tokens and cookies stop
    /// working (this request's cookie is renewed by the endpoint; a bearer client signs in again).
    /// </summary>
    public async Task<StaffResult> ChangePasswordAsync(ClaimsPrincipal user, ChangePasswordRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.CurrentPassword)) errors["currentPassword"] = ["is required"];
        else if (request.CurrentPassword.Length > 1000) errors["currentPassword"] = ["is longer than 1000 characters"];
        if (string.IsNullOrEmpty(request.NewPassword)) errors["newPassword"] = ["is required"];
        else if (request.NewPassword == request.CurrentPassword) errors["newPassword"] = ["must differ from the current password"];
        if (errors.Count > 0) return new StaffResult.Invalid(errors);
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var account = id is null ? null : await users.FindByIdAsync(id);
        if (account is null || account.DeactivatedAt is not null) return new StaffResult.Forbidden("Sign in first.");
        await PasswordErrorsAsync(account, request.NewPassword!, "newPassword", errors);
        if (errors.Count > 0) return new StaffResult.Invalid(errors);
        if (!await users.CheckPasswordAsync(account, request.CurrentPassword!))
            return new StaffResult.Invalid(new Dictionary<string, string[]> { ["currentPassword"] = ["is not your current password"] });
        var changed = await users.ChangePasswordAsync(account, request.CurrentPassword!, request.NewPassword!);
        if (!changed.Succeeded) return Refused(changed, "newPassword");
        if (account.MustChangePassword)
        {
            account.MustChangePassword = false;
            await users.UpdateAsync(account);
        }
        await AuditAsync(user, AuditActions.PasswordChange, account.Id, null);
        return new StaffResult.Done(Dto(account, (await users.GetRolesAsync(account)).ToList()));
    }

    // ------------------------------------------------------------------ the first admin (server command)

    /// <summary>
    /// The first admin of a database with no active admin (the <c>create-admin</c> server command, docs/security.md):
    /// refused once an active admin exists, so the command cannot be used to add a second one behind the admins' backs.
    /// </summary>
    public async Task<StaffResult> CreateFirstAdminAsync(string? email, string? displayName, string password, CancellationToken cancellationToken = default)
    {
        if (await ActiveAdminCountAsync(cancellationToken) > 0)
            return new StaffResult.Conflict("An active admin exists already: admins add accounts with POST /api/users.");
        if (string.IsNullOrEmpty(password))
            return new StaffResult.Invalid(new Dictionary<string, string[]> { ["password"] = ["is required (there is no default password)"] });
        var command = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "create-admin command")], "command"));
        return await CreateAsync(new CreateUserRequest(email, displayName ?? "Administrator", [Roles.Admin], null, password), command, cancellationToken);
    }

    // ------------------------------------------------------------------ helpers

    public IReadOnlyList<string> SiteCodes => options.Value.Sites.Select(s => s.Code).ToList();

    private async Task<int> ActiveAdminCountAsync(CancellationToken cancellationToken) =>
        await (from u in db.Users
               join ur in db.UserRoles on u.Id equals ur.UserId
               join r in db.Roles on ur.RoleId equals r.Id
               where r.Name == Roles.Admin && u.DeactivatedAt == null
               select u.Id).CountAsync(cancellationToken);

    private async Task<Dictionary<string, List<string>>> RolesOfAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var pairs = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ids.Contains(ur.UserId)
                           select new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        return pairs.GroupBy(p => p.UserId).ToDictionary(g => g.Key, g => g.Select(p => p.Name!).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    private static UserDto Dto(ApplicationUser a, IEnumerable<string> roles) =>
        new(a.Id, a.Email ?? "", a.DisplayName, roles.Order(StringComparer.Ordinal).ToList(), a.Site, a.DeactivatedAt is null, a.MustChangePassword);

    private Task AuditAsync(ClaimsPrincipal user, string action, string userId, JsonObject? detail) =>
        AuditTrail.WriteAsync(contexts, user, clock, action, AuditTrail.User, userId, detail);

    private static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);

    private static StaffResult.Invalid Refused(IdentityResult result, string field) =>
        new(new Dictionary<string, string[]> { [field] = result.Errors.Select(e => e.Description).ToArray() });

    private async Task PasswordErrorsAsync(ApplicationUser account, string password, string field, Dictionary<string, string[]> errors)
    {
        if (password.Length > 1000) { errors[field] = ["is longer than 1000 characters"]; return; }
        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, account, password);
            problems.AddRange(result.Errors.Select(e => e.Description));
        }
        if (problems.Count > 0) errors[field] = [.. problems];
    }

    private static string? Email(string? email, Dictionary<string, string[]> errors)
    {
        var text = email?.Trim();
        if (string.IsNullOrEmpty(text)) { errors["email"] = ["is required"]; return null; }
        if (text.Length > MaxEmailLength) { errors["email"] = [$"is longer than {MaxEmailLength} characters"]; return null; }
        if (text.Any(char.IsControl) || text.Any(char.IsWhiteSpace) || !MailAddress.TryCreate(text, out var address) || address.Address != text || address.DisplayName.Length > 0)
        {
            errors["email"] = ["is not an e-mail address"];
            return null;
        }
        return text;
    }

    private static string? DisplayName(string? name, Dictionary<string, string[]> errors)
    {
        var text = name?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length > MaxDisplayNameLength) { errors["displayName"] = [$"is longer than {MaxDisplayNameLength} characters"]; return null; }
        if (text.Any(char.IsControl) || text.Any(char.IsSurrogate) && !IsWellFormed(text)) { errors["displayName"] = ["has control characters or broken text"]; return null; }
        return text;
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(text[i])) return false;
        }
        return true;
    }

    private static List<string>? RoleList(IReadOnlyList<string?>? roles, bool required, Dictionary<string, string[]> errors)
    {
        if (roles is null || roles.Count == 0)
        {
            if (required) errors["roles"] = ["at least one role is required (" + string.Join(", ", Roles.All) + ")"];
            return null;
        }
        if (roles.Count > Roles.All.Count * 2) { errors["roles"] = ["has too many entries"]; return null; }
        var list = new List<string>();
        for (var i = 0; i < roles.Count; i++)
        {
            var known = Roles.All.FirstOrDefault(r => string.Equals(r, roles[i]?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null) errors[$"roles[{i}]"] = ["is not a role (" + string.Join(", ", Roles.All) + ")"];
            else if (!list.Contains(known)) list.Add(known);
        }
        return errors.Keys.Any(k => k.StartsWith("roles", StringComparison.Ordinal)) ? null : list;
    }

    private string? Site(string? site, Dictionary<string, string[]> errors)
    {
        if (site is null) return null;
        var known = SiteCodes.FirstOrDefault(s => string.Equals(s, site.Trim(), StringComparison.OrdinalIgnoreCase));
        if (known is null) errors["site"] = ["is not a site (" + string.Join(", ", SiteCodes) + ")"];
        return known;
    }

    /// <summary>16 characters of upper and lower case letters and digits (at least one each), unambiguous (no 0/O, 1/l/I).</summary>
    internal static string TemporaryPassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789";
        while (true)
        {
            var chars = RandomNumberGenerator.GetItems<char>(upper + lower + digits, TemporaryPasswordLength);
            if (chars.Any(upper.Contains) && chars.Any(lower.Contains) && chars.Any(digits.Contains)) return new string(chars);
        }
    }
}
