using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;

namespace Reconnect.Workflows.Persistence.Tests;

/// <summary>Each effect has exactly one writer, chosen by what it writes; every writer observes first; order does not matter.</summary>
public class EffectWriterTests
{
    /// <summary>Writes nothing; notes the status a cancelled task had when the cancel was observed.</summary>
    private sealed class CancelObserver : IEffectWriter
    {
        public List<string?> StatusesSeen { get; } = [];
        public bool Handles(WorkflowEffect effect) => false;
        public Task WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("an observer writes nothing");

        public async Task ObserveAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken)
        {
            if (effect is CancelTaskEffect cancel) StatusesSeen.Add((await db.Tasks.FindAsync([cancel.TaskId], cancellationToken))?.Status);
        }
    }

    /// <summary>Claims the tasks, which the core writer also writes.</summary>
    private sealed class RivalTaskWriter : IEffectWriter
    {
        public bool Handles(WorkflowEffect effect) => effect is CreateTaskEffect;
        public Task WriteAsync(ReconnectDbContext db, WorkflowState state, WorkflowEffect effect, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Commit_ObserverBeforeOrAfterTheCoreWriter_SeesTheCancelledTaskStillOpen(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(CommitTests.Pathway());
        foreach (var observerFirst in new[] { true, false })
        {
            var observer = new CancelObserver();
            IEffectWriter[] writers = observerFirst ? [observer, new CoreEffectWriter()] : [new CoreEffectWriter(), observer];
            var store = new EfWorkflowStore(t.Contexts, writers);
            var runtime = new WorkflowRuntime(t.Runner, store, store, t.Clock);
            var started = await runtime.StartAsync("pathway");

            await runtime.CancelAsync(started.State!.Id, "test");

            Assert.Equal([TaskStatuses.Open], observer.StatusesSeen);
            await using var db = await t.Contexts.CreateDbContextAsync();
            Assert.Equal(TaskStatuses.Cancelled, await db.Tasks.Where(x => x.InstanceId == started.State.Id).Select(x => x.Status).SingleAsync());
        }
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Commit_TwoWritersForOneEffect_RefusedAndNothingWritten(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        await t.PublishAsync(CommitTests.Pathway());
        var store = new EfWorkflowStore(t.Contexts, [new CoreEffectWriter(), new RivalTaskWriter()]);
        var runtime = new WorkflowRuntime(t.Runner, store, store, t.Clock);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.StartAsync("pathway"));

        Assert.Contains("Two writers for effect CreateTaskEffect", error.Message);
        Assert.Equal(0, await t.CountAsync("WorkflowInstances"));
        Assert.Equal(0, await t.CountAsync("Tasks"));
    }
}
