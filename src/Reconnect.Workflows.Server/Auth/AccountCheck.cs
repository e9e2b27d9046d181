using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Web.Components;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// After authentication, on every signed-in request: the account must still exist, be active and carry the security
/// stamp the token or cookie was made with (docs/security.md, "Accounts"). Otherwise the request goes on as anonymous
/// (an API path answers 401, a page redirects to the login) and the cookie is removed — so a deactivation, a change of
/// roles or a password change stops every token and cookie at once, on every node (one primary-key read; Identity's own
/// cookie check reads only every 30 minutes, and bearer tokens never). An account that must change its password may
/// call only <c>/api/auth/*</c> until it has (403 elsewhere on the API).
/// </summary>
public static class AccountCheck
{
    public static IApplicationBuilder UseReconnectAccountCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
            var stampType = context.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
            var stamp = user.FindFirstValue(stampType);
            var state = id is null ? null : await context.RequestServices.GetRequiredService<AccountGate>().StateAsync(id, context.RequestAborted);
            if (state is null || !state.Active || stamp is null || !string.Equals(stamp, state.SecurityStamp, StringComparison.Ordinal))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
                if (context.Request.Cookies.ContainsKey(AuthServiceCollectionExtensions.CookieName))
                    context.Response.Cookies.Delete(AuthServiceCollectionExtensions.CookieName);
            }
            else if (state.MustChangePassword && context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/api/auth"))
            {
                await TypedResults.Problem("Change your temporary password first: POST /api/auth/change-password {currentPassword, newPassword}.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Password change required").ExecuteAsync(context);
                return;
            }
            else if (state.MustChangePassword && IsPageRequest(context.Request))
            {
                // The UI too: every page sends the account to the change-password page (docs/security.md).
                context.Response.Redirect(UiRegistration.ChangePasswordPath);
                return;
            }
        }
        await next(context);
    });

    /// <summary>A browser asking for a page (not the API, the account endpoints, the sign-in, Blazor's traffic or a static file).</summary>
    private static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true)
        && !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/account") && !request.Path.StartsWithSegments("/login")
        && !request.Path.StartsWithSegments("/logout") && !request.Path.StartsWithSegments("/_blazor") && !request.Path.StartsWithSegments("/_framework")
        && !request.Path.StartsWithSegments("/_content") && !request.Path.StartsWithSegments("/health") && !request.Path.StartsWithSegments("/openapi")
        && !Path.HasExtension(request.Path.Value);
}
