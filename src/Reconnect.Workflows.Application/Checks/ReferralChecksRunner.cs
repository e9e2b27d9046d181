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
/// In batches (issue #18): the step's transaction does the first <see cref="StepBatchSize"/> rows of each check; the
/// rest is done after the step has committed, <see cref="BatchSize"/> rows per transaction
/// (<see cref="ContinueAsync"/>), so no transaction holds the database's write lock for long however many referrals
/// there are. Every batch is idempotent by its own filter (a task marked overdue, escalated, a referral already asked
/// about is not picked again), so a batch that fails or a run cut short leaves nothing half-done and the next run
/// carries on where it stopped.
/// </para>
/// </summary>
internal static class ReferralChecksRunner
{
    public const string StandaloneBookmark = "";
    /// <summary>Rows one transaction of a check touches at most, after the step.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Rows each check touches in the step's own transaction: small, because the step runs its three checks in one
    /// transaction, inside the node's single commit writer (every other step waits for it).
    /// </summary>
    public const int StepBatchSize = 100;

    /// <summary>
    /// Real time between two batches after the step, so that other writers (requests, timers) get the write lock: a
    /// SQLite writer that found it taken retries after a short sleep, and a loop that takes it again at once can starve it.
    /// </summary>
    public static readonly TimeSpan PauseBetweenBatches = TimeSpan.FromMilliseconds(50);
    private static readonly string DoneOnly = JsonSerializer.Serialize(new[] { "Done" });
    private static readonly string ReviewOutcomes = JsonSerializer.Serialize(Tasks.OverdueReviews.Outcomes);

    /// <summary>The first batch, in the step's transaction. Returns the rows touched; a full batch means there may be more.</summary>
    public static async Task<int> RunAsync(ReconnectDbContext db, WorkflowState state, RunCheckEffect check, CancellationToken cancellationToken) =>
        (await RunBatchAsync(db, state.Id, state.UpdatedAt, check, StepBatchSize, after: null, cancellationToken)).Touched;

