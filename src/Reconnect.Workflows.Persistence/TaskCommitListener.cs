using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// A task that a committed step created, or moved to another person or site: who should now see it. Ids, site and
/// assignee only (no title or personal data), so listeners can pass it on freely.
/// </summary>
public sealed record TaskCommitNotice(string TaskId, string? Site, string? Assignee, string? AssigneeRole, string? SubjectId)
{
    public static TaskCommitNotice From(WorkflowTaskRecord task) => new(task.Id, task.Site, task.Assignee, task.AssigneeRole, task.SubjectId);
}

/// <summary>
/// Told by the commit (<see cref="EfWorkflowStore.CommitAsync"/>) about the tasks a step created, only after its transaction has
/// committed (never before: a reader told earlier could query and not find the row, or find one that is then rolled back).
/// Called on the committing thread: return quickly and do not throw (a throw is caught and dropped, because the step
/// itself has already succeeded and must not be retried).
/// </summary>
public interface ITaskCommitListener
{
    void TasksCommitted(IReadOnlyList<TaskCommitNotice> tasks);
}

/// <summary>
/// Told after a commit that added timer bookmarks, with the earliest due instant among them (a dispatcher waiting for a
/// later one re-arms). Called on the committing thread: return quickly and do not throw.
/// </summary>
public interface ITimerCommitListener
{
    void TimersCommitted(DateTimeOffset earliestDueAt);
}
