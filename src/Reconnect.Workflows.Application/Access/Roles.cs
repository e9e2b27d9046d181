namespace Reconnect.Workflows.Application.Access;

/// <summary>The five roles of SPEC §8.</summary>
public static class Roles
{
    public const string Referrer = "Referrer";
    public const string Navigator = "Navigator";
    public const string Manager = "Manager";
    public const string Scheduler = "Scheduler";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Referrer, Navigator, Manager, Scheduler, Admin];
}
