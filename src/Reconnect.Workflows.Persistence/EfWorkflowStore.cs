using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence.Commit;
using Reconnect.Workflows.Persistence.Stores;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// The engine's three store interfaces over the database, put together from parts named after what they do:
/// <see cref="DefinitionStore"/> (versions, cached), <see cref="InstanceReads"/> (load, bookmark look-ups, due timers,
/// the outbox), <see cref="TaskReads"/>, and the write path — <see cref="CommitQueue"/> (group commit: concurrent steps
/// share one transaction and one flush, a savepoint each) over <see cref="StepWriter"/> (one step's rows, guarded by the
/// instance's version and the bookmark claim) and <see cref="MultiRowInsert"/>. docs/persistence.md.
/// </summary>
public sealed class EfWorkflowStore : IWorkflowDefinitionStore, IWorkflowInstanceStore, ITaskStore
{
    private readonly DefinitionStore _definitions;
    private readonly InstanceReads _reads;
    private readonly TaskReads _tasks;
    private readonly CommitQueue _commits;

    public EfWorkflowStore(
        IDbContextFactory<ReconnectDbContext> contexts,
        IEnumerable<IEffectWriter> effectWriters,
        IEnumerable<ITaskCommitListener>? taskListeners = null,
        ILogger<EfWorkflowStore>? logger = null,
        IEnumerable<ITimerCommitListener>? timerListeners = null,
        GroupCommitSettings? groupCommit = null)
    {
        ITaskCommitListener[] taskListenerArray = [.. taskListeners ?? []];
        _definitions = new DefinitionStore(contexts);
        _reads = new InstanceReads(contexts);
        _tasks = new TaskReads(contexts);
        _commits = new CommitQueue(contexts, new StepWriter([.. effectWriters], collectNewTasks: taskListenerArray.Length > 0),
            groupCommit ?? GroupCommitSettings.Default, taskListenerArray, [.. timerListeners ?? []], logger);
    }

    /// <summary>Tests only: see <see cref="CommitQueue.AfterFlush"/>.</summary>
    internal Func<IReadOnlyList<StepCommit>, Task>? AfterFlush { get => _commits.AfterFlush; set => _commits.AfterFlush = value; }

    /// <summary>Tests only: steps waiting for the writer.</summary>
    internal int QueuedCommits => _commits.Queued;

    /// <summary>The cron expression of a definition that starts on a schedule (its start activity is an <c>Elsa.Cron</c> with a literal expression).</summary>
    public static string? CronTriggerOf(WorkflowDefinition definition) => DefinitionStore.CronTriggerOf(definition);

    // definitions
    public Task SaveAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default) => _definitions.SaveAsync(definition, cancellationToken);
    public Task<WorkflowDefinition?> FindPublishedAsync(string definitionId, CancellationToken cancellationToken = default) => _definitions.FindPublishedAsync(definitionId, cancellationToken);
    public Task<WorkflowDefinition?> FindLatestAsync(string definitionId, CancellationToken cancellationToken = default) => _definitions.FindLatestAsync(definitionId, cancellationToken);
    public Task<WorkflowDefinition?> FindVersionAsync(string definitionId, int version, CancellationToken cancellationToken = default) => _definitions.FindVersionAsync(definitionId, version, cancellationToken);
    public Task<IReadOnlyList<WorkflowDefinition>> ListVersionsAsync(string definitionId, CancellationToken cancellationToken = default) => _definitions.ListVersionsAsync(definitionId, cancellationToken);
    public Task<IReadOnlyList<WorkflowDefinition>> ListLatestAsync(CancellationToken cancellationToken = default) => _definitions.ListLatestAsync(cancellationToken);

    // instances
    public Task<WorkflowState?> LoadAsync(string instanceId, CancellationToken cancellationToken = default) => _reads.LoadAsync(instanceId, cancellationToken);
    public Task<CommitOutcome> CommitAsync(StepCommit commit, CancellationToken cancellationToken = default) => _commits.CommitAsync(commit, cancellationToken);
    public Task<IReadOnlyList<BookmarkMatch>> FindBookmarksAsync(string hash, string? correlationId, CancellationToken cancellationToken = default) => _reads.FindBookmarksAsync(hash, correlationId, cancellationToken);
    public Task<IReadOnlyList<BookmarkMatch>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) => _reads.FindDueTimersAsync(now, max, cancellationToken);
    /// <summary>The earliest waiting timer's due instant (null when none): when a dispatcher should next wake.</summary>
    public Task<DateTimeOffset?> NextTimerDueAsync(CancellationToken cancellationToken = default) => _reads.NextTimerDueAsync(cancellationToken);
    public Task<IReadOnlyList<PublishEventEffect>> TakeOutboxAsync(int max, CancellationToken cancellationToken = default) => _reads.TakeOutboxAsync(max, cancellationToken);

    // tasks
    public Task<TaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken = default) => _tasks.FindTaskAsync(taskId, cancellationToken);
    public Task<IReadOnlyList<TaskRecord>> ListOpenTasksAsync(string? instanceId = null, CancellationToken cancellationToken = default) => _tasks.ListOpenTasksAsync(instanceId, cancellationToken);
}
