using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Web.Components;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// The browser's sign-in and sign-out: plain HTML form posts (antiforgery-checked, because they bind a form), since an
/// interactive circuit cannot write cookies. A failed sign-in goes back to <c>/login</c> with an error code and the
/// return address; nothing about the attempt is put in the address but the code.
/// </summary>
public static class AccountEndpoints
{
    public const string LoginPath = UiRegistration.LoginPostPath;
    public const string LogoutPath = UiRegistration.LogoutPath;

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(LoginPath, LoginAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(LogoutPath, async (SignInManager<ApplicationUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/login");
        }).ExcludeFromDescription();
        app.MapPost(UiRegistration.ChangePasswordPostPath, ChangePasswordAsync).RequireAuthorization(UiRegistration.SignedInPolicy).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The change-password page's form: <see cref="StaffService.ChangePasswordAsync"/>, then a fresh cookie (the security
    /// stamp changed, so the old one stops working) and home; a refusal goes back to the page with an error code only.
    /// </summary>
    private static async Task<IResult> ChangePasswordAsync([FromForm] PasswordForm form, ClaimsPrincipal principal, StaffService staff, SignInManager<ApplicationUser> signIn,
        CancellationToken cancellationToken)
    {
        var result = await staff.ChangePasswordAsync(principal, new ChangePasswordRequest(form.CurrentPassword, form.NewPassword), cancellationToken);
        switch (result)
        {
            case StaffResult.Done done:
                if (await signIn.UserManager.FindByIdAsync(done.User.Id) is { } account)
                {
                    signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
                    await signIn.RefreshSignInAsync(account);
                }
                return TypedResults.LocalRedirect($"{UiRegistration.ChangePasswordPath}?done=1");
            case StaffResult.Invalid invalid:
                var code = invalid.Errors.TryGetValue("currentPassword", out var current) ? current.Any(m => m.Contains("required", StringComparison.Ordinal)) ? "missing" : "current"
                    : invalid.Errors.TryGetValue("newPassword", out var next) ? next.Any(m => m.Contains("required", StringComparison.Ordinal)) ? "missing" : next.Any(m => m.Contains("differ", StringComparison.Ordinal)) ? "same" : "policy"
                    : "failed";
                return TypedResults.LocalRedirect($"{UiRegistration.ChangePasswordPath}?error={code}");
            default:
                return TypedResults.LocalRedirect("/login");
        }
    }

    public sealed class PasswordForm
    {
        public string? CurrentPassword { get; set; }
        public string? NewPassword { get; set; }
    }

    private static async Task<IResult> LoginAsync([FromForm] LoginForm form, SignInManager<ApplicationUser> signIn)
    {
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        if (string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password))
            return Back("missing", returnUrl);
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var user = await signIn.UserManager.FindByEmailAsync(form.Email.Trim());
        var result = user is null
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, form.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut) return Back("locked", returnUrl);
        if (!result.Succeeded) return Back("failed", returnUrl);
        return TypedResults.LocalRedirect(returnUrl);
    }

    /// <summary>Only a path on this site (no scheme, no host, no <c>//</c> or <c>/\</c>): anything else goes home.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl[0] == '/' && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            && !returnUrl.StartsWith("/login", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : "/";

    private static IResult Back(string error, string returnUrl) =>
        TypedResults.LocalRedirect($"/login?error={error}&ReturnUrl={Uri.EscapeDataString(returnUrl)}");

    public sealed class LoginForm
    {
        public string? Email { get; set; }
        public string? Password { get; set; }
        public string? ReturnUrl { get; set; }
    }
}
