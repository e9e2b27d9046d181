using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Server.StudioHost;

/// <summary>
/// Mints the bearer token Studio's elements send (<c>access-token</c>) for the user signed in with our cookie: the same
/// kind of token <c>/api/auth/login</c> issues (Identity's bearer scheme, so AccountCheck and every policy treat it
/// alike: a deactivation or password change stops it), but short-lived and without a refresh token.
/// </summary>
public sealed class StudioTokens(
    SignInManager<ApplicationUser> signIn,
    IOptionsMonitor<BearerTokenOptions> bearer,
    IOptions<ElsaStudioOptions> options,
    TimeProvider time)
{
    /// <summary>The token for <paramref name="cookieUser"/>, or null when the account is gone.</summary>
    public async Task<string?> MintAsync(ClaimsPrincipal cookieUser)
    {
        var user = await signIn.UserManager.GetUserAsync(cookieUser);
        if (user is null) return null;
        // A fresh principal (roles and security stamp as they are now), as the refresh endpoint makes.
        var principal = await signIn.CreateUserPrincipalAsync(user);
        var now = time.GetUtcNow();
        var properties = new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + options.Value.TokenLifetime };
        // The bearer handler names its tickets "<scheme>:AccessToken"; it checks only the protector and ExpiresUtc.
        var ticket = new AuthenticationTicket(principal, properties, $"{IdentityConstants.BearerScheme}:AccessToken");
        return bearer.Get(IdentityConstants.BearerScheme).BearerTokenProtector.Protect(ticket);
    }
}
