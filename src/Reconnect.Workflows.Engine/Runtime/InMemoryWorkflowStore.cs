using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Runtime;

/// <summary>
/// Everything in memory, for the CLI's simulate, tests and benchmarks. One lock guards a commit, which is what makes a
/// commit atomic here; the database stores get the same guarantee from a transaction and the version column.
/// </summary>
public sealed class InMemoryWorkflowStore : IWorkflowDefinitionStore, IWorkflowInstanceStore, ITaskStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<WorkflowDefinition>> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkflowState> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string InstanceId, Bookmark Bookmark)> _bookmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _bookmarksByHash = new(StringComparer.Ordinal);
    // Events come with a correlation id: index (key, correlation) too, or publishing N events to N instances is O(N²).
    private readonly Dictionary<(string Hash, string Correlation), HashSet<string>> _bookmarksByCorrelation = new();
    private readonly Dictionary<string, TaskRecord> _tasks = new(StringComparer.Ordinal);
    private readonly Queue<PublishEventEffect> _outbox = new();

    /// <summary>Keeps a clone of each committed state (as a database would) instead of the object handed in.</summary>
    public bool IsolateStates { get; init; } = true;

    public int InstanceCount
    {
        get { lock (_lock) return _instances.Count; }
    }

    public Task SaveAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_definitions.TryGetValue(definition.DefinitionId, out var versions))
                _definitions[definition.DefinitionId] = versions = [];
            versions.RemoveAll(d => d.Version == definition.Version);
            versions.Add(definition);
            versions.Sort((a, b) => a.Version.CompareTo(b.Version));
            var latest = versions[^1];
            foreach (var v in versions) v.IsLatest = ReferenceEquals(v, latest);
            if (definition.IsPublished)
                foreach (var v in versions.Where(v => !ReferenceEquals(v, definition))) v.IsPublished = false;
        }
        return Task.CompletedTask;
    }

    public Task<WorkflowDefinition?> FindPublishedAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_definitions.GetValueOrDefault(definitionId)?.LastOrDefault(d => d.IsPublished));
    }

    public Task<WorkflowDefinition?> FindLatestAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_definitions.GetValueOrDefault(definitionId)?.LastOrDefault());
    }

    public Task<WorkflowDefinition?> FindVersionAsync(string definitionId, int version, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_definitions.GetValueOrDefault(definitionId)?.FirstOrDefault(d => d.Version == version));
    }

    public Task<IReadOnlyList<WorkflowDefinition>> ListVersionsAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<WorkflowDefinition>>(_definitions.GetValueOrDefault(definitionId)?.ToList() ?? []);
    }

    public Task<IReadOnlyList<WorkflowDefinition>> ListLatestAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<WorkflowDefinition>>(_definitions.Values.Select(v => v[^1]).OrderBy(d => d.DefinitionId, StringComparer.Ordinal).ToList());
    }

    public Task<WorkflowState?> LoadAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var state = _instances.GetValueOrDefault(instanceId);
            return Task.FromResult(state is null ? null : IsolateStates ? state.Clone() : state);
        }
    }

    public Task<CommitOutcome> CommitAsync(StepCommit commit, CancellationToken cancellationToken = default)
    {
        var state = commit.State;
        lock (_lock)
        {
            var current = _instances.GetValueOrDefault(state.Id);
            var expected = state.Version - 1;
            if ((current?.Version ?? 0) != expected || (current is null && expected != 0))
                return Task.FromResult(CommitOutcome.Conflict);

            _instances[state.Id] = IsolateStates ? state.Clone() : state;
            foreach (var removed in commit.Result.BookmarksRemoved)
            {
                if (!_bookmarks.Remove(removed.Id, out var entry)) continue;
                if (_bookmarksByHash.TryGetValue(entry.Bookmark.Hash, out var set))
                {
                    set.Remove(removed.Id);
                    if (set.Count == 0) _bookmarksByHash.Remove(entry.Bookmark.Hash);
                }
                if (entry.Bookmark.CorrelationId is { } correlation && _bookmarksByCorrelation.TryGetValue((entry.Bookmark.Hash, correlation), out var correlated))
                {
                    correlated.Remove(removed.Id);
                    if (correlated.Count == 0) _bookmarksByCorrelation.Remove((entry.Bookmark.Hash, correlation));
                }
            }
            foreach (var added in commit.Result.BookmarksAdded)
            {
                _bookmarks[added.Id] = (state.Id, added);
                if (!_bookmarksByHash.TryGetValue(added.Hash, out var set)) _bookmarksByHash[added.Hash] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(added.Id);
                if (added.CorrelationId is { } correlation)
                {
                    if (!_bookmarksByCorrelation.TryGetValue((added.Hash, correlation), out var correlated))
                        _bookmarksByCorrelation[(added.Hash, correlation)] = correlated = new HashSet<string>(StringComparer.Ordinal);
                    correlated.Add(added.Id);
                }
            }
            // Rebuild replaced bookmarks kept under the same id (a task whose due date moved).
            foreach (var b in state.Bookmarks)
                if (_bookmarks.TryGetValue(b.Id, out var existing) && !ReferenceEquals(existing.Bookmark, b)) _bookmarks[b.Id] = (state.Id, b);

            if (commit.Stimulus is Stimulus.Resume resume && commit.Result.BookmarksRemoved.FirstOrDefault(b => b.Id == resume.BookmarkId)?.TaskId is { } completedTaskId
                && _tasks.TryGetValue(completedTaskId, out var completed))
            {
                _tasks[completedTaskId] = completed with { Status = TaskRecordStatus.Completed, Outcome = ValueConverterOutcome(resume.Input) };
            }
            foreach (var effect in commit.Result.Effects)
            {
                switch (effect)
                {
                    case CreateTaskEffect create:
                        _tasks[create.TaskId] = new TaskRecord
                        {
                            TaskId = create.TaskId, InstanceId = state.Id, BookmarkId = create.BookmarkId, ActivityId = create.ActivityId,
                            Title = create.Title, Outcomes = create.Outcomes, DueAt = create.DueAt, CreatedAt = state.UpdatedAt, Data = create.Data,
                        };
                        break;
                    case CancelTaskEffect cancel when _tasks.TryGetValue(cancel.TaskId, out var task) && task.Status == TaskRecordStatus.Open:
                        _tasks[cancel.TaskId] = task with { Status = TaskRecordStatus.Cancelled };
                        break;
                    case RescheduleTaskEffect reschedule when _tasks.TryGetValue(reschedule.TaskId, out var task):
                        _tasks[reschedule.TaskId] = task with { DueAt = reschedule.DueAt };
                        break;
                    case PublishEventEffect publish:
                        _outbox.Enqueue(publish);
                        break;
                }
            }
            return Task.FromResult(CommitOutcome.Committed);
        }
    }

    private static string? ValueConverterOutcome(JsonNode? input) => input switch
    {
        JsonObject o => Activities.ValueConverter.ToText(o["outcome"]),
        JsonValue v => Activities.ValueConverter.ToText(v),
        _ => null,
    };

    public Task<IReadOnlyList<BookmarkMatch>> FindBookmarksAsync(string hash, string? correlationId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var found = correlationId is null ? _bookmarksByHash.TryGetValue(hash, out var ids) : _bookmarksByCorrelation.TryGetValue((hash, correlationId), out ids);
            if (!found) return Task.FromResult<IReadOnlyList<BookmarkMatch>>([]);
            var matches = ids!.Select(id => _bookmarks[id])
                .Select(e => new BookmarkMatch(e.InstanceId, e.Bookmark.Id, e.Bookmark.DueAt))
                .ToList();
            return Task.FromResult<IReadOnlyList<BookmarkMatch>>(matches);
        }
    }

    public Task<IReadOnlyList<BookmarkMatch>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var due = _bookmarks.Values
                .Where(e => e.Bookmark.DueAt is { } d && d <= now)
                .OrderBy(e => e.Bookmark.DueAt)
                .Take(max)
                .Select(e => new BookmarkMatch(e.InstanceId, e.Bookmark.Id, e.Bookmark.DueAt))
                .ToList();
            return Task.FromResult<IReadOnlyList<BookmarkMatch>>(due);
        }
    }

    /// <summary>The earliest timer not yet due, so a simulated clock can jump straight to it.</summary>
    public DateTimeOffset? NextTimerDue()
    {
        lock (_lock)
            return _bookmarks.Values.Where(e => e.Bookmark.DueAt is not null).Select(e => e.Bookmark.DueAt).Min();
    }

    public Task<IReadOnlyList<PublishEventEffect>> TakeOutboxAsync(int max, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var list = new List<PublishEventEffect>();
            while (list.Count < max && _outbox.TryDequeue(out var e)) list.Add(e);
            return Task.FromResult<IReadOnlyList<PublishEventEffect>>(list);
        }
    }

    public Task<TaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_tasks.GetValueOrDefault(taskId));
    }

    public Task<IReadOnlyList<TaskRecord>> ListOpenTasksAsync(string? instanceId = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<TaskRecord>>(_tasks.Values
                .Where(t => t.Status == TaskRecordStatus.Open && (instanceId is null || t.InstanceId == instanceId))
                .OrderBy(t => t.CreatedAt).ToList());
    }
}
