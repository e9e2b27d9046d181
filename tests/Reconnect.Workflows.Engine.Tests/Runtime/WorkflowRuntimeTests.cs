using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Engine.Tests.Runtime;

public class WorkflowRuntimeTests
{
    private static WorkflowDefinition WaitForEvent() => new TestFlow()
        .Add("e", "Elsa.Event", ("eventName", Lit("go"))).WriteLine("w", "resumed").Chain("e", "w").Build();

    [Fact]
    public async Task PublishEvent_SameStimulusTwice_ResumesOnce()
    {
        var t = new TestRuntime();
        await t.PublishAsync(WaitForEvent());
        var started = await t.Runtime.StartAsync("test", null, "ref-1");

        Assert.Equal(1, await t.Runtime.PublishEventAsync("go", "ref-1"));
        Assert.Equal(0, await t.Runtime.PublishEventAsync("go", "ref-1"));

        var state = await t.Store.LoadAsync(started.State!.Id);
        Assert.Equal(WorkflowStatus.Finished, state!.Status);
        Assert.Single(state.Journal, j => j.Kind == TraceKinds.Log);
    }

    [Fact]
    public async Task Resume_GoneBookmark_AnswersNotFound()
    {
        var t = new TestRuntime();
        await t.PublishAsync(WaitForEvent());
        var started = await t.Runtime.StartAsync("test");
        var bookmarkId = started.State!.Bookmarks.Single().Id;
        Assert.True((await t.Runtime.ResumeAsync(started.State.Id, bookmarkId)).Succeeded);

        var again = await t.Runtime.ResumeAsync(started.State.Id, bookmarkId);

        Assert.Equal(ResumeStatus.NotFound, again.Status);
        Assert.Contains("already resumed", again.Message);
    }

