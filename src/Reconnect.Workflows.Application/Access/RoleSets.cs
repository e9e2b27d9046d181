namespace Reconnect.Workflows.Application.Access;

/// <summary>
/// Who may do what, in one place (SPEC §8, least privilege; docs/security.md): the API's policies, the pages'
/// [Authorize] attributes and the use cases' own checks all read these.
/// </summary>
public static class RoleSets
{
    /// <summary>See definitions, versions, activity descriptors: managers (the designer), schedulers and admins.</summary>
    public static readonly IReadOnlyList<string> ReadWorkflows = [Roles.Manager, Roles.Scheduler, Roles.Admin];
    /// <summary>Create, edit, validate, import, publish, retract definitions: managers only.</summary>
    public static readonly IReadOnlyList<string> EditWorkflows = [Roles.Manager];
    /// <summary>See instances, their journal and incidents.</summary>
    public static readonly IReadOnlyList<string> ReadInstances = [Roles.Manager, Roles.Scheduler, Roles.Admin];
    /// <summary>Start, cancel, retry instances and send raw events.</summary>
    public static readonly IReadOnlyList<string> ManageInstances = [Roles.Manager, Roles.Admin];
    /// <summary>See schedules.</summary>
    public static readonly IReadOnlyList<string> ReadSchedules = [Roles.Scheduler, Roles.Admin, Roles.Manager];
    /// <summary>Run now, pause, resume, retime schedules.</summary>
    public static readonly IReadOnlyList<string> ManageSchedules = [Roles.Scheduler, Roles.Admin];
    /// <summary>Make referrals and list them (a referrer their own).</summary>
    public static readonly IReadOnlyList<string> ReferralCreate = [Roles.Referrer, Roles.Navigator, Roles.Manager, Roles.Admin];
    public static readonly IReadOnlyList<string> ReferralRead = ReferralCreate;
    /// <summary>Send a referral's events (and open its case page): staff.</summary>
    public static readonly IReadOnlyList<string> ReferralEvents = [Roles.Navigator, Roles.Manager, Roles.Admin];
    /// <summary>The service's measures and the dashboard.</summary>
    public static readonly IReadOnlyList<string> Measures = [Roles.Manager, Roles.Admin];
    /// <summary>Read tasks; claim and complete them.</summary>
    public static readonly IReadOnlyList<string> TaskRead = [Roles.Navigator, Roles.Manager, Roles.Admin];
    public static readonly IReadOnlyList<string> TaskWork = [Roles.Navigator, Roles.Manager];
    /// <summary>Create, change, deactivate and reactivate accounts.</summary>
    public static readonly IReadOnlyList<string> ManageUsers = [Roles.Admin];
    /// <summary>List the accounts.</summary>
    public static readonly IReadOnlyList<string> ReadUsers = [Roles.Admin, Roles.Manager];
    /// <summary>Record, list and remove absences (a navigator their own; a manager anyone's).</summary>
    public static readonly IReadOnlyList<string> Absences = [Roles.Navigator, Roles.Manager];
    /// <summary>Give a task to a navigator; change a referral's navigator.</summary>
    public static readonly IReadOnlyList<string> Allocate = [Roles.Manager];
    /// <summary>Move the test clock.</summary>
    public static readonly IReadOnlyList<string> ControlClock = [Roles.Admin];

    public static bool Has(System.Security.Claims.ClaimsPrincipal user, IReadOnlyList<string> roles) => roles.Any(user.IsInRole);
}
