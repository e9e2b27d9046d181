using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Checks;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>
/// The referral domain's rows, written inside the step's transaction: the referral itself, its history, navigator
/// assignment, stages, closure, the daily checks, and inbox tasks whose assignee follows the referral (the tasks with an
/// assignment rule; the core writer writes the others).
/// </summary>
public sealed class ReferralEffectWriter(IOptions<ReconnectOptions> options) : IEffectWriter
{
    /// <summary><c>Reconnect:Caseload:MaxOpenReferrals</c>: no navigator is given more open referrals than this.</summary>
    private int MaxOpenReferrals => Math.Max(1, options.Value.Caseload.MaxOpenReferrals);

    public bool Handles(WorkflowEffect effect) => effect is CreateReferralEffect or ReferralEventEffect or AssignNavigatorEffect
        or SetStageEffect or CloseReferralEffect or ReleaseRecordedEffect or ReferralHistoryEffect or RunCheckEffect
        or CreateTaskEffect { Assignment: not null };

    /// <summary>A task cancelled with a reason leaves a history line on its referral (before the core writer marks it cancelled).</summary>
    public Task ObserveAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken) =>
        effect is CancelTaskEffect cancel ? NoteCancelledTaskAsync(db, state, cancel, cancellationToken) : Task.CompletedTask;

    public async Task WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken)
    {
        switch (effect)
        {
            case CreateReferralEffect create:
                await CreateReferralAsync(db, state, create, cancellationToken);
                return;
            case ReferralEventEffect recorded:
                await RecordEventAsync(db, recorded, cancellationToken);
                return;
            case AssignNavigatorEffect assign:
                await AssignAsync(db, state, assign, MaxOpenReferrals, cancellationToken);
                return;
            case SetStageEffect stage:
                if (await db.Referrals.FindAsync([stage.ReferralId], cancellationToken) is { } staged && staged.Stage != stage.Stage.ToString())
                {
                    staged.Stage = stage.Stage.ToString();
                    staged.UpdatedAt = state.UpdatedAt;
                    History(db, staged.Id, state.UpdatedAt, "stage", $"Stage: {stage.Stage}", null, null);
                }
                return;
            case CloseReferralEffect close:
                if (await db.Referrals.FindAsync([close.ReferralId], cancellationToken) is { } closing && closing.ClosedAt is null)
                {
                    closing.Stage = nameof(ReferralStage.Closed);
                    closing.ClosureReason = close.Reason.ToString();
                    closing.ClosedAt = state.UpdatedAt;
                    closing.OpenPrisonNumber = null;
                    closing.UpdatedAt = state.UpdatedAt;
                    History(db, closing.Id, state.UpdatedAt, "closed", $"Closed: {close.Reason}", null, null);
                }
                return;
            case ReleaseRecordedEffect release:
                await RecordReleaseAsync(db, state, release, cancellationToken);
                return;
            case ReferralHistoryEffect line:
                History(db, line.ReferralId, state.UpdatedAt, line.Kind, line.Text, null, null);
                return;
            case RunCheckEffect check:
                var began = System.Diagnostics.Stopwatch.GetTimestamp();
                var touched = await ReferralChecksRunner.RunAsync(db, state, check, cancellationToken);
                // A scheduled run (the daily check started by its cron job) reports these counts on the schedules page.
                ScheduleRunTally.Current?.Add(check.Check, touched, System.Diagnostics.Stopwatch.GetElapsedTime(began));
                return;
            case CreateTaskEffect { Assignment: { } assignment } task:
                await CreateReferralTaskAsync(db, state, task, assignment, cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"The referral writer does not write {effect.GetType().Name}.");
        }
    }

    /// <summary>
    /// The stage a referral is in after a step with these effects was written, from <paramref name="before"/>: the same
    /// rules as <see cref="WriteAsync"/> (a stage set, a closure), so a caller need not read the row back.
    /// </summary>
    public static string StageAfter(string referralId, string before, IEnumerable<WorkflowEffect> effects)
    {
        var stage = before;
        foreach (var effect in effects)
        {
            if (effect is SetStageEffect set && set.ReferralId == referralId) stage = set.Stage.ToString();
            else if (effect is CloseReferralEffect close && close.ReferralId == referralId) stage = nameof(ReferralStage.Closed);
        }
        return stage;
    }

    /// <summary>
    /// The referral row, with its human reference numbered in this same transaction (decision: one counter row per site
    /// and year, bumped atomically, so concurrent referrals get distinct, gap-free numbers and a rolled-back step gives
    /// its number back).
    /// </summary>
    private static async Task CreateReferralAsync(ReconnectDbContext db, WorkflowState state, CreateReferralEffect create, CancellationToken cancellationToken)
    {
        var r = create.Referral;
        var year = r.ReferralDate.Year;
        var sequence = await ReferenceCounters.NextAsync(db, r.Site, year, cancellationToken);
        create.Reference = ReferralReference.Format(r.Site, year, sequence);
        db.Referrals.Add(new ReferralRecord
        {
            Id = create.ReferralId,
            Reference = create.Reference,
            WorkflowInstanceId = state.Id,
            PrisonNumber = r.PrisonNumber,
            OpenPrisonNumber = r.PrisonNumber,
            GivenName = r.GivenName,
            FamilyName = r.FamilyName,
            DateOfBirth = r.DateOfBirth,
            NhsNumber = r.NhsNumber,
            Site = r.Site,
            ReleaseDate = r.ReleaseDate,
            ReleaseType = r.ReleaseType.ToString(),
            ReferralSource = r.ReferralSource.ToString(),
            HealthNeedsJson = JsonSerializer.Serialize(r.HealthNeeds.Select(n => n.ToString())),
            ConsentGiven = true,
            ConsentRecordedBy = r.ConsentRecordedBy ?? create.CreatedBy,
            ConsentRecordedAt = create.At,
            ReferralDate = r.ReferralDate,
            Notes = r.Notes,
            Stage = nameof(ReferralStage.Received),
            CreatedBy = create.CreatedBy,
            CreatedAt = create.At,
            UpdatedAt = create.At,
        });
        History(db, create.ReferralId, create.At, "created", "Referral received", new JsonObject { ["site"] = r.Site, ["source"] = r.ReferralSource.ToString() }, create.CreatedBy);
    }

    private static async Task RecordEventAsync(ReconnectDbContext db, ReferralEventEffect recorded, CancellationToken cancellationToken)
    {
        var referral = await db.Referrals.FindAsync([recorded.ReferralId], cancellationToken)
            ?? throw new InvalidOperationException("The referral of an event is gone.");
        var summary = recorded.EventName;
        switch (recorded.EventName)
        {
            case ReferralEvents.ReleaseDateChanged when Date(recorded.Payload?["releaseDate"]) is { } date:
                referral.ReleaseDate = date;
                summary = $"Release date changed to {Format(date)}";
                break;
            case ReferralEvents.Released:
                var on = Date(recorded.Payload?["date"]) ?? LondonTime.ToLondonDate(recorded.At);
                // The first release known; a correction is the pathway's to record (Reconnect.RecordRelease), with its history line.
                if (referral.ReleasedOn is null) await ReleaseKnownAsync(db, referral, on, recorded.At, cancellationToken);
                summary = $"Released on {Format(on)}";
                break;
            case ReferralEvents.Transferred:
                var site = ValueConverter.ToText(recorded.Payload?["site"]);
                var outOfArea = recorded.Payload?["outOfArea"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
                if (!outOfArea && site is not null) referral.Site = site;
                summary = outOfArea ? $"Transferred to {site} (out of area)" : $"Transferred to {site}";
                break;
            case ReferralEvents.RecalledToCustody:
                summary = "Recalled to custody";
                break;
            case ReferralEvents.ConsentWithdrawn:
                summary = "Consent withdrawn";
                break;
        }
        referral.UpdatedAt = recorded.At;
        History(db, referral.Id, recorded.At, "event", summary, new JsonObject { ["event"] = recorded.EventName }, recorded.By);
    }

    private static async Task RecordReleaseAsync(ReconnectDbContext db, WorkflowState state, ReleaseRecordedEffect release, CancellationToken cancellationToken)
    {
        var referral = await db.Referrals.FindAsync([release.ReferralId], cancellationToken)
            ?? throw new InvalidOperationException("The referral of a release is gone.");
        var previous = referral.ReleasedOn;
        if (previous == release.Date) return; // already known (the released event's own line says so)
        await ReleaseKnownAsync(db, referral, release.Date, state.UpdatedAt, cancellationToken);
        var summary = previous is { } before
            ? $"Release date corrected from {Words(before)} to {Words(release.Date)}"
            : $"Released on {Words(release.Date)}" + (release.Source is { Length: > 0 } source ? $" ({source})" : "");
        History(db, referral.Id, state.UpdatedAt, "released", summary,
            new JsonObject { ["releasedOn"] = Format(release.Date), ["previous"] = previous is { } p ? Format(p) : null, ["source"] = release.Source }, null);
    }

    /// <summary>
    /// The actual release on the row; a "Confirm release" task the daily check raised for this referral is answered by
    /// it, so it is cancelled rather than left for a navigator to confirm what is known.
    /// </summary>
    private static async Task ReleaseKnownAsync(ReconnectDbContext db, ReferralRecord referral, DateOnly on, DateTimeOffset at, CancellationToken cancellationToken)
    {
        referral.ReleasedOn = on;
        referral.ReleaseDate ??= on;
        referral.UpdatedAt = at;
        var asked = await db.Tasks
            .Where(t => t.SubjectId == referral.Id && t.ActivityId == ReferralChecks.ConfirmUnconfirmedReleases
                && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
            .ToListAsync(cancellationToken);
        foreach (var task in asked)
        {
            task.Status = TaskStatuses.Cancelled;
            task.Notes ??= $"The release on {Words(on)} was recorded.";
        }
    }

    /// <summary>
    /// A referral task the pathway stopped (the person was released, a follow-up restarted) gets a history line with the
    /// reason; tasks left open when the referral closes do not — the closing line says why.
    /// </summary>
    private static async Task NoteCancelledTaskAsync(ReconnectDbContext db, WorkflowState state, CancelTaskEffect cancel, CancellationToken cancellationToken)
    {
        if (cancel.Reason is null || cancel.Reason == WorkflowFinishedReason || state.CorrelationId is null) return;
        var task = await db.Tasks.FindAsync([cancel.TaskId], cancellationToken);
        if (task is null || task.SubjectId != state.CorrelationId || task.Status is not (TaskStatuses.Open or TaskStatuses.Claimed)) return;
        History(db, task.SubjectId, state.UpdatedAt, "task-cancelled", $"Cancelled: {task.Title}. {cancel.Reason}", new JsonObject { ["taskId"] = task.Id }, null);
    }

    private const string WorkflowFinishedReason = "workflow finished";

    /// <summary>
    /// The navigator at the site with the fewest open referrals under the caseload limit (<see cref="NavigatorAssignment"/>).
    /// When the site has navigators but none can take it (all full or away), the referral waits unassigned (its tasks in
    /// the site's queue) and the managers get one "Allocate navigator" task; a site with no navigator at all keeps its
    /// referrals in its queue.
    /// </summary>
    private static async Task AssignAsync(ReconnectDbContext db, WorkflowState state, AssignNavigatorEffect assign, int maxOpenReferrals, CancellationToken cancellationToken)
    {
        var referral = await db.Referrals.FindAsync([assign.ReferralId], cancellationToken);
        if (referral is null) return;
        var site = assign.Site ?? referral.Site;
        var choice = await NavigatorAssignment.ChooseAsync(db, site, state.UpdatedAt, maxOpenReferrals, cancellationToken);
        if (choice.NavigatorId is null && choice.SiteNavigators > 0 && referral.NavigatorId is null)
        {
            await AskForAllocationAsync(db, state, referral, cancellationToken);
            return;
        }
        var navigatorId = choice.NavigatorId;
        if (navigatorId is null || navigatorId == referral.NavigatorId) return;
        referral.NavigatorId = navigatorId;
        referral.UpdatedAt = state.UpdatedAt;
        // Open tasks of the referral follow it to the new navigator.
        foreach (var task in db.Tasks.Local.Where(t => t.SubjectId == referral.Id && t.AssigneeRole == Roles.Navigator && t.Status is TaskStatuses.Open))
            task.Assignee = navigatorId;
        // A referral made by this same step has no tasks in the database yet.
        if (db.Entry(referral).State != EntityState.Added)
            await db.Tasks.Where(t => t.SubjectId == referral.Id && t.AssigneeRole == Roles.Navigator && t.Status == TaskStatuses.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, navigatorId).SetProperty(t => t.Site, site), cancellationToken);
        History(db, referral.Id, state.UpdatedAt, "assigned", "Assigned to a navigator", new JsonObject { ["navigatorId"] = navigatorId, ["site"] = site }, null);
    }

    /// <summary>Once per referral: no second open "Allocate navigator" task while one waits.</summary>
    private static async Task AskForAllocationAsync(ReconnectDbContext db, WorkflowState state, ReferralRecord referral, CancellationToken cancellationToken)
    {
        bool IsOpenAsk(WorkflowTaskRecord t) => t.SubjectId == referral.Id && t.ActivityId == Staff.StaffWork.AllocateNavigatorActivity
            && t.Status is TaskStatuses.Open or TaskStatuses.Claimed;
        if (db.Tasks.Local.Any(IsOpenAsk)) return;
        if (db.Entry(referral).State != EntityState.Added && await db.Tasks.AnyAsync(t => t.SubjectId == referral.Id
                && t.ActivityId == Staff.StaffWork.AllocateNavigatorActivity && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed), cancellationToken))
            return;
        History(db, referral.Id, state.UpdatedAt, "waiting-for-navigator", "Every navigator at the site is at the caseload limit or away: waiting for a navigator", null, null);
        Staff.StaffWork.AllocateNavigatorTask(db, referral, state.UpdatedAt, "Every navigator at the site is at the caseload limit or away.");
        // The managers hear of it in the step's transaction (their bells re-read on the new task's news).
        foreach (var manager in await Notifications.NotificationRows.ManagersAsync(db, cancellationToken))
            Notifications.NotificationRows.Add(db, manager, Notifications.NotificationKinds.CaseloadFull,
                $"Every navigator at {referral.Site} is at the caseload limit or away: a new referral waits for a navigator.", $"/referrals/{referral.Id}", state.UpdatedAt);
    }

    private static async Task CreateReferralTaskAsync(ReconnectDbContext db, WorkflowState state, CreateTaskEffect create, TaskAssignment assignment, CancellationToken cancellationToken)
    {
        var referralId = assignment.SubjectId ?? state.CorrelationId;
        var referral = referralId is null ? null : await db.Referrals.FindAsync([referralId], cancellationToken);
        var (assignee, role) = assignment.Rule switch
        {
            AssigneeRules.Manager => (null, Roles.Manager),
            AssigneeRules.SiteQueue => (null, Roles.Navigator),
            // Staff (issue #12): while the referral's navigator is away, their cover (or the site's queue) gets it.
            _ => (await Staff.StaffAvailability.RouteAsync(db, referral?.NavigatorId, state.UpdatedAt, cancellationToken), Roles.Navigator),
        };
        db.Tasks.Add(TaskRows.New(create, state, referral?.Site ?? assignment.Site, assignee, role, referralId));
    }

    internal static void History(ReconnectDbContext db, string referralId, DateTimeOffset at, string kind, string summary, JsonObject? detail, string? by) =>
        db.ReferralHistory.Add(new ReferralHistoryRecord
        {
            ReferralId = referralId, At = at, Kind = kind, Summary = summary, DetailJson = detail?.ToJsonString(), By = by,
        });

    private static DateOnly? Date(JsonNode? node) =>
        ValueConverter.ToText(node) is { } text && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Words(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
}
