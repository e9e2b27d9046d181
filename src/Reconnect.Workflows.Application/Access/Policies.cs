namespace Reconnect.Workflows.Application.Access;

/// <summary>
/// The names of the authorisation policies (least privilege, docs/security.md) and the role set behind each. The host
/// registers one policy per entry of <see cref="All"/>; endpoints and pages ask for them by name, so a page and the API
/// behind it cannot disagree. Anonymous → 401, a signed-in user without the role → 403.
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

    /// <summary>Each policy and the roles any one of which satisfies it.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> All = new Dictionary<string, IReadOnlyList<string>>
    {
        [ReadWorkflows] = RoleSets.ReadWorkflows,
        [EditWorkflows] = RoleSets.EditWorkflows,
        [ReadInstances] = RoleSets.ReadInstances,
        [ManageInstances] = RoleSets.ManageInstances,
        [ReadSchedules] = RoleSets.ReadSchedules,
        [ManageSchedules] = RoleSets.ManageSchedules,
        [ControlClock] = RoleSets.ControlClock,
    };
}
