namespace Reconnect.Workflows.Engine.Tests.Execution;

public class LoopAndFaultTests
{
    [Fact]
    public void ImplicitLoop_BackEdge_RunsUntilExit()
    {
        var run = new TestRun(new TestFlow().Variable("Counter", "Int32", JsonValue.Create("0"))
            .Add("start", "Elsa.Start")
            .WriteLine("body", "body")
            .SetVariable("inc", "Counter", Js("getCounter() + 1"))
            .Add("check", "Elsa.FlowDecision", ("condition", Js("getCounter() >= 3")))
            .WriteLine("done", "done")
            .Chain("start", "body", "inc", "check").Connect("check", "done", "True").Connect("check", "body", "False").Build());
        run.Start();
        Assert.Equal(["body", "body", "body", "done"], run.Lines);
    }

    [Fact]
    public void LoopThroughWaitingActivity_WaitsEachRound()
    {
        var run = new TestRun(new TestFlow()
            .Add("wait", "Elsa.Delay", ("timeSpan", Lit("P30D")))
            .WriteLine("review", "monthly review")
            .Chain("wait", "review").Connect("review", "wait").Build());
        run.Start();
        for (var i = 0; i < 3; i++)
        {
            var timer = run.State.Bookmarks.Single();
            run.Now = timer.DueAt!.Value;
            run.Resume(timer);
        }
        Assert.Equal(3, run.Lines.Count);
        Assert.Equal(WorkflowStatus.Suspended, run.State.Status);
        Assert.Single(run.State.Bookmarks);
    }

    [Fact]
    public void RunawayLoop_FaultsInsteadOfSpinning()
    {
        var runner = new WorkflowRunner { MaxExecutionsPerStep = 200 };
        var run = new TestRun(new TestFlow().WriteLine("a", "a").WriteLine("b", "b").Chain("a", "b").Connect("b", "a").Build(), runner);
        var step = run.Start();
        Assert.Equal(WorkflowStatus.Faulted, step.State.Status);
        Assert.Contains("loop with no waiting activity", step.State.Incidents.Single().Message);
    }

    [Fact]
    public void ScriptError_BecomesIncidentOnActivity_NotACrash()
    {
        var run = new TestRun(new TestFlow().Add("bad", "Elsa.WriteLine", ("text", Js("undefinedFunction()"))).Build());
        var step = run.Start();
        Assert.Equal(WorkflowStatus.Faulted, step.State.Status);
        var incident = step.State.Incidents.Single();
        Assert.Equal("bad", incident.ActivityId);
        Assert.Equal("Elsa.WriteLine", incident.ActivityType);
        Assert.Contains(step.Trace, t => t.Kind == TraceKinds.Faulted && t.ActivityId == "bad");
    }

    [Fact]
    public void Retry_AfterFault_RunsFromFaultingActivity()
    {
        var run = new TestRun(new TestFlow().Variable("Ready", "Boolean", JsonValue.Create(false))
            .WriteLine("first", "first")
            .Add("check", "Elsa.WriteLine", ("text", Js("if (!getReady()) throw new Error('not ready'); 'ready'")))
            .WriteLine("last", "last")
            .Chain("first", "check", "last").Build());
        run.Start();
        Assert.Equal(WorkflowStatus.Faulted, run.State.Status);
        Assert.Equal(NotApplicable, run.Resume(new Bookmark { Id = "x", ActivityId = "x", ActivityType = "x", Name = "x", Hash = "x" }).Outcome);

        run.Apply(new Stimulus.SetVariables(new JsonObject { ["Ready"] = true }));
        var retried = run.Apply(new Stimulus.Retry());

        Assert.Equal(WorkflowStatus.Finished, retried.State.Status);
        Assert.Equal(["first", "ready", "last"], run.Lines);
    }

    private const StepOutcome NotApplicable = StepOutcome.NotApplicable;

    [Fact]
    public void Retry_NotFaulted_IsRejected()
    {
        var run = new TestRun(new TestFlow().WriteLine("a", "a").Build());
        run.Start();
        Assert.Equal(StepOutcome.NotApplicable, run.Apply(new Stimulus.Retry()).Outcome);
    }

    [Fact]
    public void Cancel_Suspended_RemovesBookmarksAndCancelsTasks()
    {
        var run = new TestRun(new TestFlow().Add("t", "Elsa.RunTask", ("taskName", Lit("T"))).Build());
        var taskId = run.Start().Effects.OfType<CreateTaskEffect>().Single().TaskId;
        var step = run.Apply(new Stimulus.Cancel("consent withdrawn"));
        Assert.Equal(WorkflowStatus.Cancelled, step.State.Status);
        Assert.Empty(step.State.Bookmarks);
        Assert.Contains(step.Effects, e => e is CancelTaskEffect c && c.TaskId == taskId);
        Assert.Equal(StepOutcome.NotApplicable, run.Apply(new Stimulus.Cancel(null)).Outcome);
    }

    [Fact]
    public void Step_DoesNotMutateGivenState()
    {
        var run = new TestRun(new TestFlow().Variable("X", "Int32", JsonValue.Create(1)).SetVariable("s", "X", Js("5")).Build());
        var before = run.State;
        var json = System.Text.Json.JsonSerializer.Serialize(before, WorkflowJson.Compact);
        run.Start();
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(before, WorkflowJson.Compact));
        Assert.NotSame(before, run.State);
    }

    [Fact]
    public void State_RoundTripsThroughJson()
    {
        var run = new TestRun(new TestFlow().Variable("R", "String", JsonValue.Create("2027-03-01"))
            .Add("s", "Elsa.StartAt", ("dateTime", Js("variables.R"))).Add("t", "Elsa.RunTask", ("taskName", Lit("T")))
            .Add("f", "Elsa.FlowFork", ("branches", Lit("A,B"))).Connect("f", "s", "A").Connect("f", "t", "B").Build());
        run.Start();
        var json = System.Text.Json.JsonSerializer.Serialize(run.State, WorkflowJson.Compact);
        var back = System.Text.Json.JsonSerializer.Deserialize<WorkflowState>(json, WorkflowJson.Compact)!;
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(back, WorkflowJson.Compact));
        Assert.Equal(2, back.Bookmarks.Count);
        Assert.Equal(WorkflowStatus.Suspended, back.Status);
    }
}
