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
    private readonly Notifications.LocalNews<IReadOnlyList<TaskCommitNotice>, TaskCommitNotice> _news = new("new tasks", logger);

    /// <summary>
    /// Calls <paramref name="handler"/> for every batch of committed tasks until the returned handle is disposed. The
    /// handler runs on the committing thread: hand the work off (a component: <c>InvokeAsync</c>) and return.
    /// </summary>
    public IDisposable Subscribe(Action<IReadOnlyList<TaskCommitNotice>> handler) => _news.Subscribe(handler);

    /// <summary>How many handlers are subscribed (an inbox that was closed must not stay here).</summary>
    public int SubscriberCount => _news.SubscriberCount;

    public void TasksCommitted(IReadOnlyList<TaskCommitNotice> tasks) => _news.Publish(tasks);

    /// <summary>Whether a new task belongs in this viewer's inbox: theirs, or waiting in the queue they work (their site's, or the managers').</summary>
    public static bool Concerns(TaskViewer viewer, TaskCommitNotice task) => viewer.Kind switch
    {
        TaskViewerKind.Navigator => task.Assignee == viewer.UserId
            || (task.Assignee is null && viewer.Site is not null && task.Site == viewer.Site && task.AssigneeRole == TaskAssigneeRoles.Navigator),
        TaskViewerKind.Manager => task.Assignee == viewer.UserId || (task.Assignee is null && task.AssigneeRole == TaskAssigneeRoles.Manager),
        _ => false,
    };
}
