using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Runtime;

/// <summary>Definition versions. Only <see cref="FindPublishedAsync"/> is used to start instances; running instances stay on their version.</summary>
public interface IWorkflowDefinitionStore
{
    Task SaveAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default);
    Task<WorkflowDefinition?> FindPublishedAsync(string definitionId, CancellationToken cancellationToken = default);
    Task<WorkflowDefinition?> FindLatestAsync(string definitionId, CancellationToken cancellationToken = default);
    Task<WorkflowDefinition?> FindVersionAsync(string definitionId, int version, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<WorkflowDefinition>> ListVersionsAsync(string definitionId, CancellationToken cancellationToken = default);
    /// <summary>The latest version of every definition.</summary>
    Task<IReadOnlyList<WorkflowDefinition>> ListLatestAsync(CancellationToken cancellationToken = default);
}

/// <summary>A bookmark found by its key, with the instance it belongs to.</summary>
public sealed record BookmarkMatch(string InstanceId, string BookmarkId, DateTimeOffset? DueAt);

/// <summary>One step to commit: the new state, its bookmark changes and effects, and the stimulus that caused it.</summary>
public sealed record StepCommit(WorkflowState State, StepResult Result, Stimulus Stimulus);

public enum CommitOutcome
{
    Committed,
    /// <summary>Someone else committed a step of this instance first: reload and try again.</summary>
    Conflict,
}

/// <summary>
/// Instances and their bookmarks. <see cref="CommitAsync"/> writes the state, the bookmark changes and the rows the
/// effects stand for at once, or nothing, guarded by the instance's version (optimistic concurrency).
/// </summary>
public interface IWorkflowInstanceStore
{
    Task<WorkflowState?> LoadAsync(string instanceId, CancellationToken cancellationToken = default);
    Task<CommitOutcome> CommitAsync(StepCommit commit, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<BookmarkMatch>> FindBookmarksAsync(string hash, string? correlationId, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<BookmarkMatch>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);
    /// <summary>Events published by committed steps, not yet delivered. Taking them removes them.</summary>
    Task<IReadOnlyList<PublishEventEffect>> TakeOutboxAsync(int max, CancellationToken cancellationToken = default);
}

/// <summary>An inbox task as the engine-level stores keep it (the referral domain keeps a richer row).</summary>
public sealed record TaskRecord
{
    public required string TaskId { get; init; }
    public required string InstanceId { get; init; }
    public required string BookmarkId { get; init; }
    public required string ActivityId { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<string> Outcomes { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public TaskRecordStatus Status { get; init; }
    public string? Outcome { get; init; }
    public JsonObject? Data { get; init; }
}

public enum TaskRecordStatus
{
    Open,
    Completed,
    Cancelled,
}

public interface ITaskStore
{
    Task<TaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<TaskRecord>> ListOpenTasksAsync(string? instanceId = null, CancellationToken cancellationToken = default);
}
