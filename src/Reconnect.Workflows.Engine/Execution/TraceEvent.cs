using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// One line of an instance's journal, and of the CLI's simulate output. Kinds: <c>started</c>, <c>activity-executed</c>,
/// <c>bookmark-created</c>, <c>timer-fired</c>, <c>task-created</c>, <c>task-completed</c>, <c>event-received</c>,
/// <c>log</c>, <c>finished</c>, <c>faulted</c>, plus <c>bookmark-removed</c>, <c>timer-rescheduled</c>, <c>cancelled</c>, <c>retried</c>.
/// </summary>
public sealed record TraceEvent(DateTimeOffset At, string Kind, string? ActivityId, string? ActivityType, JsonNode? Detail);

public static class TraceKinds
{
    public const string Started = "started";
    public const string ActivityExecuted = "activity-executed";
    public const string BookmarkCreated = "bookmark-created";
    public const string BookmarkRemoved = "bookmark-removed";
    public const string TimerFired = "timer-fired";
    public const string TimerRescheduled = "timer-rescheduled";
    public const string TaskCreated = "task-created";
    public const string TaskCompleted = "task-completed";
    public const string EventReceived = "event-received";
    public const string Log = "log";
    public const string Finished = "finished";
    public const string Faulted = "faulted";
    public const string Cancelled = "cancelled";
    public const string Retried = "retried";
    /// <summary>The instance moved to another version of its definition (from, to, the activity map).</summary>
    public const string Migrated = "migrated";
}

/// <summary>A fault recorded against the activity that raised it.</summary>
public sealed record Incident(DateTimeOffset At, string ActivityId, string ActivityType, string Message, string? ExceptionType);
