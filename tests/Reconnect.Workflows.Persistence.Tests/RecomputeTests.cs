using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;
using static Reconnect.Workflows.Persistence.Tests.Infrastructure.Flow;

namespace Reconnect.Workflows.Persistence.Tests;

/// <summary>SPEC §5: timers and due dates computed from a variable follow it, in the database too.</summary>
public class RecomputeTests
{
    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task StartAt_RecomputedBySetVariables_MovesBookmarkRowDueAt(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(new Flow("release")
            .Variable("releaseDate", "String", JsonValue.Create("2027-03-01"))
            .Add("timer", "Elsa.StartAt", ("dateTime", Js("variables.releaseDate")))
            .Add("w", "Elsa.WriteLine", ("text", Lit("release day")))
            .Chain("timer", "w").Build());
        var id = (await t.Runtime.StartAsync("release")).State!.Id;
        await using (var db = await t.Contexts.CreateDbContextAsync())
            Assert.Equal(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero), (await db.Bookmarks.AsNoTracking().SingleAsync()).DueAt);

        // A summer date: the start of the day in London is 23:00 UTC the day before (an offset of +01:00 in the step).
        var result = await t.Runtime.SetVariablesAsync(id, new JsonObject { ["releaseDate"] = "2027-07-15" });

        Assert.True(result.Succeeded, result.Message);
        var expected = LondonTime.StartOfDay(new DateOnly(2027, 7, 15));
        await using (var db = await t.Contexts.CreateDbContextAsync())
        {
            var row = await db.Bookmarks.AsNoTracking().SingleAsync();
            Assert.Equal("timer", row.ActivityId);
            Assert.Equal(expected, row.DueAt);
            Assert.Equal(new DateTimeOffset(2027, 7, 14, 23, 0, 0, TimeSpan.Zero), row.DueAt!.Value.ToUniversalTime());
        }
        Assert.Equal(1, await t.JournalCountAsync(id, TraceKinds.TimerRescheduled));

        // The old due time passes: nothing fires. The new one: it fires once.
        t.Clock.Advance(TimeSpan.FromDays(60));
        Assert.Equal(0, await t.Runtime.DispatchDueTimersAsync());
        t.Clock.SetUtcNow(expected.AddMinutes(1));
        Assert.Equal(1, await t.Runtime.DispatchDueTimersAsync());
        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(id))!.Status);
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task RescheduleTask_MovesTaskRowDueAt_AndKeepsBookmark(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider, DueTaskActivity.Registry());
        await t.PublishAsync(new Flow("due-task")
            .Variable("due", "String", JsonValue.Create("2027-02-01T09:00:00Z"))
            .Add("task", DueTaskActivity.TypeName, ("title", Lit("Follow-up check")), ("due", Js("variables.due")))
            .Add("w", "Elsa.WriteLine", ("text", Lit("done")))
            .Chain("task", "w").Build());
        var started = await t.Runtime.StartAsync("due-task");
        var id = started.State!.Id;
        var bookmarkId = started.State.Bookmarks.Single().Id;
        var taskId = (await t.Store.ListOpenTasksAsync(id)).Single().TaskId;
        Assert.Equal(new DateTimeOffset(2027, 2, 1, 9, 0, 0, TimeSpan.Zero), (await t.Store.FindTaskAsync(taskId))!.DueAt);

        var result = await t.Runtime.SetVariablesAsync(id, new JsonObject { ["due"] = "2027-08-02T09:00:00+01:00" });

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains(result.Step!.Effects, e => e is RescheduleTaskEffect);
        var expected = new DateTimeOffset(2027, 8, 2, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, (await t.Store.FindTaskAsync(taskId))!.DueAt);
        await using (var db = await t.Contexts.CreateDbContextAsync())
        {
            var row = await db.Bookmarks.AsNoTracking().SingleAsync();
            Assert.Equal(bookmarkId, row.Id);
            Assert.Equal(expected, ValueConverterDue(row.PayloadJson));
        }
        Assert.Equal(1, await t.CountAsync("Tasks"));

        var completed = await t.Runtime.CompleteTaskAsync(taskId, "Done");
        Assert.Equal(ResumeStatus.Resumed, completed.Status);
        Assert.Equal(TaskRecordStatus.Completed, (await t.Store.FindTaskAsync(taskId))!.Status);
        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(id))!.Status);
    }

    private static DateTimeOffset ValueConverterDue(string? payloadJson) =>
        Engine.Activities.ValueConverter.ToInstant(JsonNode.Parse(payloadJson!)!["due"]);
}
