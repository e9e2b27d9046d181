namespace Reconnect.Workflows.Engine.Tests.Activities;

public class SchedulingActivityTests
{
    [Theory]
    [InlineData("2.00:00:00")]
    [InlineData("P2D")]
    [InlineData("PT48H")]
    public void Delay_TimeSpanFormats_TimerDueAfterSpan(string span)
    {
        var run = new TestRun(new TestFlow().Add("d", "Elsa.Delay", ("timeSpan", Lit(span))).WriteLine("w", "after").Chain("d", "w").Build());
        var step = run.Start();
        var timer = Assert.Single(step.BookmarksAdded);
        Assert.True(timer.IsTimer);
        Assert.Equal(run.Now.AddDays(2), timer.DueAt);
        Assert.Equal(WorkflowStatus.Suspended, step.State.Status);

        run.Now = timer.DueAt!.Value;
        run.Resume(timer);
        Assert.Equal(["after"], run.Lines);
    }

    [Fact]
    public void Delay_NotADuration_FaultsNamingTheValue()
    {
        var run = new TestRun(new TestFlow().Add("d", "Elsa.Delay", ("timeSpan", Js("'two days'"))).Build());
        var step = run.Start();
        Assert.Equal(WorkflowStatus.Faulted, step.State.Status);
        Assert.Contains("'two days' is not a duration", step.State.Incidents.Single().Message);
    }

    [Fact]
    public void StartAt_Date_DueAtStartOfLondonDay()
    {
        // 1 July is in BST: midnight in London is 23:00 UTC the day before.
        var run = new TestRun(new TestFlow().Add("s", "Elsa.StartAt", ("dateTime", Lit("2027-07-01"))).Build());
        var step = run.Start();
        Assert.Equal(new DateTimeOffset(2027, 6, 30, 23, 0, 0, TimeSpan.Zero), step.BookmarksAdded.Single().DueAt);
    }

    [Fact]
    public void StartAt_InThePast_CompletesAtOnce()
    {
        var run = new TestRun(new TestFlow().Add("s", "Elsa.StartAt", ("dateTime", Lit("2020-01-01"))).WriteLine("w", "now").Chain("s", "w").Build());
        run.Start();
        Assert.Equal(["now"], run.Lines);
    }

    [Fact]
    public void StartAt_VariableChanges_TimerIsRecomputed()
    {
        var flow = new TestFlow().Variable("ReleaseDate", "String", JsonValue.Create("2027-03-01"))
            .Add("s", "Elsa.StartAt", ("dateTime", Js("addDays(variables.ReleaseDate, -7)")))
            .Build();
        var run = new TestRun(flow);
        var first = run.Start().BookmarksAdded.Single();
        Assert.Equal(new DateTimeOffset(2027, 2, 22, 0, 0, 0, TimeSpan.Zero), first.DueAt);

        var moved = run.Apply(new Stimulus.SetVariables(new JsonObject { ["ReleaseDate"] = "2027-04-15" }));

        var replacement = Assert.Single(moved.BookmarksAdded);
        Assert.Equal(first.Id, Assert.Single(moved.BookmarksRemoved).Id);
        // 8 April 2027 is in BST.
        Assert.Equal(new DateTimeOffset(2027, 4, 7, 23, 0, 0, TimeSpan.Zero), replacement.DueAt);
        Assert.Contains(moved.Trace, t => t.Kind == TraceKinds.TimerRescheduled);
    }

    [Fact]
    public void StartAt_VariableSetInParallelBranch_TimerIsRecomputed()
    {
        // The release-date listener beside the main path: an event sets the variable, the main path's timer follows.
        var flow = new TestFlow().Variable("ReleaseDate", "String", JsonValue.Create("2027-03-01"))
            .Add("fork", "Elsa.FlowFork", ("branches", Lit("Main,Listen")))
            .Add("timer", "Elsa.StartAt", ("dateTime", Js("addDays(variables.ReleaseDate, 2)")))
            .Add("changed", "Elsa.Event", ("eventName", Lit("release-date-changed")))
            .SetVariable("set", "ReleaseDate", Js("getOutput('changed').releaseDate"))
            .Connect("fork", "timer", "Main").Connect("fork", "changed", "Listen").Connect("changed", "set").Connect("set", "changed")
            .Build();
        var run = new TestRun(flow);
        run.Start();
        var step = run.Resume(run.Bookmark("changed"), new JsonObject { ["releaseDate"] = "2027-05-10" });
        Assert.Equal(new DateTimeOffset(2027, 5, 11, 23, 0, 0, TimeSpan.Zero), run.Bookmark("timer").DueAt);
        Assert.Single(step.State.Bookmarks, b => b.ActivityId == "changed");
    }

