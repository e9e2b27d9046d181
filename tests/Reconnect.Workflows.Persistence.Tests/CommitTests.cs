using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;
using static Reconnect.Workflows.Persistence.Tests.Infrastructure.Flow;

namespace Reconnect.Workflows.Persistence.Tests;

public class CommitTests
{
    /// <summary>Start → SetVariable → Fork → StartAt (from the variable) + RunTask + Event: the default pathway's first bookmarks in small.</summary>
    public static WorkflowDefinition Pathway() => new Flow("pathway")
        .Variable("releaseDate", "String")
        .Add("start", "Elsa.Start")
        .SetVariable("set", "releaseDate", Lit("2027-03-01"))
        .Add("fork", "Elsa.FlowFork", ("branches", Lit("A,B,C")))
        .Add("timer", "Elsa.StartAt", ("dateTime", Js("variables.releaseDate")))
        .Add("task", "Elsa.RunTask", ("taskName", Lit("First contact")))
        .Add("listen", "Elsa.Event", ("eventName", Lit("consent-withdrawn")))
        .Add("end", "Elsa.Finish")
        .Chain("start", "set", "fork")
        .Connect("fork", "timer", "A").Connect("fork", "task", "B").Connect("fork", "listen", "C")
        .Connect("listen", "end")
        .Build();

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Start_CommitsStateBookmarksJournalAndTask(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(Pathway());

        var started = await t.Runtime.StartAsync("pathway", new JsonObject { ["x"] = 1 }, "ref-1");

        Assert.True(started.Succeeded);
        var id = started.State!.Id;
        Assert.Equal(WorkflowStatus.Suspended, started.State.Status);
        await using var db = await t.Contexts.CreateDbContextAsync();
        var instance = await db.WorkflowInstances.AsNoTracking().SingleAsync();
        Assert.Equal((id, "Suspended", 1L, "ref-1", "pathway", 1), (instance.Id, instance.Status, instance.Version, instance.CorrelationId, instance.DefinitionId, instance.DefinitionVersion));

        var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == id).ToListAsync();
        Assert.Equal(["listen", "task", "timer"], bookmarks.Select(b => b.ActivityId).Order());
        var timer = bookmarks.Single(b => b.ActivityId == "timer");
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero), timer.DueAt);
        Assert.Equal(BookmarkKey.ForEvent("consent-withdrawn"), bookmarks.Single(b => b.ActivityId == "listen").Hash);
        Assert.All(bookmarks, b => Assert.Equal("ref-1", b.CorrelationId));

        var task = await db.Tasks.AsNoTracking().SingleAsync();
        var taskBookmark = bookmarks.Single(b => b.ActivityId == "task");
        Assert.Equal((id, taskBookmark.Id, "Open", "First contact"), (task.InstanceId, task.BookmarkId, task.Status, task.Title));
        Assert.Equal(BookmarkKey.ForTask(task.Id), taskBookmark.Hash);

        Assert.Equal(started.Step!.Trace.Count, await t.CountAsync("JournalEntries", "\"InstanceId\" = @i", ("@i", id)));
        Assert.Equal(1, await t.JournalCountAsync(id, TraceKinds.Started));
        Assert.Equal(1, await t.JournalCountAsync(id, TraceKinds.TaskCreated));

        var loaded = await t.Store.LoadAsync(id);
        Assert.Equal(1, loaded!.Version);
        Assert.Equal("2027-03-01", loaded.Variables["releaseDate"]!.ToString());
        Assert.Equal(3, loaded.Bookmarks.Count);
        Assert.Empty(loaded.Journal); // the journal lives in its own table, not in the state JSON
        var open = await t.Store.ListOpenTasksAsync(id);
        Assert.Equal("First contact", Assert.Single(open).Title);

        // Completing the task: the Tasks row is completed and the bookmark claimed, in the same commit.
        var completed = await t.Runtime.CompleteTaskAsync(task.Id, "Done", new JsonObject { ["notes"] = "rang" });
        Assert.Equal(ResumeStatus.Resumed, completed.Status);
        var after = await t.Store.FindTaskAsync(task.Id);
        Assert.Equal((TaskRecordStatus.Completed, "Done"), (after!.Status, after.Outcome));
        Assert.Equal(2, await t.CountAsync("Bookmarks"));
        Assert.Equal(ResumeStatus.NotFound, (await t.Runtime.CompleteTaskAsync(task.Id, "Done")).Status);
    }

    private static WorkflowDefinition EventThenTask() => new Flow("event-task")
        .Variable("x", "Number")
        .Add("e", "Elsa.Event", ("eventName", Lit("go")))
        .Add("task", "Elsa.RunTask", ("taskName", Lit("After go")))
        .Add("w", "Elsa.WriteLine", ("text", Lit("after")))
        .Chain("e", "task", "w")
        .Build();

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Commit_StaleVersion_IsConflict_AndWritesNothing(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        var definition = await t.PublishAsync(EventThenTask());
        var id = (await t.Runtime.StartAsync("event-task", null, "c-1")).State!.Id;
        var stale = (await t.Store.LoadAsync(id))!;
        Assert.True((await t.Runtime.SetVariablesAsync(id, new JsonObject { ["x"] = 2 })).Succeeded); // someone else commits first
        var before = await t.CountAllAsync();
        Assert.Equal(0, before.Tasks);

        // A step from the stale state: it would claim the event bookmark, add a task bookmark, a task row and journal lines.
        var bookmark = stale.Bookmarks.Single();
        var step = t.Runner.Step(definition, stale, new Stimulus.Resume(bookmark.Id, null), t.Clock.GetUtcNow());
        Assert.NotEmpty(step.Effects.OfType<CreateTaskEffect>());
        Assert.NotEmpty(step.BookmarksAdded);
        var outcome = await t.Store.CommitAsync(new StepCommit(step.State, step, new Stimulus.Resume(bookmark.Id, null)));

        Assert.Equal(CommitOutcome.Conflict, outcome);
        Assert.Equal(before, await t.CountAllAsync());
        Assert.Equal(1, await t.CountAsync("Bookmarks", "\"Id\" = @b", ("@b", bookmark.Id)));
        Assert.Equal(2, await t.ScalarAsync("SELECT \"Version\" FROM \"WorkflowInstances\" WHERE \"Id\" = @i", ("@i", id)));
        Assert.Equal(0, await t.JournalCountAsync(id, TraceKinds.EventReceived));

        // The runtime, from fresh state, still resumes it once.
        Assert.Equal(1, await t.Runtime.PublishEventAsync("go", "c-1"));
        Assert.Equal(1, await t.CountAsync("Tasks"));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Commit_ResumedBookmarkRowAlreadyGone_IsConflict_AndWritesNothing(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        var definition = await t.PublishAsync(EventThenTask());
        var id = (await t.Runtime.StartAsync("event-task", null, "c-1")).State!.Id;
        var state = (await t.Store.LoadAsync(id))!;
        var bookmark = state.Bookmarks.Single();
        // Another node claimed the row (the version is unchanged: only the claim stands between the two).
        await t.ScalarAsync("DELETE FROM \"Bookmarks\" WHERE \"Id\" = @b", ("@b", bookmark.Id));
        var before = await t.CountAllAsync();

        var step = t.Runner.Step(definition, state, new Stimulus.Resume(bookmark.Id, null), t.Clock.GetUtcNow());
        var outcome = await t.Store.CommitAsync(new StepCommit(step.State, step, new Stimulus.Resume(bookmark.Id, null)));

        Assert.Equal(CommitOutcome.Conflict, outcome);
        Assert.Equal(before, await t.CountAllAsync());
        Assert.Equal(1, await t.ScalarAsync("SELECT \"Version\" FROM \"WorkflowInstances\" WHERE \"Id\" = @i", ("@i", id)));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Start_SameInstanceIdTwice_SecondIsConflict(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        var definition = await t.PublishAsync(EventThenTask());
        var now = t.Clock.GetUtcNow();
        StepCommit NewStart()
        {
            var state = t.Runner.CreateInstance(definition, now, "fixed-id");
            var step = t.Runner.Step(definition, state, new Stimulus.Start(null, null, null), now);
            return new StepCommit(step.State, step, new Stimulus.Start(null, null, null));
        }

        Assert.Equal(CommitOutcome.Committed, await t.Store.CommitAsync(NewStart()));
        var before = await t.CountAllAsync();
        Assert.Equal(CommitOutcome.Conflict, await t.Store.CommitAsync(NewStart()));
        Assert.Equal(before, await t.CountAllAsync());
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Fault_WritesIncidentRow(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(new Flow("faulty")
            .Variable("v")
            .Add("start", "Elsa.Start")
            .SetVariable("boom", "v", Js("throw new Error('boom')"))
            .Chain("start", "boom").Build());

        var started = await t.Runtime.StartAsync("faulty");

        Assert.Equal(WorkflowStatus.Faulted, started.State!.Status);
        await using var db = await t.Contexts.CreateDbContextAsync();
        var incident = await db.Incidents.AsNoTracking().SingleAsync();
        Assert.Equal((started.State.Id, "boom", "Elsa.SetVariable"), (incident.InstanceId, incident.ActivityId, incident.ActivityType));
        Assert.Contains("boom", incident.Message);
        Assert.Equal("Faulted", (await db.WorkflowInstances.AsNoTracking().SingleAsync()).Status);
        Assert.Equal(1, await t.JournalCountAsync(started.State.Id, TraceKinds.Faulted));
    }
}
