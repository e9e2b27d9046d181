using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;

namespace Reconnect.Workflows.Application.Tasks;

/// <summary>
/// In-process news of new tasks, for open inboxes (docs/ui.md, "Live inbox"). <see cref="EfWorkflowStore"/> tells it about
/// the tasks a step created once that step's transaction has committed, so a subscriber that re-queries finds the rows.
/// <para>
/// This node only: a task committed by another node (or by the Quartz dispatcher on another node) is not announced here.
/// That is why the inbox also re-reads every 30 seconds; the push makes the common case (one node, or the referral made
/// on the same node) immediate, the poll bounds the rest.
/// </para>
/// </summary>
public sealed class TaskNotifications(ILogger<TaskNotifications>? logger = null) : ITaskCommitListener
{
    private readonly Lock _gate = new();
    private ImmutableHandlers _handlers = ImmutableHandlers.Empty;

    /// <summary>
    /// Calls <paramref name="handler"/> for every batch of committed tasks until the returned handle is disposed. The
    /// handler runs on the committing thread: hand the work off (a component: <c>InvokeAsync</c>) and return.
    /// </summary>
    public IDisposable Subscribe(Action<IReadOnlyList<TaskCommitNotice>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) _handlers = _handlers.Add(handler);
        return new Subscription(this, handler);
    }

    /// <summary>How many handlers are subscribed (an inbox that was closed must not stay here).</summary>
    public int SubscriberCount => _handlers.Items.Length;

    public void TasksCommitted(IReadOnlyList<TaskCommitNotice> tasks)
    {
        if (tasks.Count == 0) return;
        foreach (var handler in _handlers.Items)
        {
            try
            {
                handler(tasks);
            }
#pragma warning disable CA1031 // one broken subscriber must not keep the news from the others
            catch (Exception ex)
            {
                logger?.LogWarning(ex, "An inbox subscriber failed on news of {Count} new tasks; the others were told", tasks.Count);
            }
#pragma warning restore CA1031
        }
    }

    /// <summary>Whether a new task belongs in this viewer's inbox: theirs, or waiting in the queue they work (their site's, or the managers').</summary>
    public static bool Concerns(TaskViewer viewer, TaskCommitNotice task) => viewer.Kind switch
    {
        TaskViewerKind.Navigator => task.Assignee == viewer.UserId
            || (task.Assignee is null && viewer.Site is not null && task.Site == viewer.Site && task.AssigneeRole == TaskAssigneeRoles.Navigator),
        TaskViewerKind.Manager => task.Assignee == viewer.UserId || (task.Assignee is null && task.AssigneeRole == TaskAssigneeRoles.Manager),
        _ => false,
    };

    private void Unsubscribe(Action<IReadOnlyList<TaskCommitNotice>> handler)
    {
        lock (_gate) _handlers = _handlers.Remove(handler);
    }

    /// <summary>Copy-on-write, so publishing never takes the lock or sees a list being changed.</summary>
    private sealed record ImmutableHandlers(Action<IReadOnlyList<TaskCommitNotice>>[] Items)
    {
        public static readonly ImmutableHandlers Empty = new([]);
        public ImmutableHandlers Add(Action<IReadOnlyList<TaskCommitNotice>> h) => new([.. Items, h]);
        public ImmutableHandlers Remove(Action<IReadOnlyList<TaskCommitNotice>> h)
        {
            var index = Array.IndexOf(Items, h);
            return index < 0 ? this : new([.. Items[..index], .. Items[(index + 1)..]]);
        }
    }

    private sealed class Subscription(TaskNotifications owner, Action<IReadOnlyList<TaskCommitNotice>> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(handler);
        }
    }
}
