using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// A waiting point of an instance. <see cref="Hash"/> is the match key computed by <see cref="BookmarkKey"/> only;
/// a timer carries <see cref="DueAt"/>. Bookmarks are immutable: a re-timed timer is a new bookmark replacing the old.
/// </summary>
public sealed record Bookmark
{
    public required string Id { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityType { get; init; }
    /// <summary>The stimulus kind it waits for: <c>Event</c>, <c>Task</c>, <c>Timer</c>.</summary>
    public required string Name { get; init; }
    public required string Hash { get; init; }
    public string? CorrelationId { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Activity-specific data: event name, task id, the expression a timer's due time came from, …</summary>
    public JsonObject? Payload { get; init; }

    public bool IsTimer => DueAt is not null;

    public string? TaskId => Payload?["taskId"]?.GetValue<string>();

    public Bookmark DeepClone() => this with { Payload = (JsonObject?)Payload?.DeepClone() };
}

/// <summary>The stimulus kinds a bookmark can wait for.</summary>
public static class StimulusNames
{
    public const string Event = "Event";
    public const string Task = "Task";
    public const string Timer = "Timer";
}
