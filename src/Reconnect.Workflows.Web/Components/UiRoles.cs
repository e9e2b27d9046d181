using Reconnect.Workflows.Application.Access;

namespace Reconnect.Workflows.Web.Components;

/// <summary>Who sees which page (comma lists for <c>[Authorize(Roles = …)]</c>), the same role sets as the API behind each page.</summary>
public static class UiRoles
{
    /// <summary>Work tasks: navigators and managers (RoleSets.TaskWork).</summary>
    public const string Inbox = Roles.Navigator + "," + Roles.Manager;
    /// <summary>List referrals and make new ones (RoleSets.ReferralCreate / ReferralRead).</summary>
    public const string Referrals = Roles.Referrer + "," + Roles.Navigator + "," + Roles.Manager + "," + Roles.Admin;
    /// <summary>The case page and its events: staff (RoleSets.ReferralEvents); a referrer sees status only, in the list.</summary>
    public const string Case = Roles.Navigator + "," + Roles.Manager + "," + Roles.Admin;
    /// <summary>The instance list and viewer ask for the API's own policy (Manager, Scheduler, Admin), not a copy of its roles.</summary>
    public const string InstancesPolicy = Policies.ReadInstances;
    /// <summary>The viewer's Retry and Cancel buttons: the policy of POST …/{id}/retry|cancel (Manager, Admin).</summary>
    public const string ManageInstancesPolicy = Policies.ManageInstances;

    /// <summary>See the schedules and their runs (Policies.ReadSchedules).</summary>
    public const string Schedules = Roles.Scheduler + "," + Roles.Admin + "," + Roles.Manager;
    /// <summary>Run now, pause, resume, change the cron (Policies.ManageSchedules).</summary>
    public const string ManageSchedules = Roles.Scheduler + "," + Roles.Admin;
    /// <summary>Caseload, overdue work and the 21-day measure (RoleSets.Measures, as GET /api/measures).</summary>
    public const string Dashboard = Roles.Manager + "," + Roles.Admin;

    /// <summary>Needs attention (escalated tasks) and reassigning work: managers (RoleSets.Allocate).</summary>
    public const string Allocate = Roles.Manager;
    /// <summary>My absences: navigators record their own leave and cover.</summary>
    public const string Absences = Roles.Navigator;

    /// <summary>The accounts page: admins change accounts (RoleSets.ManageUsers); managers see them (RoleSets.ReadUsers).</summary>
    public const string Users = Roles.Admin + "," + Roles.Manager;
    public const string ManageUsers = Roles.Admin;

    /// <summary>True when the user has one of the roles of a comma list above.</summary>
    public static bool IsIn(System.Security.Claims.ClaimsPrincipal user, string roles) =>
        roles.Split(',').Any(user.IsInRole);
    /// <summary>The pathway designer: managers edit and publish (EditWorkflows); admins may look (read only).</summary>
    public const string Designer = Roles.Manager + "," + Roles.Admin;

    /// <summary>Where <c>/</c> sends a user, by their first matching role.</summary>
    public static string HomeFor(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(Roles.Navigator) ? "/inbox"
        : user.IsInRole(Roles.Manager) ? "/dashboard"
        : user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Referrer) ? "/referrals"
        : user.IsInRole(Roles.Scheduler) ? "/schedules"
        : "";
}
