using Reconnect.Workflows.Server.Auth;

namespace Reconnect.Workflows.Server.Components;

/// <summary>Who sees which page (comma lists for <c>[Authorize(Roles = …)]</c>), the same role sets as the API behind each page.</summary>
public static class UiRoles
{
    /// <summary>Work tasks: navigators and managers (TasksApi's work group).</summary>
    public const string Inbox = Roles.Navigator + "," + Roles.Manager;
    /// <summary>List referrals and make new ones (ReferralsApi.CreateRoles / ReadRoles).</summary>
    public const string Referrals = Roles.Referrer + "," + Roles.Navigator + "," + Roles.Manager + "," + Roles.Admin;
    /// <summary>The case page and its events: staff (ReferralsApi.EventRoles); a referrer sees status only, in the list.</summary>
    public const string Case = Roles.Navigator + "," + Roles.Manager + "," + Roles.Admin;
    /// <summary>The pathway designer: managers edit and publish (EditWorkflows); admins may look (read only).</summary>
    public const string Designer = Roles.Manager + "," + Roles.Admin;

    /// <summary>Where <c>/</c> sends a user, by their first matching role.</summary>
    public static string HomeFor(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(Roles.Navigator) ? "/inbox"
        : user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Referrer) ? "/referrals"
        : "";
}
