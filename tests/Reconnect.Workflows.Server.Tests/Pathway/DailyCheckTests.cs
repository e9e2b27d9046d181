using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Scheduling;
using static Reconnect.Workflows.Server.Tests.Pathway.PathwayKit;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>The daily follow-up check (workflows/daily-follow-up-check.json) run by triggering its schedule.</summary>
public class DailyCheckTests
{
    internal static async Task RunCheckAsync(HttpClient scheduler)
    {
        var before = (await SchedulingKit.RunsAsync(scheduler, SchedulingKit.DailyCheck)).Count;
        var response = await scheduler.PostAsync($"/api/schedules/{SchedulingKit.DailyCheck}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        JsonArray runs = [];
        await SchedulingKit.EventuallyAsync(async () =>
        {
            runs = await SchedulingKit.RunsAsync(scheduler, SchedulingKit.DailyCheck);
            return runs.Count > before && runs.All(r => r!["finishedAt"] is not null);
        }, "the daily check's run");
        Assert.All(runs, r => Assert.True(r!["succeeded"]!.GetValue<bool>(), r["message"]?.GetValue<string>()));
    }

    [Fact]
    public async Task DailyCheck_RunTwice_MarksOverdueEscalatesEachLongOverdueTaskOnceAndAsksOnceToConfirmRelease()
    {
        await using var kit = await StartAsync();
        var scheduler = await kit.App.LoginAsync(ReconnectApp.Scheduler);
        var today = kit.Today;
        var later = await kit.CreateAsync(releaseInDays: 30, prisonNumber: "A1111AA");
        var soon = await kit.CreateAsync(releaseInDays: 1, prisonNumber: "B2222BB");
        var navigator = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);

        // Day 4: both first contacts (due day 2) are overdue by a day and a bit: marked, not escalated.
        // The release date of the second (day 1) has passed with no 'released' event: a 'Confirm release' task.
        await kit.AdvanceToAsync(today.AddDays(4));
        await RunCheckAsync(scheduler);
        foreach (var id in new[] { later, soon })
        {
            var firstContact = await kit.OpenTaskAsync(id, "First contact");
            Assert.True(firstContact.IsOverdue);
            Assert.Null(firstContact.EscalatedAt);
            Assert.False(await kit.HasOpenTaskAsync(id, "Review: overdue task — First contact"));
        }
        var confirm = await kit.OpenTaskAsync(soon, "Confirm release");
        Assert.Equal(Roles.Navigator, confirm.AssigneeRole);
        Assert.Equal(navigator, confirm.Assignee);
        Assert.Equal(today.AddDays(5), DueDate(confirm));
        Assert.False(await kit.HasOpenTaskAsync(later, "Confirm release"));

        // Day 6: overdue by more than three days: one manager review per task, and only once however often the check runs.
        await kit.AdvanceToAsync(today.AddDays(6));
        await RunCheckAsync(scheduler);
        await RunCheckAsync(scheduler);
        foreach (var id in new[] { later, soon })
        {
            var firstContact = (await kit.TasksAsync(id)).Single(t => t.Title == "First contact");
            Assert.NotNull(firstContact.EscalatedAt);
            var review = await kit.OpenTaskAsync(id, "Review: overdue task — First contact");
            Assert.Equal(["Reassign", "Chase", "Done"], System.Text.Json.JsonSerializer.Deserialize<string[]>(review.OutcomesJson)!);
            Assert.Equal(Roles.Manager, review.AssigneeRole);
            Assert.Equal(firstContact.Id, JsonNode.Parse(review.DataJson!)!["overdueTaskId"]!.GetValue<string>());
        }
        Assert.Single(await kit.TasksAsync(soon), t => t.Title == "Confirm release");
        Assert.False(await kit.HasOpenTaskAsync(later, "Confirm release"));
        await using var db = await kit.DbAsync();
        Assert.Equal(3, await db.WorkflowInstances.CountAsync(i => i.DefinitionId == SchedulingKit.DailyCheck));
        Assert.Equal(2, await db.Tasks.CountAsync(t => t.Title.StartsWith("Review: overdue task")));
    }

    [Fact]
    public async Task DailyCheck_ReleaseRecorded_AsksNothing()
    {
        await using var kit = await StartAsync();
        var scheduler = await kit.App.LoginAsync(ReconnectApp.Scheduler);
        var today = kit.Today;
        var id = await kit.CreateAsync(releaseInDays: 1);
        await kit.CompleteAsync(id, "First contact", "Engaged");
        await kit.AdvanceToAsync(today.AddDays(1), 12);
        await kit.SendAsync(id, "released", new JsonObject { ["date"] = Iso(today.AddDays(1)) });
        Assert.Equal(today.AddDays(1), (await kit.ReferralAsync(id)).ReleasedOn);

        await kit.AdvanceToAsync(today.AddDays(3));
        await RunCheckAsync(scheduler);

        Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title == "Confirm release");
    }

    [Fact]
    public async Task DailyCheck_MoreRowsThanOneBatch_HandlesEveryRowOnceAndCountsThemOnTheRun()
    {
        await using var kit = await StartAsync();
        var scheduler = await kit.App.LoginAsync(ReconnectApp.Scheduler);
        // More long-overdue tasks than two batches hold: the step does the first batch, the job the rest, batch by batch.
        var count = 2 * Reconnect.Workflows.Application.Checks.ReferralChecksRunner.BatchSize + 37;
        var due = kit.Now.AddDays(-10);
        await using (var db = await kit.DbAsync())
        {
            for (var i = 0; i < count; i++)
            {
                db.Tasks.Add(new Reconnect.Workflows.Persistence.Entities.WorkflowTaskRecord
                {
                    Id = $"seeded-{i:D5}", InstanceId = "seeded-instance", BookmarkId = "", ActivityId = "seeded", ActivityType = "Reconnect.NavigatorTask",
                    Title = "Seeded task", OutcomesJson = "[\"Done\"]", DueAt = due, Status = "Open", Site = "LEI", AssigneeRole = Roles.Navigator,
                    CreatedAt = due.AddDays(-1),
                });
            }
            await db.SaveChangesAsync();
        }

        await RunCheckAsync(scheduler);
        await RunCheckAsync(scheduler);

        await using var after = await kit.DbAsync();
        Assert.Equal(count, await after.Tasks.CountAsync(t => t.ActivityId == "seeded" && t.IsOverdue && t.EscalatedAt != null));
        var reviews = await after.Tasks.Where(t => t.Title == "Review: overdue task — Seeded task").Select(t => t.DataJson!).ToListAsync();
        Assert.Equal(count, reviews.Count);
        Assert.Equal(count, reviews.Select(r => JsonNode.Parse(r)!["overdueTaskId"]!.GetValue<string>()).Distinct().Count());
        // The first run's row counts every batch (the second found nothing left to do).
        var runs = await SchedulingKit.RunsAsync(scheduler, SchedulingKit.DailyCheck);
        var messages = runs.Select(r => r!["message"]!.GetValue<string>()).ToList();
        Assert.Contains(messages, m => m.Contains($"MarkOverdueTasks {count}", StringComparison.Ordinal) && m.Contains($"EscalateOverdueTasks {count}", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("MarkOverdueTasks 0", StringComparison.Ordinal) && m.Contains("EscalateOverdueTasks 0", StringComparison.Ordinal));
    }
}