    /// <summary>
    /// The batches after the first, each in a transaction of its own, until one is not full. Returns the rows touched.
    /// </summary>
    public static async Task<int> ContinueAsync(IDbContextFactory<ReconnectDbContext> contexts, string instanceId, DateTimeOffset now, RunCheckEffect check,
        Action<int, TimeSpan>? onBatch, CancellationToken cancellationToken)
    {
        var total = 0;
        string? after = null;
        while (true)
        {
            int touched;
            var began = System.Diagnostics.Stopwatch.GetTimestamp();
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            await using (var tx = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                (touched, after) = await RunBatchAsync(db, instanceId, now, check, BatchSize, after, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
            onBatch?.Invoke(touched, System.Diagnostics.Stopwatch.GetElapsedTime(began));
            total += touched;
            if (touched < BatchSize) return total;
            await Task.Delay(PauseBetweenBatches, cancellationToken);
        }
    }

    /// <summary>
    /// One batch of a check: at most <paramref name="batchSize"/> rows whose id is after <paramref name="after"/> (null:
    /// from the start), in id order, written to <paramref name="db"/> (saved by the caller). Returns the rows touched and
    /// the last id touched: the next batch starts after it, so a run reads each row once rather than rereading what
    /// earlier batches passed over (rows before it that match still are picked up by the next run).
    /// </summary>
    internal static async Task<(int Touched, string? Last)> RunBatchAsync(ReconnectDbContext db, string instanceId, DateTimeOffset now, RunCheckEffect check,
        int batchSize, string? after, CancellationToken cancellationToken)
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
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && !t.IsOverdue && t.DueAt != null && t.DueAt < now
                        && (after == null || string.Compare(t.Id, after) > 0))
                    .OrderBy(t => t.Id)
                    .Take(batchSize)
                    .Select(t => t.Id)
                    .ToListAsync(cancellationToken);
                if (ids.Count == 0) return (0, after);
                await db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsOverdue, true), cancellationToken);
                return (ids.Count, ids[^1]);
            }

            case ReferralChecks.EscalateOverdueTasks:
            {
                // A task's own time (its due time + escalateAfter, TaskRows.EscalateAt); rows from before escalateAfter
                // existed (no EscalateAt) by the check's "days".
                var legacyLimit = now.AddDays(-days);
                var overdue = await db.Tasks.AsNoTracking()
                    .Where(t => (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && t.EscalatedAt == null && t.AssigneeRole != Roles.Manager
                        && ((t.EscalateAt != null && t.EscalateAt <= now) || (t.EscalateAt == null && t.DueAt != null && t.DueAt < legacyLimit))
                        && (after == null || string.Compare(t.Id, after) > 0))
                    .OrderBy(t => t.Id)
                    .Take(batchSize)
                    .Select(t => new { t.Id, t.Title, t.DueAt, t.Site, t.SubjectId, t.Assignee })
                    .ToListAsync(cancellationToken);
                foreach (var task in overdue)
                {
                    // Once: the guarded UPDATE is the claim. A second run, or a run on another node at the same moment
                    // (PostgreSQL re-checks the guard after the first commits), changes nothing and raises nothing.
                    var id = task.Id;
                    if (await db.Tasks.Where(t => t.Id == id && t.EscalatedAt == null && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed))
                            .ExecuteUpdateAsync(s => s.SetProperty(t => t.EscalatedAt, now), cancellationToken) != 1)
                        continue;
                    var dueDate = LondonTime.Format(LondonTime.ToLondonDate(task.DueAt!.Value));
                    // The title names the overdue task; who it is about, its navigator and how late it is are read live
                    // with the task (OverdueReviews.DescribeAsync), so they are right on the day the manager looks.
                    var named = $"{title ?? "Review: overdue task"} — {task.Title}";
                    AddStandalone(db, instanceId, now, named.Length <= 300 ? named : named[..300],
                        $"'{task.Title}' was due {dueDate} and is still open. Reassign it to another navigator, chase its navigator (it stays with them), or close the review.",
                        Roles.Manager, null, task.Site, task.SubjectId, due, new JsonObject { ["overdueTaskId"] = task.Id, ["check"] = check.Check }, ReviewOutcomes);
                    if (task.Assignee is { } assignee)
                        Notifications.NotificationRows.Add(db, assignee, Notifications.NotificationKinds.TaskEscalated,
                            $"'{task.Title}' (due {dueDate}) is still open and was escalated to the managers.", "/inbox", now);
                }
                return (overdue.Count, overdue.Count > 0 ? overdue[^1].Id : after);
            }

            case ReferralChecks.ConfirmUnconfirmedReleases:
            {
                var today = LondonTime.Today(now);
                // One open "Confirm release" per referral: looked up per referral by the SubjectId index (not a set of
                // every open task built for each batch).
                var unconfirmed = await db.Referrals
                    .Where(r => r.ClosedAt == null && r.ReleasedOn == null && r.ReleaseDate != null && r.ReleaseDate < today
                        && (after == null || string.Compare(r.Id, after) > 0)
                        && !db.Tasks.Any(t => t.SubjectId == r.Id && t.ActivityId == ReferralChecks.ConfirmUnconfirmedReleases
                            && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed)))
                    .OrderBy(r => r.Id)
                    .Take(batchSize)
                    .Select(r => new { r.Id, r.Site, r.NavigatorId, r.ReleaseDate })
                    .ToListAsync(cancellationToken);
                // Staff (issue #12): an absent navigator's go to their cover, or the site's queue.
                var routed = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var navigator in unconfirmed.Select(r => r.NavigatorId).OfType<string>().Distinct(StringComparer.Ordinal))
                    routed[navigator] = await Staff.StaffAvailability.RouteAsync(db, navigator, now, cancellationToken);
                foreach (var referral in unconfirmed)
                    AddStandalone(db, instanceId, now, title ?? "Confirm release", $"The release date {LondonTime.Format(referral.ReleaseDate!.Value)} has passed and no release was recorded. Record the release (or the new date) on the case page.",
                        Roles.Navigator, referral.NavigatorId is { } n ? routed[n] : null, referral.Site, referral.Id, due, new JsonObject { ["check"] = check.Check });
                return (unconfirmed.Count, unconfirmed.Count > 0 ? unconfirmed[^1].Id : after);
            }

            default:
                throw new InvalidOperationException($"Unknown check '{check.Check}'.");
        }
    }

    private static void AddStandalone(ReconnectDbContext db, string instanceId, DateTimeOffset now, string title, string description, string role, string? assignee,
        string? site, string? subjectId, DateTimeOffset due, JsonObject data, string? outcomesJson = null) =>
        db.Tasks.Add(new WorkflowTaskRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            InstanceId = instanceId,
            BookmarkId = StandaloneBookmark,
            ActivityId = ValueConverter.ToText(data["check"]) ?? "check",
            ActivityType = "Reconnect.QueryReferrals",
            Title = title,
            Description = description,
            OutcomesJson = outcomesJson ?? DoneOnly,
            DueAt = due,
            EscalateAt = Persistence.TaskRows.EscalateAt(due, (System.Text.Json.Nodes.JsonNode?)null),
            Status = TaskStatuses.Open,
            Site = site,
            Assignee = assignee,
            AssigneeRole = role,
            SubjectId = subjectId,
            CreatedAt = now,
            DataJson = data.ToJsonString(),
        });
}
