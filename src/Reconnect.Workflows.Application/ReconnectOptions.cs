using System.ComponentModel.DataAnnotations;

namespace Reconnect.Workflows.Application;

/// <summary><c>Reconnect</c> section: sites and where the pathway files are.</summary>
public sealed class ReconnectOptions
{
    public const string Section = "Reconnect";

    [MinLength(1)]
    public List<SiteOptions> Sites { get; set; } = [];

    /// <summary>Folder of workflow files deployed on start-up, relative to the repository root.</summary>
    public string WorkflowsPath { get; set; } = "workflows";

    /// <summary><c>Reconnect:Caseload</c>: how many open referrals a navigator carries at most.</summary>
    public CaseloadOptions Caseload { get; set; } = new();
}

public sealed class CaseloadOptions
{
    /// <summary><c>Reconnect:Caseload:MaxOpenReferrals</c> (default 25; below 1 counts as 1).</summary>
    public int MaxOpenReferrals { get; set; } = 25;
}

public sealed class SiteOptions
{
    [Required, RegularExpression("^[A-Z]{2,5}$")]
    public string Code { get; set; } = "";

    [Required]
    public string Name { get; set; } = "";

    /// <summary>Prison, or ImmigrationRemovalCentre.</summary>
    public string Kind { get; set; } = "Prison";
}

/// <summary><c>Seed</c> section: demo accounts (SPEC §8).</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Null means "on in Development, off elsewhere".</summary>
    public bool? DemoData { get; set; }

    public string Password { get; set; } = "Reconnect-demo-1";

    /// <summary>
    /// Synthetic referrals run through the pathway on first start (with <see cref="DemoData"/>): null means 60 in
    /// Development and none elsewhere; 0 turns it off. Never in Production.
    /// </summary>
    [Range(0, 1000)]
    public int? DemoReferrals { get; set; }
}

/// <summary><c>Testing</c> section.</summary>
public sealed class TestingOptions
{
    public const string Section = "Testing";

    /// <summary>Lets an admin move the system clock forward (POST /api/testing/clock). Refused in Production.</summary>
    public bool ClockControl { get; set; }
}
