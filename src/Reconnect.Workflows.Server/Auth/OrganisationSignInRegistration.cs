using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Reconnect.Workflows.Web.Components;

namespace Reconnect.Workflows.Server.Auth;

public static class OrganisationSignInRegistration
{
    /// <summary>
    /// The OpenID Connect scheme when <c>Authentication:OpenIdConnect:Authority</c> is set (validated at start-up), else
    /// nothing. Authorization code flow with PKCE; the result lands in Identity's short-lived external cookie, and
    /// <see cref="OrganisationSignInEndpoints"/> turns it into the application cookie of the matched account.
    /// </summary>
    public static IServiceCollection AddReconnectOrganisationSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(OrganisationSignInOptions.Section);
        services.AddOptions<OrganisationSignInOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var settings = section.Get<OrganisationSignInOptions>() ?? new OrganisationSignInOptions();
        if (!settings.Enabled) return services;

        services.AddAuthentication().AddOpenIdConnect(UiRegistration.OrganisationScheme, settings.DisplayName, _ => { });
        services.AddOptions<OpenIdConnectOptions>(UiRegistration.OrganisationScheme).Configure<IOptions<OrganisationSignInOptions>>((o, options) =>
        {
            var s = options.Value;
            o.Authority = s.Authority;
            o.ClientId = s.ClientId;
            o.ClientSecret = string.IsNullOrEmpty(s.ClientSecret) ? null : s.ClientSecret;
            o.RequireHttpsMetadata = s.RequireHttpsMetadata;
            o.CallbackPath = s.CallbackPath;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            // The claims keep their OpenID Connect names (sub, email, email_verified).
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = s.GetClaimsFromUserInfoEndpoint;
            o.Scope.Clear();
            foreach (var scope in s.RequestedScopes()) o.Scope.Add(scope);
            o.Events.OnRemoteFailure = RemoteFailureAsync;
        });
        return services;
    }

    /// <summary>
    /// The provider answered with an error (the person cancelled, a stale or replayed callback, the provider is down):
    /// back to the login page with a message, never a 500. The log line has the failure's type only.
    /// </summary>
    private static Task RemoteFailureAsync(RemoteFailureContext context)
    {
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrganisationSignInRegistration))
            .LogWarning("Organisation sign-in failed at the provider or the callback: {Failure}", context.Failure?.GetType().Name ?? "unknown");
        var returnUrl = context.Properties?.Items.TryGetValue(OrganisationSignInEndpoints.ReturnUrlItem, out var url) == true ? url : null;
        context.Response.Redirect(OrganisationSignInEndpoints.LoginError("organisation", AccountEndpoints.SafeReturnUrl(returnUrl)));
        context.HandleResponse();
        return Task.CompletedTask;
    }
}
