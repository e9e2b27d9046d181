using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;
using static Reconnect.Workflows.Persistence.Tests.Infrastructure.Flow;

namespace Reconnect.Workflows.Persistence.Tests;

/// <summary>
/// Group commit (docs/persistence.md): concurrent steps share one transaction, a savepoint each. Exactly-once must not
/// change: a step that loses its guard inside a batch rolls back alone, and no caller is told "committed" before the
/// flush — nor at all when the process dies between the flush and the answer.
/// </summary>
public class GroupCommitTests
{
    private static WorkflowDefinition Waiting() => new Flow("wait")
        .Add("e", "Elsa.Event", ("eventName", Lit("go")))
        .Add("w", "Elsa.WriteLine", ("text", Lit("resumed")))
        .Chain("e", "w").Build();

    /// <summary>Holds the writer after its first batch's COMMIT until released, so that what callers send meanwhile queues into one batch.</summary>
    private sealed class WriterGate
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _flushes;
        public List<int> BatchSizes { get; } = [];
        public Func<IReadOnlyList<StepCommit>, Task>? AfterSecond { get; set; }

        public async Task OnFlush(IReadOnlyList<StepCommit> batch)
        {
            lock (BatchSizes) BatchSizes.Add(batch.Count);
            var n = Interlocked.Increment(ref _flushes);
            if (n == 1) await _release.Task;
            else if (n == 2 && AfterSecond is { } after) await after(batch);
        }

