using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Reconnect.Workflows.Web.Components;

/// <summary>
/// The Blazor UI (interactive server; docs/ui.md): Razor components with MudBlazor, signed in with the Identity cookie.
/// Pages challenge with the cookie scheme (a redirect to <c>/login</c>); the API keeps its 401/403 answers because the
/// cookie's redirect events answer paths under <c>/api</c> with a status code (Auth/AuthServiceCollectionExtensions).
/// </summary>
public static class UiRegistration
{
    /// <summary>Every UI page asks for this unless it allows anonymous users: a signed-in user, by cookie.</summary>
    public const string SignedInPolicy = "UiSignedIn";

    public const string AccessDeniedPath = "/forbidden";

    /// <summary>Where the sign-in form posts, and the sign-out post: the host's account endpoints (a circuit cannot write cookies).</summary>
    public const string LoginPostPath = "/account/login";
    public const string LogoutPath = "/logout";

    /// <summary>
    /// Sign-in through the organisation's identity provider (OpenID Connect, when configured): the authentication scheme
    /// (also the login provider of the accounts' links) and where the login page's button posts.
    /// </summary>
    public const string OrganisationScheme = "OpenIdConnect";
    public const string OrganisationLoginPostPath = "/account/login/organisation";

    /// <summary>The change-password page, and where its form posts (the host's account endpoint renews the cookie).</summary>
    public const string ChangePasswordPath = "/account/password";
    public const string ChangePasswordPostPath = "/account/change-password";

    public static IServiceCollection AddReconnectUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.Configure<AuthorizationOptions>(o => o.AddPolicy(SignedInPolicy, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()));
        services.ConfigureApplicationCookie(o => o.AccessDeniedPath = AccessDeniedPath);
        return services;
    }

    /// <summary>After authentication and authorisation: static assets (this library's under <c>_content/</c>) and the pages.</summary>
    public static WebApplication MapReconnectUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
