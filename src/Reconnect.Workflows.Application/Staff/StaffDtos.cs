using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// An account as <c>/api/users</c> answers it. <c>site</c> is always written (null: no site); <c>temporaryPassword</c>
/// only in the answer to a create without a password, once.
/// </summary>
public sealed record UserDto(
    string Id,
    string Email,
    string? DisplayName,
    IReadOnlyList<string> Roles,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Site,
    bool Active,
    bool MustChangePassword)
{
    public string? TemporaryPassword { get; init; }
}

/// <summary><c>POST /api/users</c> body.</summary>
public sealed record CreateUserRequest(string? Email, string? DisplayName, IReadOnlyList<string?>? Roles, string? Site, string? Password);

/// <summary>
/// <c>PATCH /api/users/{id}</c> body: a field left out (or null) is unchanged; <c>"site": ""</c> removes the site.
/// </summary>
public sealed record UpdateUserRequest(IReadOnlyList<string?>? Roles, string? Site, string? DisplayName);

/// <summary><c>POST /api/auth/change-password</c> body.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>What a deactivation moved: the tasks returned to their queues and the referrals waiting for a navigator.</summary>
public sealed record DeactivationDto(UserDto User, int TasksReturned, int ReferralsToAllocate);

public abstract record StaffResult
{
    public sealed record Done(UserDto User) : StaffResult;
    public sealed record Deactivated(DeactivationDto Result) : StaffResult;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : StaffResult;
    public sealed record NotFound : StaffResult;
    public sealed record Forbidden(string Message) : StaffResult;
    public sealed record Conflict(string Message) : StaffResult;
}
