using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.Activities;

/// <summary><c>Reconnect.CancelActivities</c>: one fact (a release recorded early) stops a stretch of waiting work.</summary>
public class CancelActivitiesTests
{
    private static readonly WorkflowValidator Validator = new(ActivityRegistry.CreateDefault(), new Reconnect.Workflows.Engine.Expressions.ExpressionEvaluator());

    /// <summary>start → fork: a task and a timer wait on one branch; an event on the other cancels both and goes on.</summary>
    private static TestFlow Flow(string ids = """["task", "timer"]""") => new TestFlow()
        .Add("start", "Elsa.Start")
        .Add("fork", "Elsa.FlowFork", ("branches", new Expression(Expression.Object, JsonValue.Create("""["Work", "Listen"]"""))))
        .Add("task", "Elsa.RunTask", ("taskName", Lit("Assessment")))
        .Add("timer", "Elsa.Delay", ("timeSpan", Lit("P7D")))
        .WriteLine("late", "the timer fired")
        .Add("released", "Elsa.Event", ("eventName", Lit("released")))
        .Add("cancel", "Reconnect.CancelActivities", ("activityIds", new Expression(Expression.Object, JsonValue.Create(ids))), ("reason", Liquid("Released on {{ Variables.Day }}")))
        .WriteLine("after", "after")
        .Variable("Day", "String", JsonValue.Create("2027-01-05"))
        .Connect("start", "fork")
        .Connect("fork", "task", "Work").Connect("fork", "timer", "Work").Connect("timer", "late")
        .Connect("fork", "released", "Listen").Chain("released", "cancel", "after");

    [Fact]
    public void Execute_WaitingTaskAndTimer_RemovesBookmarksAndCancelsTaskWithReason()
    {
        var run = new TestRun(Flow().Build());
        var started = run.Start();
        var taskId = started.Effects.OfType<CreateTaskEffect>().Single().TaskId;

        var step = run.Resume(run.Bookmark("released"));

        Assert.Equal(["after"], run.Lines);
        Assert.Empty(run.State.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
        var cancelled = Assert.Single(step.Effects.OfType<CancelTaskEffect>());
        Assert.Equal(taskId, cancelled.TaskId);
        Assert.Equal("Released on 2027-01-05", cancelled.Reason);
        Assert.Contains(run.State.Journal, j => j.Kind == TraceKinds.BookmarkRemoved && j.ActivityId == "timer");
    }

    [Fact]
    public void Execute_OnlyListedActivities_OthersKeepWaiting()
    {
        var run = new TestRun(Flow("""["timer"]""").Build());
        run.Start();
        var step = run.Resume(run.Bookmark("released"));
        Assert.Empty(step.Effects.OfType<CancelTaskEffect>());
        Assert.Equal("task", Assert.Single(run.State.Bookmarks).ActivityId);
        Assert.Equal(WorkflowStatus.Suspended, run.State.Status);
    }

    [Fact]
    public void Execute_CancelledActivityReachedAgain_RunsAfresh()
    {
        // The timer is cancelled, then the flow enters it again (a restart): a new bookmark, which fires as usual.
        var definition = Flow("""["timer"]""").Connect("after", "timer").Node("timer", n => n.CustomProperties = new JsonObject { ["mergeMode"] = "Stream" }).Build();
        var run = new TestRun(definition);
        run.Start();
        var first = run.Bookmark("timer");
        run.Resume(run.Bookmark("released"));
        var again = run.Bookmark("timer");
        Assert.NotEqual(first.Id, again.Id);
        run.Resume(again);
        Assert.Equal(["after", "the timer fired"], run.Lines);
    }

    [Fact]
    public void Validate_UnknownOrSelf_NamesTheActivity()
    {
        var result = Validator.Validate(Flow("""["task", "nosuch", "cancel"]""").Build());
        Assert.Contains(result.Errors, e => e.ActivityId == "cancel" && e.Message.Contains("'nosuch', which is not an activity of this workflow"));
        Assert.Contains(result.Errors, e => e.ActivityId == "cancel" && e.Message.Contains("cannot cancel itself"));
    }

    [Fact]
    public void Validate_EmptyList_IsAnError()
    {
        var result = Validator.Validate(Flow("[]").Build());
        Assert.Contains(result.Errors, e => e.ActivityId == "cancel" && e.Message.Contains("lists no activity"));
    }
}
