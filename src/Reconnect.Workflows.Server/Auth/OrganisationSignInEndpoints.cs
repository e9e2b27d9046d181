using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Web.Components;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// Sign-in through the organisation (docs/security.md): the login page's button posts to
/// <see cref="UiRegistration.OrganisationLoginPostPath"/> (antiforgery-checked), which challenges the OpenID Connect
/// scheme; the provider's answer comes back to the handler's callback, which leaves the identity in Identity's external
/// cookie and sends the browser to <see cref="CompletePath"/>. There <see cref="OrganisationSignIn"/> matches it to an
/// account (or refuses), and the account gets the same application cookie as a password sign-in.
/// </summary>
public static class OrganisationSignInEndpoints
{
    public const string CompletePath = UiRegistration.OrganisationLoginPostPath + "/complete";
    /// <summary>The return address kept in the challenge's properties, for a failure at the provider.</summary>
    public const string ReturnUrlItem = "returnUrl";

    public static IEndpointRouteBuilder MapOrganisationSignInEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(UiRegistration.OrganisationLoginPostPath, StartAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(CompletePath, CompleteAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static string LoginError(string error, string returnUrl) => $"/login?error={error}&ReturnUrl={Uri.EscapeDataString(returnUrl)}";

    private static async Task<IResult> StartAsync([FromForm] OrganisationForm form, IAuthenticationSchemeProvider schemes, SignInManager<ApplicationUser> signIn)
    {
        if (await schemes.GetSchemeAsync(UiRegistration.OrganisationScheme) is null) return TypedResults.NotFound();
        var returnUrl = AccountEndpoints.SafeReturnUrl(form.ReturnUrl);
        var properties = signIn.ConfigureExternalAuthenticationProperties(UiRegistration.OrganisationScheme,
            $"{CompletePath}?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        properties.Items[ReturnUrlItem] = returnUrl;
        return TypedResults.Challenge(properties, [UiRegistration.OrganisationScheme]);
    }

    private static async Task<IResult> CompleteAsync(HttpContext context, string? returnUrl, OrganisationSignIn organisation, SignInManager<ApplicationUser> signIn,
        IOptions<OrganisationSignInOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var safeReturnUrl = AccountEndpoints.SafeReturnUrl(returnUrl);
        var logger = loggers.CreateLogger(typeof(OrganisationSignInEndpoints));
        var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
        // The external cookie is a hand-over of a few minutes: gone whatever happens next.
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        var principal = external.Principal;
        var subject = principal?.FindFirstValue("sub") ?? principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (!external.Succeeded || principal is null || string.IsNullOrEmpty(subject)
            || external.Properties?.Items.TryGetValue("LoginProvider", out var provider) != true || provider != UiRegistration.OrganisationScheme)
        {
            // Opened directly, twice, or after the hand-over expired.
            return TypedResults.LocalRedirect(LoginError("organisation", safeReturnUrl));
        }

        var email = principal.FindFirstValue("email") ?? principal.FindFirstValue(ClaimTypes.Email);
        bool? verified = bool.TryParse(principal.FindFirstValue("email_verified"), out var v) ? v : null;
        var result = await organisation.MatchAsync(new ExternalIdentity(UiRegistration.OrganisationScheme, subject, email, verified),
            options.Value.RequireVerifiedEmail, cancellationToken);
        if (result is OrganisationSignInResult.Refused refused)
        {
            // The reason only: no name, e-mail or subject in the log (the audit row has the rest).
            logger.LogWarning("Organisation sign-in refused: {Reason}", refused.Reason);
            return TypedResults.LocalRedirect(LoginError("organisation-" + refused.Reason, safeReturnUrl));
        }

        var account = ((OrganisationSignInResult.Matched)result).Account;
        if (!await signIn.CanSignInAsync(account))
        {
            logger.LogWarning("Organisation sign-in refused: {Reason}", "cannot-sign-in");
            return TypedResults.LocalRedirect(LoginError("organisation-" + SignInRefusals.Deactivated, safeReturnUrl));
        }
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        await signIn.SignInAsync(account, isPersistent: false, authenticationMethod: UiRegistration.OrganisationScheme);
        return Continue(context, safeReturnUrl);
    }

    /// <summary>
    /// A page that moves on to <paramref name="returnUrl"/> by itself, not a redirect: this request is the end of a
    /// redirect chain that began at the provider's site, and the browser would not send the application cookie
    /// (SameSite=Strict) with a request of that chain; a navigation this page starts is same-site.
    /// </summary>
    private static IResult Continue(HttpContext context, string returnUrl)
    {
        context.Response.Headers.CacheControl = "no-store";
        var url = WebUtility.HtmlEncode(returnUrl);
        return TypedResults.Content($"""
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={url}"><title>Signed in · Reconnect</title></head>
            <body><p id="organisation-continue">Signed in. <a href="{url}">Continue</a></p></body></html>
            """, "text/html; charset=utf-8");
    }

    public sealed class OrganisationForm
    {
        public string? ReturnUrl { get; set; }
    }
}
