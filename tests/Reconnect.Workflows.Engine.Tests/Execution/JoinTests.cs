namespace Reconnect.Workflows.Engine.Tests.Execution;

public class JoinTests
{
    private static TestFlow Diamond(string joinType, Action<ActivityNode>? configureJoin = null)
    {
        var flow = new TestFlow()
            .Add("start", "Elsa.Start")
            .Add("left", "Elsa.Event", ("eventName", Lit("left")))
            .Add("right", "Elsa.Event", ("eventName", Lit("right")))
            .Add("join", joinType)
            .WriteLine("after", "after")
            .Connect("start", "left").Connect("start", "right").Connect("left", "join").Connect("right", "join").Connect("join", "after");
        if (configureJoin is not null) flow.Node("join", configureJoin);
        return flow;
    }

    [Fact]
    public void ImplicitJoin_WaitsForEveryInboundBranch()
    {
        var run = new TestRun(Diamond("Elsa.WriteLine").Node("join", n => n.SetInput("text", "String", Lit("join"))).Build());
        run.Start();
        run.Resume(run.Bookmark("left"));
        Assert.Empty(run.Lines);
        run.Resume(run.Bookmark("right"));
        Assert.Equal(["join", "after"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void ImplicitJoin_DeadBranch_RunsWhenOtherBranchTaken()
    {
        var run = new TestRun(new TestFlow()
            .Add("d", "Elsa.FlowDecision", ("condition", Lit("true")))
            .WriteLine("a", "A").WriteLine("b", "B").WriteLine("c", "C")
            .Connect("d", "a", "True").Connect("d", "b", "False").Connect("a", "c").Connect("b", "c").Build());
        run.Start();
        Assert.Equal(["A", "C"], run.Lines);
    }

    [Fact]
    public void ImplicitJoin_AllBranchesDead_SkipPassesDownstream()
    {
        var run = new TestRun(new TestFlow()
            .Add("d", "Elsa.FlowDecision", ("condition", Lit("false")))
            .WriteLine("a", "A").WriteLine("b", "B").WriteLine("c", "C").WriteLine("x", "X")
            .Connect("d", "a", "True").Connect("d", "b", "True").Connect("a", "c").Connect("b", "c").Connect("d", "x", "False").Build());
        run.Start();
        Assert.Equal(["X"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void WaitAll_WaitsForBoth()
    {
        var run = new TestRun(Diamond("Elsa.FlowJoin", n => n.SetInput("mode", "String", Lit("WaitAll"))).Build());
        run.Start();
        run.Resume(run.Bookmark("right"));
        Assert.Empty(run.Lines);
        run.Resume(run.Bookmark("left"));
        Assert.Equal(["after"], run.Lines);
    }

    [Fact]
    public void WaitAny_FirstArrival_RunsAndCancelsOtherBranch()
    {
        var run = new TestRun(Diamond("Elsa.FlowJoin", n => n.SetInput("mode", "String", Lit("WaitAny"))).Build());
        run.Start();
        var step = run.Resume(run.Bookmark("left"));
        Assert.Equal(["after"], run.Lines);
        Assert.Empty(step.State.Bookmarks);
        Assert.Contains(step.BookmarksRemoved, b => b.ActivityId == "right");
        Assert.Equal(WorkflowStatus.Finished, step.State.Status);
    }

    [Fact]
    public void FlowJoin_DefaultMode_IsWaitAny()
    {
        var run = new TestRun(Diamond("Elsa.FlowJoin").Build());
        run.Start();
        run.Resume(run.Bookmark("right"));
        Assert.Equal(["after"], run.Lines);
    }

    [Fact]
    public void WaitAny_InLoop_FiresOncePerRound()
    {
        // start → fork(a, b) → join(any) → count → decision(count < 2: back to fork)
        var run = new TestRun(new TestFlow().Variable("N", "Int32", JsonValue.Create(0))
            .Add("fork", "Elsa.FlowFork", ("branches", Lit("A,B")))
            .WriteLine("a", "a").WriteLine("b", "b")
            .Add("join", "Elsa.FlowJoin")
            .SetVariable("inc", "N", Js("getN() + 1"))
            .Add("again", "Elsa.FlowDecision", ("condition", Js("getN() < 2")))
            .Connect("fork", "a", "A").Connect("fork", "b", "B").Connect("a", "join").Connect("b", "join")
            .Connect("join", "inc").Connect("inc", "again").Connect("again", "fork", "True").Build());
        run.Start();
        Assert.Equal(2, run.State.Variables["N"]!.GetValue<long>());
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Theory]
    [InlineData("Stream", new[] { "A", "C" })]
    [InlineData("None", new[] { "A", "C" })]
    [InlineData("Merge", new[] { "A" })]
    [InlineData("Converge", new[] { "A" })]
    public void MergeMode_WithDeadBranch_FollowsTokenRules(string mode, string[] expected)
    {
        var run = new TestRun(new TestFlow()
            .Add("start", "Elsa.Start")
            .Add("d", "Elsa.FlowDecision", ("condition", Lit("false")))
            .WriteLine("a", "A").WriteLine("b", "B").WriteLine("c", "C")
            .Node("c", n => n.CustomProperties = new JsonObject { ["mergeMode"] = mode })
            .Connect("start", "a").Connect("start", "d").Connect("d", "b", "True").Connect("a", "c").Connect("b", "c").Build());
        run.Start();
        Assert.Equal(expected, run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void MergeMode_Stream_RunsOnEveryArrival()
    {
        var run = new TestRun(new TestFlow()
            .Add("f", "Elsa.FlowFork", ("branches", Lit("A,B")))
            .WriteLine("a", "A").WriteLine("b", "B").WriteLine("c", "C")
            .Node("c", n => n.CustomProperties = new JsonObject { ["mergeMode"] = "Stream" })
            .Connect("f", "a", "A").Connect("f", "b", "B").Connect("a", "c").Connect("b", "c").Build());
        run.Start();
        Assert.Equal(["A", "B", "C", "C"], run.Lines);
    }
}
