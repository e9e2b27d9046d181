using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Web.Components;
using Reconnect.Workflows.Web.Components.Instances;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>Pages say what happened in words: the instance journal and the schedules' runs (issue 15, "plain words").</summary>
public class PlainWordsTests
{
    private static string Label(string id) => id switch { "firstContact" => "First contact", "weekBefore" => "Week before release", _ => id };

    [Fact]
    public void JournalWords_EachKindOfLine_IsASentenceWithTheActivitysName()
    {
        Assert.Equal("Waiting at First contact for the task (due 2026-12-08 23:59).", JournalWords.Describe(TraceKinds.BookmarkCreated, "firstContact",
            new JsonObject { ["stimulus"] = "Task", ["due"] = "2026-12-08T23:59:59+00:00", ["taskId"] = "t1" }, Label));
        Assert.Equal("Waiting at Week before release until 2026-07-01 00:00.", JournalWords.Describe(TraceKinds.BookmarkCreated, "weekBefore",
            new JsonObject { ["stimulus"] = "Timer", ["due"] = "2026-07-01T00:00:00+01:00" }, Label));
        Assert.Equal("The timer at Week before release fired (due 2026-07-01 00:00).", JournalWords.Describe(TraceKinds.TimerFired, "weekBefore",
            new JsonObject { ["due"] = "2026-06-30T23:00:00+00:00" }, Label));
        Assert.Equal("The task at First contact was completed: Engaged.", JournalWords.Describe(TraceKinds.TaskCompleted, "firstContact",
            new JsonObject { ["input"] = new JsonObject { ["outcome"] = "Engaged" } }, Label));
        Assert.Equal("The event 'released' arrived at listen.", JournalWords.Describe(TraceKinds.EventReceived, "listen", new JsonObject { ["name"] = "released" }, Label));
        Assert.Equal("First contact ran → Engaged.", JournalWords.Describe(TraceKinds.ActivityExecuted, "firstContact",
            new JsonObject { ["outcomes"] = new JsonArray("Engaged") }, Label));
        Assert.Equal("The workflow started (version 3).", JournalWords.Describe(TraceKinds.Started, null, new JsonObject { ["version"] = 3 }, Label));
        Assert.Equal("First contact failed: boom.", JournalWords.Describe(TraceKinds.Faulted, "firstContact", new JsonObject { ["message"] = "boom" }, Label));
        Assert.Equal("The workflow finished.", JournalWords.Describe(TraceKinds.Finished, null, null, Label));
    }

    [Theory]
    [InlineData(true, 3, "Started instance abc of version 2 (Suspended); MarkOverdueTasks 2, EscalateOverdueTasks 0, ConfirmUnconfirmedReleases 1",
        "2 tasks marked overdue, 1 release to confirm.")]
    [InlineData(true, 1, "Started instance abc of version 2 (Suspended); MarkOverdueTasks 0, EscalateOverdueTasks 1 (2 batches, longest 0.40 s), ConfirmUnconfirmedReleases 0",
        "1 overdue task sent to a manager to review.")]
    [InlineData(true, 0, "Started instance abc of version 2 (Suspended); MarkOverdueTasks 0, EscalateOverdueTasks 0, ConfirmUnconfirmedReleases 0", "Nothing needed doing.")]
    [InlineData(true, 4, "3 timer(s) fired, 1 event(s) delivered", "3 timers due, 1 message delivered.")]
    [InlineData(false, 0, "Workflow 'x' has no published version; nothing was started.", "It did not finish: Workflow 'x' has no published version; nothing was started.")]
    public void RunWords_SayWhatARunDid_WithoutCheckNamesOrCounters(bool succeeded, int items, string message, string words) =>
        Assert.Equal(words, RunWords.Describe(succeeded, items, message));
}
