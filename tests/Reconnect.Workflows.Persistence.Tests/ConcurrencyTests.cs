using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;
using static Reconnect.Workflows.Persistence.Tests.Infrastructure.Flow;

namespace Reconnect.Workflows.Persistence.Tests;

/// <summary>Exactly once under concurrency (Elsa #7223, #5228): many callers, one bookmark, one resume.</summary>
public class ConcurrencyTests
{
    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Resume_24RacingCallers_ExactlyOneResumes(string provider)
    {
        const int callers = 24;
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(new Flow("wait")
            .Add("e", "Elsa.Event", ("eventName", Lit("go")))
            .Add("w", "Elsa.WriteLine", ("text", Lit("resumed")))
            .Chain("e", "w").Build());
        var started = await t.Runtime.StartAsync("wait", null, "race");
        var id = started.State!.Id;
        var bookmarkId = started.State.Bookmarks.Single().Id;

        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            // Half resume the bookmark by id, half publish the event by name and correlation id.
            if (i % 2 == 0) return (await t.Runtime.ResumeAsync(id, bookmarkId)).Status;
            return await t.Runtime.PublishEventAsync("go", "race") == 1 ? ResumeStatus.Resumed : ResumeStatus.NotFound;
        })).ToList();
        gate.Set();
        var results = await Task.WhenAll(tasks);

        Assert.Single(results, r => r == ResumeStatus.Resumed);
        Assert.All(results.Where(r => r != ResumeStatus.Resumed), r => Assert.Equal(ResumeStatus.NotFound, r));
        Assert.Equal(1, await t.JournalCountAsync(id, TraceKinds.EventReceived));
        Assert.Equal(1, await t.JournalCountAsync(id, TraceKinds.Log));
        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(id))!.Status);
        Assert.Equal(0, await t.CountAsync("Bookmarks"));
        Assert.Equal(2, await t.ScalarAsync("SELECT \"Version\" FROM \"WorkflowInstances\" WHERE \"Id\" = @i", ("@i", id)));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Timers_200Instances_FourParallelDispatchers_EachFiresOnce(string provider)
    {
        const int instances = 200;
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(new Flow("delay")
            .Add("d", "Elsa.Delay", ("timeSpan", Lit("01:00:00")))
            .Add("w", "Elsa.WriteLine", ("text", Lit("fired")))
            .Chain("d", "w").Build());
        var started = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
        {
            if ((await t.Runtime.StartAsync("delay", cancellationToken: ct)).Succeeded) Interlocked.Increment(ref started);
        });
        Assert.Equal(instances, started);
        Assert.Empty(await t.Store.FindDueTimersAsync(t.Clock.GetUtcNow(), 10)); // nothing due yet
        Assert.Equal(0, await t.Runtime.DispatchDueTimersAsync());

        t.Clock.Advance(TimeSpan.FromHours(2));
        using var gate = new ManualResetEventSlim();
        var dispatchers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return await t.Runtime.DispatchDueTimersAsync(batchSize: 50);
        })).ToList();
        gate.Set();
        var fired = await Task.WhenAll(dispatchers);

        Assert.Equal(instances, fired.Sum());
        Assert.Equal(instances, await t.CountAsync("JournalEntries", "\"Kind\" = @k", ("@k", TraceKinds.TimerFired)));
        Assert.Equal(0, await t.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT \"InstanceId\" FROM \"JournalEntries\" WHERE \"Kind\" = @k GROUP BY \"InstanceId\" HAVING COUNT(*) <> 1) AS twice",
            ("@k", TraceKinds.TimerFired)));
        Assert.Equal(instances, await t.CountAsync("JournalEntries", "\"Kind\" = @k", ("@k", TraceKinds.Log)));
        Assert.Equal(0, await t.CountAsync("Bookmarks"));
        Assert.Equal(instances, await t.CountAsync("WorkflowInstances", "\"Status\" = 'Finished'"));
        Assert.Equal(0, await t.Runtime.DispatchDueTimersAsync());
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Outbox_TwoConcurrentDeliverers_DeliverEachEventOnce(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        // The listener waits for "ping" twice: a second delivery of the same event would move it on to the end.
        await t.PublishAsync(new Flow("listener")
            .Add("first", "Elsa.Event", ("eventName", Lit("ping")))
            .Add("second", "Elsa.Event", ("eventName", Lit("ping")))
            .Add("end", "Elsa.Finish")
            .Chain("first", "second", "end").Build());
        var publisher = await t.PublishAsync(new Flow("publisher")
            .Add("pub", "Elsa.PublishEvent", ("eventName", Lit("ping")), ("correlationId", Lit("case-1")))
            .Build());
        var listener = (await t.Runtime.StartAsync("listener", null, "case-1")).State!.Id;

        // Commit the publisher's step straight to the store, as a node that crashed before delivering would leave it.
        var now = t.Clock.GetUtcNow();
        var state = t.Runner.CreateInstance(publisher, now);
        var step = t.Runner.Step(publisher, state, new Stimulus.Start(null, null, null), now);
        Assert.Equal(CommitOutcome.Committed, await t.Store.CommitAsync(new StepCommit(step.State, step, new Stimulus.Start(null, null, null))));
        Assert.Equal(1, await t.CountAsync("Outbox"));

        using var gate = new ManualResetEventSlim();
        var deliverers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return await t.Runtime.DeliverOutboxAsync();
        })).ToList();
        gate.Set();
        var delivered = await Task.WhenAll(deliverers);

        Assert.Equal(1, delivered.Sum());
        Assert.Equal(0, await t.CountAsync("Outbox"));
        Assert.Equal(1, await t.JournalCountAsync(listener, TraceKinds.EventReceived));
        var waiting = (await t.Store.LoadAsync(listener))!;
        Assert.Equal(WorkflowStatus.Suspended, waiting.Status);
        Assert.Equal("second", Assert.Single(waiting.Bookmarks).ActivityId);
        Assert.Equal(0, await t.Runtime.DeliverOutboxAsync());
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task PublishEventActivity_DeliveredAfterCommit_ByTheRuntime(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(new Flow("listener").Add("e", "Elsa.Event", ("eventName", Lit("ping"))).Build());
        await t.PublishAsync(new Flow("publisher").Add("pub", "Elsa.PublishEvent", ("eventName", Lit("ping")), ("correlationId", Lit("case-2"))).Build());
        var listener = (await t.Runtime.StartAsync("listener", null, "case-2")).State!.Id;

        await t.Runtime.StartAsync("publisher");

        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(listener))!.Status);
        Assert.Equal(0, await t.CountAsync("Outbox"));
    }
}
