using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Application.Staff;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/users</c>: accounts (docs/security.md, "Accounts"). Admins create, change, deactivate and reactivate; admins
/// and managers list. Each endpoint binds, calls <see cref="StaffService"/> and maps its answer.
/// </summary>
public static class UsersApi
{
    private const string Base = "/api/users";

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup(Base).WithTags("Users").RequireAuthorization(p => p.RequireRole([.. RoleSets.ReadUsers]));
        var manage = app.MapGroup(Base).WithTags("Users").RequireAuthorization(p => p.RequireRole([.. RoleSets.ManageUsers]));

        read.MapGet("/", ListAsync);
        manage.MapPost("/", CreateAsync).Accepts<CreateUserRequest>("application/json");
        manage.MapPatch("/{id}", UpdateAsync).Accepts<UpdateUserRequest>("application/json");
        manage.MapPost("/{id}/deactivate", DeactivateAsync);
        manage.MapPost("/{id}/reactivate", ReactivateAsync);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<UserDto>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal user, StaffService staff, CancellationToken cancellationToken)
    {
        var (users, forbidden) = await staff.ListAsync(user, cancellationToken);
        return users is null ? Forbidden(forbidden!) : TypedResults.Ok(users);
    }

    private static async Task<Results<Created<UserDto>, ProblemHttpResult>> CreateAsync(HttpRequest request, ClaimsPrincipal user, StaffService staff, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateUserRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return await staff.CreateAsync(user, body!, cancellationToken) switch
        {
            StaffResult.Done done => TypedResults.Created($"{Base}/{done.User.Id}", done.User),
            var other => Answer(other, "The account was not created."),
        };
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> UpdateAsync(string id, HttpRequest request, ClaimsPrincipal user, StaffService staff, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<UpdateUserRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return await staff.UpdateAsync(user, id, body!, cancellationToken) switch
        {
            StaffResult.Done done => TypedResults.Ok(done.User),
            var other => Answer(other, "The account was not changed.", id),
        };
    }

    private static async Task<Results<Ok<DeactivationDto>, ProblemHttpResult>> DeactivateAsync(string id, ClaimsPrincipal user, StaffService staff, CancellationToken cancellationToken) =>
        await staff.DeactivateAsync(user, id, cancellationToken) switch
        {
            StaffResult.Deactivated done => TypedResults.Ok(done.Result),
            var other => Answer(other, "The account was not deactivated.", id),
        };

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> ReactivateAsync(string id, ClaimsPrincipal user, StaffService staff, CancellationToken cancellationToken) =>
        await staff.ReactivateAsync(user, id, cancellationToken) switch
        {
            StaffResult.Done done => TypedResults.Ok(done.User),
            var other => Answer(other, "The account was not reactivated.", id),
        };

    /// <summary>The refusals every staff use case shares.</summary>
    internal static ProblemHttpResult Answer(StaffResult result, string title, string? id = null) => result switch
    {
        StaffResult.Invalid invalid => Problems.BadRequest(title, new(invalid.Errors, StringComparer.Ordinal)),
        StaffResult.Conflict conflict => Problems.Conflict(conflict.Message),
        StaffResult.Forbidden forbidden => Forbidden(forbidden.Message),
        StaffResult.NotFound => Problems.NotFound($"No account '{Short(id)}'."),
        _ => throw new InvalidOperationException("Unknown staff result."),
    };

    private static string Short(string? id) => id is null ? "" : id.Length <= 80 ? id : id[..80];

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
}