    [Fact]
    public async Task Resume_RacingThreads_ExactlyOneWins()
    {
        var t = new TestRuntime();
        await t.PublishAsync(WaitForEvent());
        for (var round = 0; round < 20; round++)
        {
            var started = await t.Runtime.StartAsync("test", null, $"race-{round}");
            var bookmarkId = started.State!.Bookmarks.Single().Id;
            using var gate = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                gate.Wait();
                return await t.Runtime.ResumeAsync(started.State.Id, bookmarkId);
            })).ToList();
            gate.Set();
            var results = await Task.WhenAll(tasks);

            Assert.Single(results, r => r.Succeeded);
            Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(ResumeStatus.NotFound, r.Status));
            var state = await t.Store.LoadAsync(started.State.Id);
            Assert.Single(state!.Journal, j => j.Kind == TraceKinds.Log);
        }
    }

    [Fact]
    public async Task TwoDifferentStimuli_Racing_BothApplyOnce()
    {
        var t = new TestRuntime();
        await t.PublishAsync(new TestFlow()
            .Add("f", "Elsa.FlowFork", ("branches", Lit("A,B")))
            .Add("a", "Elsa.Event", ("eventName", Lit("a"))).Add("b", "Elsa.Event", ("eventName", Lit("b")))
            .WriteLine("wa", "a").WriteLine("wb", "b")
            .Connect("f", "a", "A").Connect("f", "b", "B").Connect("a", "wa").Connect("b", "wb").Build());
        var started = await t.Runtime.StartAsync("test", null, "c");
        var results = await Task.WhenAll(
            Task.Run(() => t.Runtime.PublishEventAsync("a", "c")),
            Task.Run(() => t.Runtime.PublishEventAsync("b", "c")));
        Assert.Equal([1, 1], results);
        var state = await t.Store.LoadAsync(started.State!.Id);
        Assert.Equal(WorkflowStatus.Finished, state!.Status);
        Assert.Equal(2, state.Journal.Count(j => j.Kind == TraceKinds.Log));
    }

    [Fact]
    public async Task PublishEvent_Correlation_OnlyMatchingInstanceResumes()
    {
        var t = new TestRuntime();
        await t.PublishAsync(WaitForEvent());
        var one = await t.Runtime.StartAsync("test", null, "one");
        var two = await t.Runtime.StartAsync("test", null, "two");

        Assert.Equal(1, await t.Runtime.PublishEventAsync("go", "two"));

        Assert.Equal(WorkflowStatus.Suspended, (await t.Store.LoadAsync(one.State!.Id))!.Status);
        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(two.State!.Id))!.Status);
    }

    [Fact]
    public async Task DispatchDueTimers_FiresEachDueTimerOnce()
    {
        var t = new TestRuntime();
        await t.PublishAsync(new TestFlow().Add("d", "Elsa.Delay", ("timeSpan", Lit("PT1H"))).WriteLine("w", "fired").Chain("d", "w").Build());
        var ids = new List<string>();
        for (var i = 0; i < 10; i++) ids.Add((await t.Runtime.StartAsync("test")).State!.Id);

        Assert.Equal(0, await t.Runtime.DispatchDueTimersAsync());
        t.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(10, await t.Runtime.DispatchDueTimersAsync(batchSize: 3));
        Assert.Equal(0, await t.Runtime.DispatchDueTimersAsync());

        foreach (var id in ids)
        {
            var state = await t.Store.LoadAsync(id);
            Assert.Equal(WorkflowStatus.Finished, state!.Status);
            Assert.Single(state.Journal, j => j.Kind == TraceKinds.TimerFired);
        }
    }

    [Fact]
    public async Task PublishEventActivity_DeliversAfterCommit_ToOtherInstance()
    {
        var t = new TestRuntime();
        var waiter = WaitForEvent();
        await t.PublishAsync(waiter);
        var publisher = new TestFlow().Add("p", "Elsa.PublishEvent", ("eventName", Lit("go")), ("correlationId", Lit("target"))).Build();
        publisher.DefinitionId = "publisher";
        publisher.Id = "publisher-v1";
        await t.PublishAsync(publisher);
        var waiting = await t.Runtime.StartAsync("test", null, "target");

        await t.Runtime.StartAsync("publisher");

        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(waiting.State!.Id))!.Status);
    }

    [Fact]
    public async Task PublishEventActivity_ToItself_DoesNotDeadlock()
    {
        var t = new TestRuntime();
        await t.PublishAsync(new TestFlow()
            .Add("f", "Elsa.FlowFork", ("branches", Lit("Wait,Publish")))
            .Add("e", "Elsa.Event", ("eventName", Lit("self")))
            .Add("p", "Elsa.PublishEvent", ("eventName", Lit("self")), ("isLocal", Lit("true")))
            .WriteLine("w", "got it")
            .Connect("f", "e", "Wait").Connect("f", "p", "Publish").Connect("e", "w").Build());
        var started = await t.Runtime.StartAsync("test", null, "me");
        var state = await t.Store.LoadAsync(started.State!.Id);
        Assert.Equal(WorkflowStatus.Finished, state!.Status);
    }

    [Fact]
    public async Task CompleteTask_OutcomeNotOfTask_IsRefusedAndNothingChanges()
    {
        var t = new TestRuntime();
        await t.PublishAsync(new TestFlow().Add("t", "Elsa.RunTask", ("taskName", Lit("T"))).Build());
        var started = await t.Runtime.StartAsync("test");
        var task = (await t.Store.ListOpenTasksAsync()).Single();

        var refused = await t.Runtime.CompleteTaskAsync(task.TaskId, "Nope");
        Assert.Equal(ResumeStatus.NotApplicable, refused.Status);
        Assert.Equal(started.State!.Version, (await t.Store.LoadAsync(started.State.Id))!.Version);

        Assert.True((await t.Runtime.CompleteTaskAsync(task.TaskId, "Done")).Succeeded);
        Assert.Equal(TaskRecordStatus.Completed, (await t.Store.FindTaskAsync(task.TaskId))!.Status);
        Assert.Equal(ResumeStatus.NotFound, (await t.Runtime.CompleteTaskAsync(task.TaskId, "Done")).Status);
    }

    [Fact]
    public async Task Start_UnpublishedDefinition_Throws()
    {
        var t = new TestRuntime();
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => t.Runtime.StartAsync("missing"));
    }
}
