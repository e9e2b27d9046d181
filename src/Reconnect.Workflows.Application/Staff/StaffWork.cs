using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>
/// Moving a person's work when they stop (deactivation), inside the caller's transaction on <c>db</c>. The manager task
/// "Allocate navigator" is a standalone task on the referral's pathway instance, as the daily check raises its tasks
/// (no bookmark: completing it records the outcome and resumes nothing; the pathway's end cancels it with the others).
/// </summary>
internal static class StaffWork
{
    public const string AllocateNavigatorActivity = "allocate-navigator";
    public const string AllocateNavigatorTitle = "Allocate navigator";
    private static readonly string DoneOnly = JsonSerializer.Serialize(new[] { "Done" });

    public sealed record Moved(IReadOnlyList<TaskCommitNotice> Tasks, int TasksReturned, int ReferralsToAllocate);

    /// <summary>
    /// The person's open and claimed tasks back to their queue (unassigned, open); their open referrals without a
    /// navigator, each with a history line and (once) an "Allocate navigator" task for the managers.
    /// </summary>
    public static async Task<Moved> ReleaseWorkOfAsync(ReconnectDbContext db, string userId, DateTimeOffset now, string? by, CancellationToken cancellationToken)
    {
        var tasks = await db.Tasks
            .Where(t => t.Assignee == userId && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
            .ToListAsync(cancellationToken);
        foreach (var task in tasks)
        {
            task.Assignee = null;
            task.Status = TaskStatuses.Open;
            task.ClaimedBy = null;
            task.ClaimedAt = null;
        }

        var referrals = await db.Referrals.Where(r => r.NavigatorId == userId && r.ClosedAt == null).ToListAsync(cancellationToken);
        var ids = referrals.Select(r => r.Id).ToList();
        var asked = (await db.Tasks
            .Where(t => t.SubjectId != null && ids.Contains(t.SubjectId) && t.ActivityId == AllocateNavigatorActivity
                && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
            .Select(t => t.SubjectId!).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var raised = new List<WorkflowTaskRecord>();
        foreach (var referral in referrals)
        {
            referral.NavigatorId = null;
            referral.UpdatedAt = now;
            ReferralEffectWriter.History(db, referral.Id, now, "navigator-left", "The navigator's account was deactivated: waiting for a navigator",
                new JsonObject { ["navigatorId"] = userId }, by);
            if (asked.Contains(referral.Id)) continue;
            raised.Add(AllocateNavigatorTask(db, referral, now, "The navigator's account was deactivated."));
        }
        await db.SaveChangesAsync(cancellationToken);
        return new Moved([.. tasks.Concat(raised).Select(TaskCommitNotice.From)], tasks.Count, referrals.Count);
    }

    /// <summary>A manager task "Allocate navigator" for the referral (due by the end of tomorrow, UK time).</summary>
    public static WorkflowTaskRecord AllocateNavigatorTask(ReconnectDbContext db, ReferralRecord referral, DateTimeOffset now, string why)
    {
        var task = new WorkflowTaskRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            InstanceId = referral.WorkflowInstanceId,
            BookmarkId = "",
            ActivityId = AllocateNavigatorActivity,
            ActivityType = "Reconnect.Staff",
            Title = AllocateNavigatorTitle,
            Description = why + " Choose a navigator of the site for this referral (POST /api/referrals/{id}/navigator).",
            OutcomesJson = DoneOnly,
            DueAt = LondonTime.AtLondonTime(LondonTime.Today(now).AddDays(1), new TimeOnly(23, 59, 59)),
            Status = TaskStatuses.Open,
            Site = referral.Site,
            Assignee = null,
            AssigneeRole = Roles.Manager,
            SubjectId = referral.Id,
            CreatedAt = now,
            DataJson = new JsonObject { ["reason"] = "navigator-needed" }.ToJsonString(),
        };
        db.Tasks.Add(task);
        return task;
    }
}
