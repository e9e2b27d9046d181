using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Server.Auth;

public sealed record LoginRequest([property: Required] string Email, [property: Required] string Password);

public sealed record RefreshRequest([property: Required] string RefreshToken);

public sealed record CurrentUser(string Id, string Email, string? DisplayName, string? Site, IReadOnlyList<string> Roles)
{
    /// <summary>The password is a temporary one: only <c>/api/auth/*</c> works until it is changed.</summary>
    public bool MustChangePassword { get; init; }
}

/// <summary>
/// <c>/api/auth</c>: login (bearer token, or a cookie with <c>?useCookies=true</c>), refresh, logout, me. There is no
/// self-registration: accounts are made by admins (and the demo seed).
/// </summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/login", async Task<Results<EmptyHttpResult, ProblemHttpResult>> (LoginRequest request, bool? useCookies, SignInManager<ApplicationUser> signIn) =>
        {
            // [Required] is not enforced by minimal APIs: a body without them is a 400, not a 500 from FindByEmailAsync(null).
            if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
                return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [string.IsNullOrWhiteSpace(request.Email) ? "email" : "password"] = ["is required"],
                }) { Status = StatusCodes.Status400BadRequest, Title = "Sign-in needs an email and a password" });
            signIn.AuthenticationScheme = useCookies == true ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
            var user = await signIn.UserManager.FindByEmailAsync(request.Email);
            var result = user is null
                ? Microsoft.AspNetCore.Identity.SignInResult.Failed
                : await signIn.PasswordSignInAsync(user, request.Password, isPersistent: useCookies == true, lockoutOnFailure: true);
            if (!result.Succeeded)
                return TypedResults.Problem(result.IsLockedOut ? "The account is locked for a while after too many failed attempts." : "The email or password is wrong.",
                    statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
            // The sign-in manager has written the token (bearer) or the cookie to the response.
            return TypedResults.Empty;
        }).AllowAnonymous();

        group.MapPost("/refresh", async Task<Results<Ok<AccessTokenResponse>, UnauthorizedHttpResult, SignInHttpResult, ChallengeHttpResult>> (
            RefreshRequest request, SignInManager<ApplicationUser> signIn, IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider time) =>
        {
            var protector = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector;
            var ticket = protector.Unprotect(request.RefreshToken);
            if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires ||
                await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
                return TypedResults.Challenge();
            var principal = await signIn.CreateUserPrincipalAsync(user);
            return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
        }).AllowAnonymous();

        group.MapPost("/logout", async (SignInManager<ApplicationUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.NoContent();
        }).RequireAuthorization();

        group.MapGet("/me", async Task<Results<Ok<CurrentUser>, UnauthorizedHttpResult>> (ClaimsPrincipal principal, UserManager<ApplicationUser> users) =>
        {
            var user = await users.GetUserAsync(principal);
            if (user is null) return TypedResults.Unauthorized();
            var roles = await users.GetRolesAsync(user);
            return TypedResults.Ok(new CurrentUser(user.Id, user.Email ?? "", user.DisplayName, user.Site, roles.Order().ToList())
            {
                MustChangePassword = user.MustChangePassword,
            });
        }).RequireAuthorization();

        group.MapPost("/change-password", ChangePasswordAsync).RequireAuthorization().Accepts<ChangePasswordRequest>("application/json");

        return group;
    }

    /// <summary>
    /// The caller's own password: 204, or 400 naming the field. The security stamp changes, so the caller's other tokens
    /// and cookies stop working; a cookie caller gets a fresh cookie, a bearer caller signs in again with the new password.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        HttpRequest request, ClaimsPrincipal principal, StaffService staff, SignInManager<ApplicationUser> signIn, CancellationToken cancellationToken)
    {
        var (body, problem) = await Api.JsonBody.ReadAsync<ChangePasswordRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        switch (await staff.ChangePasswordAsync(principal, body!, cancellationToken))
        {
            case StaffResult.Done done:
                if (!request.Headers.Authorization.Any(h => h?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
                    && await signIn.UserManager.FindByIdAsync(done.User.Id) is { } account)
                    await signIn.RefreshSignInAsync(account);
                return TypedResults.NoContent();
            case StaffResult.Invalid invalid:
                return Api.Problems.BadRequest("The password was not changed.", new(invalid.Errors, StringComparer.Ordinal));
            case StaffResult.Forbidden forbidden:
                return TypedResults.Problem(forbidden.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first");
            default:
                throw new InvalidOperationException("Unknown change-password result.");
        }
    }
}