    [Fact]
    public void StartAt_UnrelatedVariableChanges_TimerKept()
    {
        var run = new TestRun(new TestFlow().Variable("ReleaseDate", "String", JsonValue.Create("2027-03-01")).Variable("Other")
            .Add("s", "Elsa.StartAt", ("dateTime", Js("variables.ReleaseDate"))).Build());
        var first = run.Start().BookmarksAdded.Single();
        var step = run.Apply(new Stimulus.SetVariables(new JsonObject { ["Other"] = 1 }));
        Assert.Empty(step.BookmarksAdded);
        Assert.Equal(first.Id, run.State.Bookmarks.Single().Id);
    }

    [Fact]
    public void Timer_Interval_DueAfterInterval()
    {
        var run = new TestRun(new TestFlow().Add("t", "Elsa.Timer", ("interval", Lit("00:30:00"))).Build());
        Assert.Equal(run.Now.AddMinutes(30), run.Start().BookmarksAdded.Single().DueAt);
    }

    [Theory]
    [InlineData("0 7 * * *", "2027-01-05T07:00:00+00:00")] // GMT
    [InlineData("0 0 * * * *", "2027-01-04T10:00:00+00:00")] // six fields, seconds first
    public void Cron_Expression_NextOccurrenceInLondon(string cron, string expected)
    {
        var run = new TestRun(new TestFlow().Add("c", "Elsa.Cron", ("cronExpression", Lit(cron))).Build());
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), run.Start().BookmarksAdded.Single().DueAt);
    }

    [Fact]
    public void Cron_InSummer_SevenOClockLondonIsSixUtc()
    {
        var next = Engine.Activities.Scheduling.CronActivity.NextOccurrence("0 7 * * *", new DateTimeOffset(2027, 7, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 7, 2, 6, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Cron_NextOccurrences_ReturnsFiveInOrder()
    {
        var next = Engine.Activities.Scheduling.CronActivity.NextOccurrences("0 7 * * *", new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero), 5);
        Assert.Equal(5, next.Count);
        Assert.Equal(new DateTimeOffset(2027, 1, 9, 7, 0, 0, TimeSpan.Zero), next[^1]);
    }

    [Fact]
    public void Cron_AsTriggerOfWorkflow_CompletesAtOnce()
    {
        var definition = new TestFlow().Add("c", "Elsa.Cron", ("cronExpression", Lit("0 7 * * *"))).WriteLine("w", "daily").Chain("c", "w").Build();
        var run = new TestRun(definition);
        run.Apply(new Stimulus.Start(null, null, TriggerActivityId: "c"));
        Assert.Equal(["daily"], run.Lines);
    }
}

public class RecomputeAsOfCreationTests
{
    [Fact]
    public void StartAt_RelativeToToday_DoesNotDriftWhenAVariableChangesLater()
    {
        var run = new TestRun(new TestFlow().Variable("Other")
            .Add("s", "Elsa.StartAt", ("dateTime", Js("addDays(today(), 5)"))).Build());
        var first = run.Start().BookmarksAdded.Single();
        run.Now = run.Now.AddDays(2);
        var step = run.Apply(new Stimulus.SetVariables(new JsonObject { ["Other"] = 1 }));
        Assert.Empty(step.BookmarksAdded);
        Assert.Equal(first.DueAt, run.State.Bookmarks.Single().DueAt);
    }

    [Fact]
    public void StartAt_MixOfTodayAndVariable_FollowsTheVariableOnly()
    {
        var run = new TestRun(new TestFlow().Variable("Days", "Int32", JsonValue.Create(5))
            .Add("s", "Elsa.StartAt", ("dateTime", Js("addDays(today(), variables.Days)"))).Build());
        var first = run.Start().BookmarksAdded.Single();
        run.Now = run.Now.AddDays(2);
        run.Apply(new Stimulus.SetVariables(new JsonObject { ["Days"] = 10 }));
        Assert.Equal(first.DueAt!.Value.AddDays(5), run.State.Bookmarks.Single().DueAt);
    }
}
