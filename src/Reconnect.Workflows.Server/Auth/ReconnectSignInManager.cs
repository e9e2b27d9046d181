using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// Identity's sign-in manager, but a deactivated account cannot sign in (the API's login, the UI's form post and the
/// refresh all ask <see cref="CanSignInAsync"/>); the answer is the same "email or password is wrong" as for a stranger.
/// </summary>
public sealed class ReconnectSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(ApplicationUser user) => user.DeactivatedAt is null && await base.CanSignInAsync(user);
}
