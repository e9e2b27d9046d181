using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>
/// The constants of the 21-day engagement measure (docs/referrals.md, "The 21-day measure"): its length, the closure
/// reasons that take a person out of it, and the national figure shown beside ours.
/// </summary>
public static class EngagementMeasure
{
    /// <summary>Three weeks from release, as the national continuity-of-care measure counts.</summary>
    public const int Days = 21;

    /// <summary>Closed for one of these within the 21 days: back in custody, no longer consenting, or gone from the area.</summary>
    public const string Recalled = nameof(ClosureReason.Recalled);
    public const string ConsentWithdrawn = nameof(ClosureReason.ConsentWithdrawn);
    public const string OutOfArea = nameof(ClosureReason.OutOfArea);

    /// <summary>
    /// England's figure for 2023-24 and the national target (OHID, Public Health Outcomes Framework indicator C20:
    /// adults released from prison with a substance misuse treatment need who engaged with community treatment within
    /// three weeks). A reference, not a like-for-like comparison: C20 counts substance misuse treatment, we count any
    /// health need. Change it here when OHID publishes a newer year.
    /// </summary>
    public static readonly NationalReferenceDto National = new(0.53, "2023-24", 0.75, "OHID Public Health Outcomes Framework C20");
}
