using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Application.Access;

namespace Reconnect.Workflows.Application.Checks;

/// <summary>
/// The daily follow-up check's work (SPEC §3), inside the check step's transaction: mark overdue tasks; a manager task
/// for each task overdue by more than N days (once per task); a navigator task "Confirm release" for each open
/// referral whose release date has passed without a <c>released</c> event (once per referral while one is open).
/// Raised tasks stand alone: completing them records the outcome and resumes nothing.
/// </summary>
internal static class ReferralChecksRunner
{
    public const string StandaloneBookmark = "";
    private static readonly string DoneOnly = JsonSerializer.Serialize(new[] { "Done" });

    public static async Task<int> RunAsync(ReconnectDbContext db, WorkflowState state, RunCheckEffect check, CancellationToken cancellationToken)
    {
        var now = state.UpdatedAt;
        var days = (int)(ValueConverter.ToInteger(check.Parameters["days"]) ?? 3);
        var dueInDays = (int)(ValueConverter.ToInteger(check.Parameters["dueInDays"]) ?? 1);
        var title = ValueConverter.ToText(check.Parameters["title"]);
        var due = LondonTime.AtLondonTime(LondonTime.Today(now).AddDays(dueInDays), new TimeOnly(23, 59, 59));
        switch (check.Check)
        {
            case ReferralChecks.MarkOverdueTasks:
                return await db.Tasks
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && !t.IsOverdue && t.DueAt != null && t.DueAt < now)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.IsOverdue, true), cancellationToken);

            case ReferralChecks.EscalateOverdueTasks:
            {
                var limit = now.AddDays(-days);
                var overdue = await db.Tasks
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && t.EscalatedAt == null && t.DueAt != null && t.DueAt < limit
                        && t.AssigneeRole != Roles.Manager)
                    .OrderBy(t => t.DueAt)
                    .Take(1000)
                    .ToListAsync(cancellationToken);
                foreach (var task in overdue)
                {
                    task.EscalatedAt = now;
                    AddStandalone(db, state, title ?? "Review: overdue task", $"'{task.Title}' was due {LondonTime.Format(LondonTime.ToLondonDate(task.DueAt!.Value))} and is still open.",
                        Roles.Manager, null, task.Site, task.SubjectId, due, new JsonObject { ["overdueTaskId"] = task.Id, ["check"] = check.Check });
                }
                return overdue.Count;
            }

            case ReferralChecks.ConfirmUnconfirmedReleases:
            {
                var today = LondonTime.Today(now);
                var alreadyAsked = db.Tasks
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && t.ActivityId == ReferralChecks.ConfirmUnconfirmedReleases)
                    .Select(t => t.SubjectId);
                var unconfirmed = await db.Referrals
                    .Where(r => r.ClosedAt == null && r.ReleasedOn == null && r.ReleaseDate != null && r.ReleaseDate < today && !alreadyAsked.Contains(r.Id))
                    .OrderBy(r => r.ReleaseDate)
                    .Take(1000)
                    .Select(r => new { r.Id, r.Site, r.NavigatorId, r.ReleaseDate })
                    .ToListAsync(cancellationToken);
                // Staff (issue #12): an absent navigator's go to their cover, or the site's queue.
                var routed = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var navigator in unconfirmed.Select(r => r.NavigatorId).OfType<string>().Distinct(StringComparer.Ordinal))
                    routed[navigator] = await Staff.StaffAvailability.RouteAsync(db, navigator, now, cancellationToken);
                foreach (var referral in unconfirmed)
                    AddStandalone(db, state, title ?? "Confirm release", $"The release date {LondonTime.Format(referral.ReleaseDate!.Value)} has passed and no release was recorded. Record the release (or the new date) on the case page.",
                        Roles.Navigator, referral.NavigatorId is { } n ? routed[n] : null, referral.Site, referral.Id, due, new JsonObject { ["check"] = check.Check });
                return unconfirmed.Count;
            }

            default:
                throw new InvalidOperationException($"Unknown check '{check.Check}'.");
        }
    }

    private static void AddStandalone(ReconnectDbContext db, WorkflowState state, string title, string description, string role, string? assignee,
        string? site, string? subjectId, DateTimeOffset due, JsonObject data) =>
        db.Tasks.Add(new WorkflowTaskRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            InstanceId = state.Id,
            BookmarkId = StandaloneBookmark,
            ActivityId = ValueConverter.ToText(data["check"]) ?? "check",
            ActivityType = "Reconnect.QueryReferrals",
            Title = title,
            Description = description,
            OutcomesJson = DoneOnly,
            DueAt = due,
            Status = TaskStatuses.Open,
            Site = site,
            Assignee = assignee,
            AssigneeRole = role,
            SubjectId = subjectId,
            CreatedAt = state.UpdatedAt,
            DataJson = data.ToJsonString(),
        });
}
