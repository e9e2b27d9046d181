using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Server.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>The UI's sign-in cookie.</summary>
    public const string CookieName = "reconnect.auth";

    /// <summary>ASP.NET Core Identity (EF stores) with bearer tokens for API clients and cookies for the UI.</summary>
    public static IServiceCollection AddReconnectAuth(this IServiceCollection services)
    {
        services.AddIdentityApiEndpoints<ApplicationUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ReconnectDbContext>()
            // A deactivated account cannot sign in (AccountCheck stops the tokens and cookies it already has).
            .AddSignInManager<ReconnectSignInManager>();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/login";
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            // An API caller gets a status code, not a redirect to the login page.
            o.Events.OnRedirectToLogin = context => StatusOrRedirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => StatusOrRedirect(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorization(options =>
        {
            foreach (var (name, roles) in Policies.All) options.AddPolicy(name, p => p.RequireRole(roles));
        });
        services.AddDataProtection().PersistKeysToDbContext<ReconnectDbContext>().SetApplicationName("Reconnect.Workflows");
        return services;
    }

    private static Task StatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/health"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
