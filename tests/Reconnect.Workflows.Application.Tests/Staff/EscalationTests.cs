using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Checks;
using Reconnect.Workflows.Application.Notifications;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Tests.Infrastructure;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Activities;

namespace Reconnect.Workflows.Application.Tests.Staff;

/// <summary>
/// Escalation of overdue work (issue #12, docs/tasks.md "Escalation"): a task past its due time + <c>escalateAfter</c> is
/// escalated once — one manager review, one notification to its assignee — however many runs, restarts and nodes.
/// </summary>
public class EscalationTests
{
    private const string Review = "Review: overdue task";

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Escalate_RunAgainAfterARestart_EscalatesEachDueTaskOnceWithOneReviewAndOneNotification(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var now = kit.Service<ControllableTimeProvider>().GetUtcNow();
        await SeedAsync(kit,
            Task("late", due: now.AddDays(-3), escalateAfter: null, assignee: ApplicationKit.NavigatorLeeds),     // due + P2D passed
            Task("not-yet", due: now.AddDays(-1), escalateAfter: null, assignee: ApplicationKit.NavigatorLeeds),  // due + P2D ahead
            Task("short", due: now.AddHours(-2), escalateAfter: "PT1H", assignee: null),                        // its own PT1H passed
            Task("done", due: now.AddDays(-5), escalateAfter: null, assignee: ApplicationKit.NavigatorLeeds, status: TaskStatuses.Completed));

        await EscalateAsync(kit.Services, now);
        // A restart: a new composition on the same database, nothing in memory carried over; the check runs again.
        await using (var restarted = kit.NewNode())
            await EscalateAsync(restarted, now.AddMinutes(5));

        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var escalated = await db.Tasks.Where(t => t.EscalatedAt != null).Select(t => t.Id).OrderBy(i => i).ToListAsync();
        Assert.Equal(["late", "short"], escalated);
        Assert.All(await db.Tasks.Where(t => t.EscalatedAt != null).ToListAsync(), t => Assert.Equal(now, t.EscalatedAt!.Value, TimeSpan.FromMilliseconds(1)));
        var reviews = await db.Tasks.Where(t => t.Title.StartsWith(Review)).Select(t => t.DataJson!).ToListAsync();
        Assert.Equal(["late", "short"], reviews.Select(r => JsonNode.Parse(r)!["overdueTaskId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var notes = await db.Notifications.ToListAsync();
        var note = Assert.Single(notes);
        Assert.Equal((ApplicationKit.NavigatorLeeds, NotificationKinds.TaskEscalated), (note.UserId, note.Kind));
        Assert.Contains("Task late", note.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Escalate_TwoNodesAtTheSameMoment_EscalatesEachTaskOnce(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var now = kit.Service<ControllableTimeProvider>().GetUtcNow();
        const int count = 40;
        await SeedAsync(kit, [.. Enumerable.Range(0, count).Select(i => Task($"t{i:D3}", now.AddDays(-4), null, ApplicationKit.NavigatorLeeds))]);

        await using var first = kit.NewNode();
        await using var second = kit.NewNode();
        using var start = new SemaphoreSlim(0, 2);
        var a = System.Threading.Tasks.Task.Run(async () => { await start.WaitAsync(); await EscalateAsync(first, now, retryBusy: true); });
        var b = System.Threading.Tasks.Task.Run(async () => { await start.WaitAsync(); await EscalateAsync(second, now, retryBusy: true); });
        start.Release(2);
        await System.Threading.Tasks.Task.WhenAll(a, b);

        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        Assert.Equal(count, await db.Tasks.CountAsync(t => t.ActivityId == "seeded" && t.EscalatedAt != null));
        var reviewed = (await db.Tasks.Where(t => t.Title.StartsWith(Review)).Select(t => t.DataJson!).ToListAsync())
            .Select(r => JsonNode.Parse(r)!["overdueTaskId"]!.GetValue<string>()).ToList();
        Assert.Equal(count, reviewed.Count);
        Assert.Equal(count, reviewed.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(count, await db.Notifications.CountAsync(n => n.Kind == NotificationKinds.TaskEscalated));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Attention_EscalatedOpenTasks_ListedForManagersOnlyAndFlaggedInTheNavigatorsList(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var now = kit.Service<ControllableTimeProvider>().GetUtcNow();
        await SeedAsync(kit,
            Task("late", now.AddDays(-3), null, ApplicationKit.NavigatorLeeds),
            Task("fine", now.AddDays(1), null, ApplicationKit.NavigatorLeeds),
            Task("late-done", now.AddDays(-9), null, ApplicationKit.NavigatorLeeds));
        await EscalateAsync(kit.Services, now);
        await using (var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
            await db.Tasks.Where(t => t.Id == "late-done").ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TaskStatuses.Completed));
        var work = kit.Service<TaskWork>();
        var query = TaskListQuery.TryParse(null, null, null, null, null, null, "attention", out var errors);
        Assert.NotNull(query);
        Assert.Empty(errors);

        var page = Assert.IsType<TaskListResult.Page>(await work.ListAsync(ApplicationKit.Manager, query));
        var listed = Assert.Single(page.Tasks.Items);
        Assert.Equal("late", listed.Id);
        Assert.True(listed.Escalated);
        Assert.IsType<TaskListResult.Forbidden>(await work.ListAsync(ApplicationKit.Navigator(), query));
        Assert.IsType<TaskListResult.Forbidden>(await work.ListAsync(ApplicationKit.Admin, query));

        var mine = Assert.IsType<TaskListResult.Page>(await work.ListAsync(ApplicationKit.Navigator(), TaskListQuery.TryParse("me", null, null, null, null, null, out _)!));
        Assert.True(mine.Tasks.Items.Single(t => t.Id == "late").Escalated);
        Assert.False(mine.Tasks.Items.Single(t => t.Id == "fine").Escalated);
        Assert.Null(TaskListQuery.TryParse(null, null, null, null, null, null, "everything", out var bad));
        Assert.Contains("view", bad.Keys);
    }

    [Theory]
    [InlineData("Sqlite")]
    public async Task CreateReferral_FirstContact_EscalatesAtItsDueTimePlusThePathwaysEscalateAfter(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var referral = await Infrastructure.Referrals.CreateAsync(kit);
        var id = await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact");
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var task = await db.Tasks.SingleAsync(t => t.Id == id);
        Assert.NotNull(task.DueAt);
        Assert.Equal(task.DueAt + TimeSpan.FromDays(2), task.EscalateAt);
        Assert.Equal("P2D", JsonNode.Parse(task.DataJson!)!["escalateAfter"]!.GetValue<string>());
    }

    [Fact]
    public void EscalateAt_OwnDurationDefaultOrNoDueTime_AsDocumented()
    {
        var due = new DateTimeOffset(2027, 3, 1, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal(due.AddHours(12), TaskRows.EscalateAt(due, """{"escalateAfter":"PT12H"}"""));
        Assert.Equal(due.AddDays(2), TaskRows.EscalateAt(due, """{"tag":"x"}"""));
        Assert.Equal(due.AddDays(2), TaskRows.EscalateAt(due, "not json"));
        Assert.Equal(due.AddDays(2), TaskRows.EscalateAt(due, """{"escalateAfter":"-P1D"}"""));
        Assert.Null(TaskRows.EscalateAt(null, """{"escalateAfter":"PT12H"}"""));
    }

    // ------------------------------------------------------------------ helpers

    private static WorkflowTaskRecord Task(string id, DateTimeOffset due, string? escalateAfter, string? assignee, string status = TaskStatuses.Open)
    {
        var data = escalateAfter is null ? null : new JsonObject { ["escalateAfter"] = escalateAfter }.ToJsonString();
        return new WorkflowTaskRecord
        {
            Id = id, InstanceId = "seeded-instance", BookmarkId = "", ActivityId = "seeded", ActivityType = "Reconnect.NavigatorTask",
            Title = $"Task {id}", OutcomesJson = "[\"Done\"]", DueAt = due, EscalateAt = TaskRows.EscalateAt(due, data), Status = status, Site = "LEI",
            Assignee = assignee, AssigneeRole = "Navigator", CreatedAt = due.AddDays(-2), DataJson = data,
        };
    }

    private static async Task SeedAsync(ApplicationKit kit, params WorkflowTaskRecord[] tasks)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        db.Tasks.AddRange(tasks);
        await db.SaveChangesAsync();
    }

    /// <summary>The daily check's escalation, as a run after its step does it (batches, each its own transaction).</summary>
    private static async Task EscalateAsync(IServiceProvider node, DateTimeOffset now, bool retryBusy = false)
    {
        var check = new RunCheckEffect(ReferralChecks.EscalateOverdueTasks, new JsonObject { ["days"] = 3, ["title"] = Review });
        var contexts = node.GetRequiredService<IDbContextFactory<ReconnectDbContext>>();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ReferralChecksRunner.ContinueAsync(contexts, "check-instance", now, check, null, CancellationToken.None);
                return;
            }
            // SQLite lets one writer in at a time: the other's transaction fails and the run is retried, as the daily
            // check's next run would; what matters is that nothing is escalated twice.
            catch (Exception ex) when (retryBusy && attempt < 20 && ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                await System.Threading.Tasks.Task.Delay(50);
            }
        }
    }
}
