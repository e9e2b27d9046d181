using Reconnect.Workflows.Application.Access;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// Authorisation policies, least privilege (see docs/security.md): who may read or change what. Anonymous → 401, a
/// signed-in user without the role → 403.
/// </summary>
public static class Policies
{
    /// <summary>See definitions, versions, activity descriptors: managers (the designer), schedulers and admins.</summary>
    public const string ReadWorkflows = nameof(ReadWorkflows);
    /// <summary>Create, edit, validate, import, publish, retract definitions: managers only.</summary>
    public const string EditWorkflows = nameof(EditWorkflows);
    /// <summary>See instances, their journal and incidents: managers, schedulers, admins.</summary>
    public const string ReadInstances = nameof(ReadInstances);
    /// <summary>Start, cancel, retry instances and send raw events: managers and admins.</summary>
    public const string ManageInstances = nameof(ManageInstances);
    /// <summary>See schedules: schedulers, admins, managers.</summary>
    public const string ReadSchedules = nameof(ReadSchedules);
    /// <summary>Run now, pause, resume, retime schedules: schedulers and admins (SPEC §8).</summary>
    public const string ManageSchedules = nameof(ManageSchedules);
    /// <summary>Move the test clock: admins.</summary>
    public const string ControlClock = nameof(ControlClock);

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        options.AddPolicy(ReadWorkflows, p => p.RequireRole(Roles.Manager, Roles.Scheduler, Roles.Admin));
        options.AddPolicy(EditWorkflows, p => p.RequireRole(Roles.Manager));
        options.AddPolicy(ReadInstances, p => p.RequireRole(Roles.Manager, Roles.Scheduler, Roles.Admin));
        options.AddPolicy(ManageInstances, p => p.RequireRole(Roles.Manager, Roles.Admin));
        options.AddPolicy(ReadSchedules, p => p.RequireRole(Roles.Scheduler, Roles.Admin, Roles.Manager));
        options.AddPolicy(ManageSchedules, p => p.RequireRole(Roles.Scheduler, Roles.Admin));
        options.AddPolicy(ControlClock, p => p.RequireRole(Roles.Admin));
    }
}
