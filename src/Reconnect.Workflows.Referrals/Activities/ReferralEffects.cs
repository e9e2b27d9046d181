using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Referrals.Activities;

/// <summary>Give the referral (the instance's correlation id) to the navigator at the site with the fewest open tasks.</summary>
public sealed record AssignNavigatorEffect(string ReferralId, string? Site) : WorkflowEffect;

/// <summary>Move the referral to a stage.</summary>
public sealed record SetStageEffect(string ReferralId, ReferralStage Stage) : WorkflowEffect;

/// <summary>Close the referral with a reason.</summary>
public sealed record CloseReferralEffect(string ReferralId, ClosureReason Reason, string? Note) : WorkflowEffect;

/// <summary>A batch check over referrals and tasks (the daily follow-up check), run by the host inside the step's transaction.</summary>
public sealed record RunCheckEffect(string Check, JsonObject Parameters) : WorkflowEffect;

/// <summary>The checks <c>Reconnect.QueryReferrals</c> can run.</summary>
public static class ReferralChecks
{
    /// <summary>Mark open tasks past their due date as overdue.</summary>
    public const string MarkOverdueTasks = "MarkOverdueTasks";
    /// <summary>A manager task for each task overdue by more than N days (once per task).</summary>
    public const string EscalateOverdueTasks = "EscalateOverdueTasks";
    /// <summary>A navigator task for each referral whose release date has passed without a <c>released</c> event (once per referral and date).</summary>
    public const string ConfirmUnconfirmedReleases = "ConfirmUnconfirmedReleases";

    public static readonly IReadOnlyList<string> All = [MarkOverdueTasks, EscalateOverdueTasks, ConfirmUnconfirmedReleases];
}

/// <summary>Write the referral row (and its first history line) in the same transaction as the pathway's first step.</summary>
public sealed record CreateReferralEffect(string ReferralId, ValidReferral Referral, string? CreatedBy, DateTimeOffset At) : WorkflowEffect
{
    /// <summary>
    /// The human reference, set by the writer when it numbers the referral inside the step's transaction, so that the
    /// caller need not read the row back. Read it only once the step committed: a step written again (a batch's step
    /// retried alone) is numbered again, so the value left is the committed attempt's.
    /// </summary>
    public string? Reference { get; set; }
}

/// <summary>Record one of the five referral events in the referral's history and on its row (release date, release, site), with the step it causes.</summary>
public sealed record ReferralEventEffect(string ReferralId, string EventName, JsonObject? Payload, string? By, DateTimeOffset At) : WorkflowEffect;

/// <summary>The events a referral can receive (SPEC §2), as the pathway's listeners name them.</summary>
public static class ReferralEvents
{
    public const string ReleaseDateChanged = "release-date-changed";
    public const string Released = "released";
    public const string RecalledToCustody = "recalled-to-custody";
    public const string Transferred = "transferred";
    public const string ConsentWithdrawn = "consent-withdrawn";

    public static readonly IReadOnlyList<string> All = [ReleaseDateChanged, Released, RecalledToCustody, Transferred, ConsentWithdrawn];
}

/// <summary>The person's actual release date became known (or was corrected): set it on the referral, with a history line.</summary>
public sealed record ReleaseRecordedEffect(string ReferralId, DateOnly Date, string? Source) : WorkflowEffect;

/// <summary>A line in the referral's history written by the pathway.</summary>
public sealed record ReferralHistoryEffect(string ReferralId, string Kind, string Text) : WorkflowEffect;
