namespace Reconnect.Workflows.Engine.Tests.Activities;

public class FlowActivityTests
{
    [Fact]
    public void WriteLine_WithText_WritesJournalLineAndFinishes()
    {
        var run = new TestRun(new TestFlow().Add("start", "Elsa.Start").WriteLine("w", "Hello").Chain("start", "w").Build());
        var step = run.Start();
        Assert.Equal(["Hello"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, step.State.Status);
        Assert.Equal(TraceKinds.Started, step.Trace[0].Kind);
        Assert.Equal(TraceKinds.Finished, step.Trace[^1].Kind);
    }

    [Theory]
    [InlineData("true", "yes")]
    [InlineData("false", "no")]
    public void FlowDecision_Condition_TakesMatchingPort(string condition, string expected)
    {
        var run = new TestRun(new TestFlow()
            .Add("d", "Elsa.FlowDecision", ("condition", Js(condition)))
            .WriteLine("yes", "yes").WriteLine("no", "no")
            .Connect("d", "yes", "True").Connect("d", "no", "False").Build());
        run.Start();
        Assert.Equal([expected], run.Lines);
    }

    [Fact]
    public void FlowDecision_LiteralStringTrue_IsTrue()
    {
        var run = new TestRun(new TestFlow().Add("d", "Elsa.FlowDecision", ("condition", Lit("True"))).WriteLine("yes", "yes").Connect("d", "yes", "True").Build());
        run.Start();
        Assert.Equal(["yes"], run.Lines);
    }

    [Theory]
    [InlineData("MatchFirst", 5, new[] { "big" })]
    [InlineData("MatchAny", 5, new[] { "big", "odd" })]
    [InlineData("MatchFirst", 2, new[] { "default" })]
    public void FlowSwitch_Mode_TakesMatchingCases(string mode, int value, string[] expected)
    {
        var cases = new JsonArray(
            new JsonObject { ["label"] = "Big", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = $"{value} > 3" } },
            new JsonObject { ["label"] = "Odd", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = $"{value} % 2 == 1" } });
        var flow = new TestFlow()
            .AddRaw("s", "Elsa.FlowSwitch", ("cases", cases))
            .Node("s", n => n.SetInput("mode", "String", Lit(mode)))
            .WriteLine("big", "big").WriteLine("odd", "odd").WriteLine("default", "default")
            .Connect("s", "big", "Big").Connect("s", "odd", "Odd").Connect("s", "default", "Default");
        var run = new TestRun(flow.Build());
        run.Start();
        Assert.Equal(expected, run.Lines);
    }

    [Fact]
    public void FlowFork_Branches_RunsEveryBranch()
    {
        var run = new TestRun(new TestFlow()
            .Add("f", "Elsa.FlowFork", ("branches", new Expression("Object", JsonValue.Create("[\"A\",\"B\"]"))))
            .WriteLine("a", "A").WriteLine("b", "B")
            .Connect("f", "a", "A").Connect("f", "b", "B").Build());
        run.Start();
        Assert.Equal(["A", "B"], run.Lines);
    }

    [Fact]
    public void End_WithPendingBranch_CompletesAtOnce()
    {
        var run = new TestRun(new TestFlow()
            .Add("f", "Elsa.FlowFork", ("branches", Lit("A,B")))
            .Add("wait", "Elsa.Event", ("eventName", Lit("never")))
            .Add("end", "Elsa.End")
            .Connect("f", "wait", "A").Connect("f", "end", "B").Build());
        var step = run.Start();
        Assert.Equal(WorkflowStatus.Finished, step.State.Status);
        Assert.Empty(step.State.Bookmarks);
    }

    [Fact]
    public void Finish_WithWaitingTask_CancelsBookmarksAndTasks()
    {
        var run = new TestRun(new TestFlow()
            .Add("f", "Elsa.FlowFork", ("branches", Lit("A,B")))
            .Add("task", "Elsa.RunTask", ("taskName", Lit("Call them")))
            .Add("event", "Elsa.Event", ("eventName", Lit("stop")))
            .Add("finish", "Elsa.Finish")
            .Connect("f", "task", "A").Connect("f", "event", "B").Connect("event", "finish").Build());
        var first = run.Start();
        var taskId = first.Effects.OfType<CreateTaskEffect>().Single().TaskId;
        Assert.Equal(2, run.State.Bookmarks.Count);

        var step = run.Resume(run.Bookmark("event"));

        Assert.Equal(WorkflowStatus.Finished, step.State.Status);
        Assert.Empty(step.State.Bookmarks);
        Assert.Contains(step.Effects, e => e is CancelTaskEffect c && c.TaskId == taskId);
        Assert.Equal(2, step.BookmarksRemoved.Count);
    }

    [Fact]
    public void SetVariable_IntVariable_ConvertsToDeclaredType()
    {
        var run = new TestRun(new TestFlow().Variable("Count", "Int32", JsonValue.Create("0"))
            .SetVariable("s", "Count", Js("getCount() + 41 + 1")).Build());
        run.Start();
        Assert.Equal(42, run.State.Variables["Count"]!.GetValue<long>());
    }

    [Fact]
    public void Correlate_SetsCorrelationId()
    {
        var run = new TestRun(new TestFlow().Add("c", "Elsa.Correlate", ("correlationId", Lit("ref-1"))).Build());
        run.Start();
        Assert.Equal("ref-1", run.State.CorrelationId);
    }

    [Fact]
    public void PublishEvent_EmitsEffectAfterStep_NotInline()
    {
        var run = new TestRun(new TestFlow()
            .Add("p", "Elsa.PublishEvent", ("eventName", Lit("ping")), ("correlationId", Lit("c1")), ("payload", Js("({n: 1})"))).Build());
        var step = run.Start();
        var effect = Assert.IsType<PublishEventEffect>(Assert.Single(step.Effects));
        Assert.Equal("ping", effect.EventName);
        Assert.Equal("c1", effect.CorrelationId);
        Assert.Equal(1, effect.Payload!["n"]!.GetValue<long>());
    }

    [Fact]
    public void Event_Resumed_StoresPayloadAsOutput()
    {
        var run = new TestRun(new TestFlow()
            .Add("e", "Elsa.Event", ("eventName", Lit("released")))
            .Add("w", "Elsa.WriteLine", ("text", Js("getOutput('e').date")))
            .Chain("e", "w").Build());
        var start = run.Start(correlationId: "ref-9");
        var bookmark = Assert.Single(start.BookmarksAdded);
        Assert.Equal(BookmarkKey.ForEvent("released"), bookmark.Hash);
        Assert.Equal("ref-9", bookmark.CorrelationId);

        run.Resume(bookmark, new JsonObject { ["date"] = "2027-02-01" });

        Assert.Equal(["2027-02-01"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void RunTask_Resumed_ContinuesWithResultAsOutput()
    {
        var run = new TestRun(new TestFlow()
            .Add("t", "Elsa.RunTask", ("taskName", Lit("Check")), ("payload", Js("({a: 1})")))
            .Add("w", "Elsa.WriteLine", ("text", Js("getLastResult().note")))
            .Chain("t", "w").Build());
        var start = run.Start();
        var task = Assert.IsType<CreateTaskEffect>(Assert.Single(start.Effects));
        Assert.Equal("Check", task.Title);
        Assert.Equal(["Done"], task.Outcomes);
        Assert.Equal(1, task.Data!["payload"]!["a"]!.GetValue<long>());

        run.Resume(run.Bookmark("t"), new JsonObject { ["outcome"] = "Done", ["note"] = "all good" });

        Assert.Equal(["all good"], run.Lines);
    }

    [Fact]
    public void RunTask_UnknownOutcome_FaultsWithIncident()
    {
        var run = new TestRun(new TestFlow().Add("t", "Elsa.RunTask", ("taskName", Lit("Check"))).Build());
        run.Start();
        var step = run.Resume(run.Bookmark("t"), new JsonObject { ["outcome"] = "Nope" });
        Assert.Equal(WorkflowStatus.Faulted, step.State.Status);
        Assert.Contains("not an outcome", Assert.Single(step.State.Incidents).Message);
    }
}
