using System.ComponentModel.DataAnnotations;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// <c>Authentication:OpenIdConnect</c>: sign-in through the organisation's identity provider (docs/security.md). Without
/// an <see cref="Authority"/> nothing is registered and the login page has no such button.
/// </summary>
public sealed class OrganisationSignInOptions : IValidatableObject
{
    public const string Section = "Authentication:OpenIdConnect";

    /// <summary>The provider's issuer, e.g. <c>https://login.microsoftonline.com/{tenant id}/v2.0</c> (its discovery document is below it).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret (a confidential client); may be left out for a public client (PKCE is always used).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The provider's name on the login page's button, e.g. "NHSmail".</summary>
    [StringLength(60)]
    public string? DisplayName { get; set; }

    /// <summary>Scopes asked for besides <c>openid</c>; empty: <c>profile</c> and <c>email</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Where the provider sends the browser back (register <c>https://{host}{CallbackPath}</c> at the provider).</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>The discovery document and the provider's endpoints only over HTTPS. Off only for a test provider on http.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Refuse a first sign-in when the provider says <c>email_verified: false</c> (a provider that never sends the claim is trusted).</summary>
    public bool RequireVerifiedEmail { get; set; } = true;

    /// <summary>Also read claims from the provider's userinfo endpoint (for a provider that leaves <c>email</c> out of the ID token).</summary>
    public bool GetClaimsFromUserInfoEndpoint { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
            yield return new ValidationResult("Authority must be an absolute http(s) address.", [nameof(Authority)]);
        else if (RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
            yield return new ValidationResult("Authority must be https (or RequireHttpsMetadata false, for a test provider only).", [nameof(Authority)]);
        if (string.IsNullOrWhiteSpace(ClientId))
            yield return new ValidationResult("ClientId is required when an Authority is set.", [nameof(ClientId)]);
        if (string.IsNullOrEmpty(CallbackPath) || CallbackPath[0] != '/' || CallbackPath.StartsWith("//", StringComparison.Ordinal))
            yield return new ValidationResult("CallbackPath must be a path on this site, starting with /.", [nameof(CallbackPath)]);
        if (Scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Any(char.IsWhiteSpace)))
            yield return new ValidationResult("Each scope is one word.", [nameof(Scopes)]);
    }

    /// <summary>The scopes asked for: <c>openid</c>, then the configured ones (or profile and email).</summary>
    public IReadOnlyList<string> RequestedScopes() =>
        ["openid", .. (Scopes.Count == 0 ? ["profile", "email"] : Scopes).Where(s => s != "openid").Distinct(StringComparer.Ordinal)];
}
