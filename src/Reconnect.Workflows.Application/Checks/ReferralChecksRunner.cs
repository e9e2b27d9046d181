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
/// <para>
/// In batches (issue #18): the step's transaction does the first <see cref="BatchSize"/> rows of each check; when there
/// may be more, the rest is done after the step has committed, <see cref="BatchSize"/> rows per transaction
/// (<see cref="ContinueAsync"/>), so no transaction holds the database's write lock for long however many referrals
/// there are. Every batch is idempotent by its own filter (a task marked overdue, escalated, a referral already asked
/// about is not picked again), so a batch that fails or a run cut short leaves nothing half-done and the next run
/// carries on where it stopped.
/// </para>
/// </summary>
internal static class ReferralChecksRunner
{
    public const string StandaloneBookmark = "";
    /// <summary>Rows one transaction of a check touches at most.</summary>
    public const int BatchSize = 500;
    private static readonly string DoneOnly = JsonSerializer.Serialize(new[] { "Done" });

    /// <summary>The first batch, in the step's transaction. Returns the rows touched; a full batch means there may be more.</summary>
    public static Task<int> RunAsync(ReconnectDbContext db, WorkflowState state, RunCheckEffect check, CancellationToken cancellationToken) =>
        RunBatchAsync(db, state.Id, state.UpdatedAt, check, BatchSize, cancellationToken);

    /// <summary>
    /// The batches after the first, each in a transaction of its own, until one is not full. Returns the rows touched.
    /// </summary>
    public static async Task<int> ContinueAsync(IDbContextFactory<ReconnectDbContext> contexts, string instanceId, DateTimeOffset now, RunCheckEffect check,
        CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var touched = await RunBatchAsync(db, instanceId, now, check, BatchSize, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            total += touched;
            if (touched < BatchSize) return total;
        }
    }

    /// <summary>One batch of a check: at most <paramref name="batchSize"/> rows, written to <paramref name="db"/> (saved by the caller).</summary>
    internal static async Task<int> RunBatchAsync(ReconnectDbContext db, string instanceId, DateTimeOffset now, RunCheckEffect check, int batchSize,
        CancellationToken cancellationToken)
    {
        var days = (int)(ValueConverter.ToInteger(check.Parameters["days"]) ?? 3);
        var dueInDays = (int)(ValueConverter.ToInteger(check.Parameters["dueInDays"]) ?? 1);
        var title = ValueConverter.ToText(check.Parameters["title"]);
        var due = LondonTime.AtLondonTime(LondonTime.Today(now).AddDays(dueInDays), new TimeOnly(23, 59, 59));
        switch (check.Check)
        {
            case ReferralChecks.MarkOverdueTasks:
            {
                var ids = await db.Tasks
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && !t.IsOverdue && t.DueAt != null && t.DueAt < now)
                    .OrderBy(t => t.DueAt)
                    .Take(batchSize)
                    .Select(t => t.Id)
                    .ToListAsync(cancellationToken);
                if (ids.Count == 0) return 0;
                await db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsOverdue, true), cancellationToken);
                return ids.Count;
            }

            case ReferralChecks.EscalateOverdueTasks:
            {
                var limit = now.AddDays(-days);
                var overdue = await db.Tasks
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && t.EscalatedAt == null && t.DueAt != null && t.DueAt < limit
                        && t.AssigneeRole != Roles.Manager)
                    .OrderBy(t => t.DueAt)
                    .Take(batchSize)
                    .ToListAsync(cancellationToken);
                foreach (var task in overdue)
                {
                    task.EscalatedAt = now;
                    AddStandalone(db, instanceId, now, title ?? "Review: overdue task", $"'{task.Title}' was due {LondonTime.Format(LondonTime.ToLondonDate(task.DueAt!.Value))} and is still open.",
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
                    .Take(batchSize)
                    .Select(r => new { r.Id, r.Site, r.NavigatorId, r.ReleaseDate })
                    .ToListAsync(cancellationToken);
                foreach (var referral in unconfirmed)
                    AddStandalone(db, instanceId, now, title ?? "Confirm release", $"The release date {LondonTime.Format(referral.ReleaseDate!.Value)} has passed and no release was recorded. Record the release (or the new date) on the case page.",
                        Roles.Navigator, referral.NavigatorId, referral.Site, referral.Id, due, new JsonObject { ["check"] = check.Check });
                return unconfirmed.Count;
            }

            default:
                throw new InvalidOperationException($"Unknown check '{check.Check}'.");
        }
    }

    private static void AddStandalone(ReconnectDbContext db, string instanceId, DateTimeOffset now, string title, string description, string role, string? assignee,
        string? site, string? subjectId, DateTimeOffset due, JsonObject data) =>
        db.Tasks.Add(new WorkflowTaskRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            InstanceId = instanceId,
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
            CreatedAt = now,
            DataJson = data.ToJsonString(),
        });
}