        public void Release() => _release.TrySetResult();
    }

    private static async Task WaitQueuedAsync(PersistedRuntime t, int count)
    {
        var until = DateTime.UtcNow.AddSeconds(30); // real time: a test's patience, not workflow time
        while (t.Store.QueuedCommits < count)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"only {t.Store.QueuedCommits} of {count} commits queued");
            await Task.Delay(5);
        }
    }

    /// <summary>An effect no writer knows: writing the step throws.</summary>
    private sealed record UnknownEffect : WorkflowEffect;

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Batch_WithConflictingAndFailingSteps_TheyRollBackAlone_OthersCommit(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(Waiting());
        var ids = new List<string>();
        for (var i = 0; i < 6; i++) ids.Add((await t.Runtime.StartAsync("wait", null, $"c{i}")).State!.Id);
        var before = await t.CountAllAsync();

        var gate = new WriterGate();
        t.Store.AfterFlush = gate.OnFlush;
        // Batch 1: one resume, held after its COMMIT.
        var first = Task.Run(() => t.Runtime.PublishEventAsync("go", "c0"));
        await WaitUntilAsync(() => gate.BatchSizes.Count == 1);

        // Batch 2, queued meanwhile: two runtime callers racing for instance 1's bookmark (both stepped from version 1),
        // a step computed by hand from a stale state of instance 2 next to its good step, a step of instance 3 whose
        // effect no writer knows (it throws), and plain resumes of instances 4 and 5.
        var bookmark1 = (await t.Store.LoadAsync(ids[1]))!.Bookmarks.Single().Id;
        var racing = new[] { Task.Run(() => t.Runtime.ResumeAsync(ids[1], bookmark1)), Task.Run(() => t.Runtime.ResumeAsync(ids[1], bookmark1)) };
        await WaitQueuedAsync(t, 2);
        var state2 = (await t.Store.LoadAsync(ids[2]))!;
        var definition = (await t.Store.FindVersionAsync("wait", 1))!;
        var resume2 = new Stimulus.Resume(state2.Bookmarks.Single().Id, null);
        var good2 = t.Runner.Step(definition, state2, resume2, t.Clock.GetUtcNow());
        var stale2 = t.Runner.Step(definition, state2, resume2, t.Clock.GetUtcNow());
        var commitGood2 = t.Store.CommitAsync(new StepCommit(good2.State, good2, resume2));
        var commitStale2 = t.Store.CommitAsync(new StepCommit(stale2.State, stale2, resume2));
        var state3 = (await t.Store.LoadAsync(ids[3]))!;
        var resume3 = new Stimulus.Resume(state3.Bookmarks.Single().Id, null);
        var bad3 = t.Runner.Step(definition, state3, resume3, t.Clock.GetUtcNow());
        bad3.Effects.Add(new UnknownEffect());
        var commitBad3 = t.Store.CommitAsync(new StepCommit(bad3.State, bad3, resume3));
        var plain = new[] { Task.Run(() => t.Runtime.PublishEventAsync("go", "c4")), Task.Run(() => t.Runtime.PublishEventAsync("go", "c5")) };
        await WaitQueuedAsync(t, 7);
        gate.Release();

        Assert.Equal(1, await first);
        var raced = await Task.WhenAll(racing);
        Assert.Equal(CommitOutcome.Committed, await commitGood2);
        Assert.Equal(CommitOutcome.Conflict, await commitStale2);
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => commitBad3);
        Assert.Contains("No writer for effect", thrown.Message);
        var plainResumed = await Task.WhenAll(plain);
        Assert.All(plainResumed, n => Assert.Equal(1, n));

        // The second batch held all seven steps in one transaction.
        Assert.Equal(7, gate.BatchSizes[1]);
        // Instance 1: one caller resumed; the other lost the version check inside the batch, reloaded, found the bookmark gone.
        Assert.Equal([ResumeStatus.Resumed, ResumeStatus.NotFound], raced.Select(r => r.Status).Order());
        foreach (var (id, resumed) in new[] { (ids[0], true), (ids[1], true), (ids[2], true), (ids[3], false), (ids[4], true), (ids[5], true) })
        {
            Assert.Equal(resumed ? 1 : 0, await t.JournalCountAsync(id, TraceKinds.EventReceived));
            Assert.Equal(resumed ? 1 : 0, await t.JournalCountAsync(id, TraceKinds.Log));
            Assert.Equal(resumed ? 2 : 1, await t.ScalarAsync("SELECT \"Version\" FROM \"WorkflowInstances\" WHERE \"Id\" = @i", ("@i", id)));
            Assert.Equal(resumed ? 0 : 1, await t.CountAsync("Bookmarks", "\"InstanceId\" = @i", ("@i", id)));
        }
        var after = await t.CountAllAsync();
        Assert.Equal(before.Instances, after.Instances);
        Assert.Equal(1, after.Bookmarks); // instance 3's, untouched
        Assert.Equal((before.Tasks, before.Incidents, before.Outbox), (after.Tasks, after.Incidents, after.Outbox));

        // Instance 3 is intact: resumed now, alone, it goes through.
        t.Store.AfterFlush = null;
        Assert.Equal(1, await t.Runtime.PublishEventAsync("go", "c3"));
        Assert.Equal(1, await t.JournalCountAsync(ids[3], TraceKinds.EventReceived));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task CrashBetweenBatchAndAnswer_NoCallerToldCommitted_EachStepThereOnce_RetriesFindNothing(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(Waiting());
        await t.PublishAsync(new Flow("delay")
            .Add("d", "Elsa.Delay", ("timeSpan", Lit("01:00:00")))
            .Add("w", "Elsa.WriteLine", ("text", Lit("fired")))
            .Chain("d", "w").Build());
        var waiting = new List<string>();
        for (var i = 0; i < 5; i++) waiting.Add((await t.Runtime.StartAsync("wait", null, $"c{i}")).State!.Id);
        var timer = (await t.Runtime.StartAsync("delay")).State!;
        t.Clock.Advance(TimeSpan.FromHours(2));

        var gate = new WriterGate { AfterSecond = _ => throw new SimulatedCrash() };
        t.Store.AfterFlush = gate.OnFlush;
        var first = Task.Run(() => t.Runtime.PublishEventAsync("go", "c0"));
        await WaitUntilAsync(() => gate.BatchSizes.Count == 1);
        // The batch that "crashes": four event resumes and the timer's dispatch, answered by no one.
        var callers = Enumerable.Range(1, 4).Select(i => Task.Run(() => t.Runtime.PublishEventAsync("go", $"c{i}"))).ToList();
        var dispatch = Task.Run(() => t.Runtime.DispatchDueTimersAsync());
        await WaitQueuedAsync(t, 5);
        gate.Release();

        Assert.Equal(1, await first);
        foreach (var caller in callers) await Assert.ThrowsAsync<SimulatedCrash>(() => caller);
        await Assert.ThrowsAsync<SimulatedCrash>(() => dispatch);
        Assert.Equal(5, gate.BatchSizes[1]);

        // "Restart": a fresh store and runtime on the same database. Every step of the batch is there, once.
        var store = new EfWorkflowStore(t.Contexts, [new CoreEffectWriter()]);
        var restarted = new WorkflowRuntime(t.Runner, store, store, t.Clock);
        foreach (var id in waiting)
        {
            Assert.Equal(1, await t.JournalCountAsync(id, TraceKinds.EventReceived));
            Assert.Equal(WorkflowStatus.Finished, (await store.LoadAsync(id))!.Status);
        }
        Assert.Equal(1, await t.JournalCountAsync(timer.Id, TraceKinds.TimerFired));
        Assert.Equal(0, await t.CountAsync("Bookmarks"));

        // The callers never heard back, so they send again: each finds nothing to resume and nothing is written twice.
        var journal = await t.CountAsync("JournalEntries");
        for (var i = 0; i < 5; i++) Assert.Equal(0, await restarted.PublishEventAsync("go", $"c{i}"));
        Assert.Equal(0, await restarted.DispatchDueTimersAsync());
        Assert.Equal(ResumeStatus.NotFound, (await restarted.ResumeAsync(timer.Id, timer.Bookmarks.Single().Id)).Status);
        Assert.Equal(journal, await t.CountAsync("JournalEntries"));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ManyConcurrentStarts_AreGrouped_AndEachCommittedOnce(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(CommitTests.Pathway());
        var sizes = new List<int>();
        t.Store.AfterFlush = batch => { lock (sizes) sizes.Add(batch.Count); return Task.CompletedTask; };
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => t.Runtime.StartAsync("pathway", null, $"r{i}"))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(64, sizes.Sum());
        Assert.Equal(64, await t.CountAsync("WorkflowInstances"));
        Assert.Equal(64 * 3, await t.CountAsync("Bookmarks"));
        Assert.Equal(64, await t.CountAsync("Tasks"));
        Assert.Equal(64, await t.CountAsync("JournalEntries", "\"Kind\" = @k", ("@k", TraceKinds.Started)));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ParallelDispatch_200Timers_EachFiresOnce_InSharedTransactions(string provider)
    {
        const int instances = 200;
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(new Flow("delay")
            .Add("d", "Elsa.Delay", ("timeSpan", Lit("01:00:00")))
            .Add("w", "Elsa.WriteLine", ("text", Lit("fired")))
            .Chain("d", "w").Build());
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
            Assert.True((await t.Runtime.StartAsync("delay", cancellationToken: ct)).Succeeded));
        t.Clock.Advance(TimeSpan.FromHours(2));
        var sizes = new List<int>();
        var held = 0;
        t.Store.AfterFlush = async batch =>
        {
            lock (sizes) sizes.Add(batch.Count);
            // The first batch keeps the writer until others have queued behind it, as a slow flush does under load: the
            // writer is fast enough on an idle machine that 16 callers may otherwise never overlap.
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (t.Store.QueuedCommits < 2 && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(1);
            }
        };

        // Two dispatchers at once, each resuming 8 timers at a time.
        var fired = await Task.WhenAll(Task.Run(() => t.Runtime.DispatchDueTimersAsync(50, parallelism: 8)),
            Task.Run(() => t.Runtime.DispatchDueTimersAsync(50, parallelism: 8)));

        Assert.Equal(instances, fired.Sum());
        Assert.Equal(instances, await t.CountAsync("JournalEntries", "\"Kind\" = @k", ("@k", TraceKinds.TimerFired)));
        Assert.Equal(0, await t.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT \"InstanceId\" FROM \"JournalEntries\" WHERE \"Kind\" = @k GROUP BY \"InstanceId\" HAVING COUNT(*) <> 1) AS twice",
            ("@k", TraceKinds.TimerFired)));
        Assert.Equal(0, await t.CountAsync("Bookmarks"));
        Assert.True(sizes.Max() > 1, $"no commit was shared: batches {string.Join(",", sizes)}");
    }

    private sealed class SimulatedCrash() : Exception("the process died between the flush and the answer");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met");
            await Task.Delay(5);
        }
    }
}
