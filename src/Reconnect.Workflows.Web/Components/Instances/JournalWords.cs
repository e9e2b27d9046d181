using System.Globalization;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;

namespace Reconnect.Workflows.Web.Components.Instances;

/// <summary>
/// A journal line in words for the instance viewer: "Waiting at First contact for the task", "Timer at Week before
/// release fired", "Task at First contact completed: Engaged". The raw detail stays one click away for the curious.
/// </summary>
public static class JournalWords
{
    /// <param name="label">The activity's name for people (the diagram's label), from its id.</param>
    public static string Describe(string kind, string? activityId, JsonNode? detail, Func<string, string> label)
    {
        var at = activityId is null ? "" : label(activityId);
        string? Text(string key) => detail?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : detail?[key]?.ToJsonString();
        return kind switch
        {
            TraceKinds.Started => "The workflow started" + (Text("version") is { } version ? $" (version {version})" : "") + ".",
            TraceKinds.ActivityExecuted => $"{at} ran" + Outcomes(detail?["outcomes"]) + ".",
            TraceKinds.BookmarkCreated => $"Waiting at {at} " + Waits(detail, Text) + ".",
            TraceKinds.BookmarkRemoved => $"Stopped waiting at {at}" + (Text("reason") is { Length: > 0 } reason ? $": {reason}" : "") + ".",
            TraceKinds.TimerFired => $"The timer at {at} fired" + (When(Text("due")) is { } due ? $" (due {due})" : "") + ".",
            TraceKinds.TimerRescheduled => $"The timer at {at} moved" + (When(Text("previousDue")) is { } from ? $" from {from}" : "") + (When(Text("due")) is { } to ? $" to {to}" : "") + ".",
            TraceKinds.TaskCreated => $"Task '{Text("title") ?? at}' created" + (When(Text("due")) is { } due ? $", due {due}" : "") + ".",
            TraceKinds.TaskCompleted => $"The task at {at} was completed" + (Outcome(detail?["input"]) is { } outcome ? $": {outcome}" : "") + ".",
            TraceKinds.EventReceived => $"The event '{Text("name") ?? "?"}' arrived" + (at.Length > 0 ? $" at {at}" : "") + ".",
            TraceKinds.Log => at.Length > 0 ? $"{at}: {Text("text")}" : Text("text") ?? "",
            TraceKinds.Finished => "The workflow finished.",
            TraceKinds.Faulted => $"{at} failed" + (Text("message") is { } message ? $": {message}" : "") + ".",
            TraceKinds.Cancelled => "The workflow was cancelled" + (Text("reason") is { } reason ? $" ({reason})" : "") + ".",
            TraceKinds.Retried => "Retried" + (at.Length > 0 ? $" from {at}" : "") + ".",
            _ => at.Length > 0 ? $"{kind} at {at}." : $"{kind}.",
        };
    }

    private static string Waits(JsonNode? detail, Func<string, string?> text) => text("stimulus") switch
    {
        "Task" or "task" => "for the task" + (When(text("due")) is { } due ? $" (due {due})" : ""),
        _ when text("due") is { } due => $"until {When(due) ?? due}",
        _ when text("eventName") is { } name => $"for the event '{name}'",
        var other => other is null ? "" : $"for {other}",
    };

    private static string Outcomes(JsonNode? outcomes) =>
        outcomes is JsonArray { Count: > 0 } list ? " → " + string.Join(", ", list.Select(o => o?.ToString())) : "";

    private static string? Outcome(JsonNode? input) =>
        input is JsonObject o && o["outcome"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>An instant the engine wrote (ISO with offset) as "2026-12-29 00:00" London time.</summary>
    private static string? When(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? TimeZoneInfo.ConvertTime(at, Engine.Time.LondonTime.TimeZoneInfo).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : null;
}
