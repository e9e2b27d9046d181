using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// Who the organisation's identity provider says signed in: its login provider (the host's scheme name), the stable
/// subject (<c>sub</c>), and the <c>email</c> and <c>email_verified</c> claims as sent (null when not sent).
/// </summary>
public sealed record ExternalIdentity(string Provider, string Subject, string? Email, bool? EmailVerified);

/// <summary>Why an organisation sign-in was refused (also the audit row's <c>reason</c> and the login page's error code).</summary>
public static class SignInRefusals
{
    public const string NoEmail = "no-email";
    public const string EmailNotVerified = "email-not-verified";
    public const string NoAccount = "no-account";
    public const string Deactivated = "deactivated";
    /// <summary>The e-mail's account is already linked to another identity of the same provider.</summary>
    public const string LinkedToAnother = "linked-to-another";
}

public abstract record OrganisationSignInResult
{
    /// <summary>Sign this account in; <paramref name="Linked"/>: this sign-in linked the identity to it (its first).</summary>
    public sealed record Matched(ApplicationUser Account, bool Linked) : OrganisationSignInResult;

    public sealed record Refused(string Reason) : OrganisationSignInResult;
}

/// <summary>
/// Sign-in through the organisation's identity provider (OpenID Connect; docs/security.md): an identity already linked
/// to an account (AspNetUserLogins, provider key = <c>sub</c>) signs in as it; otherwise the first sign-in is matched by
/// e-mail (normalised as Identity does, so case-insensitive) to an account an admin created and linked to it. No account,
/// no access: nobody is created here. A deactivated account, an e-mail the provider says is not verified, and an
/// account already linked to another identity of the provider are refused. Every sign-in, link and refusal is audited
/// (<c>sign-in</c>, <c>login-link</c>, <c>sign-in-refused</c>) with the account id and the provider only; a refusal has no
/// account and carries the reason, never the e-mail.
/// </summary>
public sealed class OrganisationSignIn(
    UserManager<ApplicationUser> users,
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock)
{
    /// <param name="requireVerifiedEmail">Refuse a first sign-in whose provider sends <c>email_verified: false</c> (a provider that does not send it is trusted).</param>
    public async Task<OrganisationSignInResult> MatchAsync(ExternalIdentity identity, bool requireVerifiedEmail, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity.Provider);
        ArgumentException.ThrowIfNullOrEmpty(identity.Subject);

        // Later sign-ins: by the subject, whatever the e-mail has become.
        var linked = await users.FindByLoginAsync(identity.Provider, identity.Subject);
        if (linked is not null)
        {
            if (linked.DeactivatedAt is not null) return await RefuseAsync(identity, SignInRefusals.Deactivated, linked.Id);
            await AuditSignInAsync(linked, identity, AuditActions.SignIn);
            return new OrganisationSignInResult.Matched(linked, Linked: false);
        }

        // The first: by e-mail, to an account an admin made.
        if (string.IsNullOrWhiteSpace(identity.Email)) return await RefuseAsync(identity, SignInRefusals.NoEmail, null);
        if (requireVerifiedEmail && identity.EmailVerified == false) return await RefuseAsync(identity, SignInRefusals.EmailNotVerified, null);
        var account = await users.FindByEmailAsync(identity.Email.Trim());
        if (account is null) return await RefuseAsync(identity, SignInRefusals.NoAccount, null);
        if (account.DeactivatedAt is not null) return await RefuseAsync(identity, SignInRefusals.Deactivated, account.Id);
        // A second identity claiming a linked account's e-mail (a reused mailbox, a provider that lets users set their
        // own e-mail) does not take the account over.
        var logins = (await users.GetLoginsAsync(account)).Where(l => string.Equals(l.LoginProvider, identity.Provider, StringComparison.Ordinal)).ToList();
        if (logins.Any(l => string.Equals(l.ProviderKey, identity.Subject, StringComparison.Ordinal)))
        {
            // This identity's other first sign-in linked it a moment ago.
            await AuditSignInAsync(account, identity, AuditActions.SignIn);
            return new OrganisationSignInResult.Matched(account, Linked: false);
        }
        if (logins.Count > 0) return await RefuseAsync(identity, SignInRefusals.LinkedToAnother, account.Id);

        var added = await AddLoginAsync(account, identity, cancellationToken);
        if (!added)
        {
            // Lost a race with this identity's other first sign-in: the link is there now, or it went to another account.
            var winner = await users.FindByLoginAsync(identity.Provider, identity.Subject);
            if (winner?.Id != account.Id) return await RefuseAsync(identity, SignInRefusals.LinkedToAnother, account.Id);
            await AuditSignInAsync(account, identity, AuditActions.SignIn);
            return new OrganisationSignInResult.Matched(account, Linked: false);
        }
        // A temporary password nobody changed goes: the account now signs in through the organisation, and whoever saw
        // the temporary password cannot use it.
        if (account.MustChangePassword)
        {
            if (await users.HasPasswordAsync(account)) await users.RemovePasswordAsync(account);
            account.MustChangePassword = false;
            await users.UpdateAsync(account);
        }
        await AuditSignInAsync(account, identity, AuditActions.LoginLink);
        await AuditSignInAsync(account, identity, AuditActions.SignIn);
        return new OrganisationSignInResult.Matched(account, Linked: true);
    }

    private async Task<bool> AddLoginAsync(ApplicationUser account, ExternalIdentity identity, CancellationToken cancellationToken)
    {
        try
        {
            return (await users.AddLoginAsync(account, new UserLoginInfo(identity.Provider, identity.Subject, identity.Provider))).Succeeded;
        }
        catch (DbUpdateException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    private Task AuditSignInAsync(ApplicationUser account, ExternalIdentity identity, string action) =>
        AuditTrail.WriteAsync(contexts, Principal(account), clock, action, AuditTrail.User, account.Id, new JsonObject
        {
            ["method"] = "organisation", ["provider"] = identity.Provider,
        });

    private async Task<OrganisationSignInResult> RefuseAsync(ExternalIdentity identity, string reason, string? accountId)
    {
        // Nobody is signed in: the row has no user; the account's id only when the refusal is about a known account.
        await AuditTrail.WriteAsync(contexts, new ClaimsPrincipal(new ClaimsIdentity()), clock, AuditActions.SignInRefused, AuditTrail.User, accountId,
            new JsonObject { ["method"] = "organisation", ["provider"] = identity.Provider, ["reason"] = reason });
        return new OrganisationSignInResult.Refused(reason);
    }

    /// <summary>The account as the audit row's actor: its id and user name, like a row written by its own request.</summary>
    private static ClaimsPrincipal Principal(ApplicationUser account) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, account.Id), new Claim(ClaimTypes.Name, account.UserName ?? account.Id)], "organisation"));
}
