using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// Our instance detail, journal and bookmarks as Elsa's instance, workflow state, journal records and activity execution
/// report. Node ids come from the instance's definition version as <see cref="ElsaDefinitionMapping.ToElsa"/> writes them,
/// so what the viewer reads about an instance matches the definition it draws.
/// </summary>
public static class ElsaInstanceMapping
{
    public static ElsaInstanceSummary ToSummary(InstanceQueryItem item)
    {
        var s = item.Summary;
        var (status, sub) = ElsaStatuses.ToElsa(s.Status);
        return new(s.Id, s.DefinitionId, item.DefinitionVersionId, s.DefinitionVersion, status, sub, s.CorrelationId, null,
            item.IncidentCount, s.CreatedAt, s.UpdatedAt, s.FinishedAt);
    }

    public static ElsaInstance ToElsa(InstanceDetail d, WorkflowDefinition? definition)
    {
        var nodes = definition is null ? new Dictionary<string, string>(StringComparer.Ordinal) : ElsaDefinitionMapping.NodeIds(definition);
        var (status, sub) = ElsaStatuses.ToElsa(d.Status);
        string Node(string activityId) => nodes.GetValueOrDefault(activityId, activityId);
        var incidents = d.Incidents.Select(i => new ElsaIncident(i.ActivityId, Node(i.ActivityId), i.ActivityType, i.Message,
            i.ExceptionType is null ? null : new ElsaException(i.ExceptionType, i.Message), i.At)).ToList();
        var bookmarks = d.Bookmarks.Select(b => new ElsaBookmark(b.Id, b.Name, "", BookmarkPayload(b), Node(b.ActivityId), b.Id, true)).ToList();
        var last = d.Incidents.Count > 0 ? d.Incidents[^1] : null;
        var fault = d.Status == nameof(WorkflowStatus.Faulted) && last is not null
            ? new ElsaFault(last.ExceptionType is null ? null : new ElsaException(last.ExceptionType, last.Message), last.Message, last.ActivityId)
            : null;
        var variables = new JsonObject();
        foreach (var (name, value) in d.Variables) variables[name] = value?.DeepClone();
        var state = new ElsaWorkflowState(d.Id, d.DefinitionId, d.DefinitionVersion, d.CorrelationId, status, sub, bookmarks, incidents, fault,
            [], [], new JsonObject(), new JsonObject(), new JsonObject { ["variables"] = variables }, d.CreatedAt, d.UpdatedAt, d.FinishedAt);
        return new ElsaInstance(d.Id, d.DefinitionId, d.DefinitionVersionId, d.DefinitionVersion, state, status, sub, d.CorrelationId,
            definition?.Name, d.Incidents.Count, d.CreatedAt, d.UpdatedAt, d.FinishedAt);
    }

    /// <summary>The journal as Elsa's execution log records, oldest first; workflow-level lines are put on the root activity.</summary>
    public static List<ElsaLogRecord> Journal(InstanceDetail d, WorkflowDefinition? definition)
    {
        var nodes = definition is null ? new Dictionary<string, string>(StringComparer.Ordinal) : ElsaDefinitionMapping.NodeIds(definition);
        var rootId = definition?.Root.Id is { Length: > 0 } r ? r : "Flowchart1";
        var rootType = definition?.Root.Type ?? ActivityNode.FlowchartType;
        return d.Journal.Select(line =>
        {
            var activityId = line.ActivityId ?? rootId;
            var type = line.ActivityType ?? (line.ActivityId is null ? rootType : definition?.FindActivity(line.ActivityId)?.Type ?? "");
            var name = definition?.FindActivity(activityId)?.Name ?? (activityId == rootId ? definition?.Name : null);
            var (eventName, message) = Event(line);
            var payload = line.Detail?.DeepClone();
            return new ElsaLogRecord(
                line.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{activityId}@{line.Id}", null, activityId, type, 1, name,
                nodes.GetValueOrDefault(activityId, activityId), line.At, line.Id, eventName, message, null, null, payload);
        }).ToList();
    }

    /// <summary>Our journal kinds → Elsa's event names, and a line of text.</summary>
    public static (string EventName, string? Message) Event(JournalLine line) => line.Kind switch
    {
        TraceKinds.Started => ("Started", "The workflow started."),
        TraceKinds.ActivityExecuted => ("Completed", Outcomes(line.Detail)),
        TraceKinds.BookmarkCreated => ("Suspended", "Waiting."),
        TraceKinds.BookmarkRemoved => ("BookmarkRemoved", null),
        TraceKinds.TimerFired => ("Resumed", "The timer fired."),
        TraceKinds.TimerRescheduled => ("Rescheduled", "The timer was moved."),
        TraceKinds.TaskCreated => ("TaskCreated", "A task was created."),
        TraceKinds.TaskCompleted => ("Resumed", "The task was completed."),
        TraceKinds.EventReceived => ("Resumed", "An event was received."),
        TraceKinds.Log => ("Log", line.Detail?["text"] is JsonValue t && t.TryGetValue<string>(out var text) ? text : null),
        TraceKinds.Finished => ("Completed", "The workflow finished."),
        TraceKinds.Faulted => ("Faulted", line.Detail?["message"] is JsonValue m && m.TryGetValue<string>(out var message) ? message : "Faulted."),
        TraceKinds.Cancelled => ("Cancelled", "The workflow was cancelled."),
        TraceKinds.Retried => ("Retried", "The workflow was retried."),
        _ => (line.Kind, null),
    };

    /// <summary>
    /// Per activity (the node ids asked for, or every activity): how often it completed (its executed lines), whether it waits
    /// now (an open bookmark) or faulted (the instance is faulted there); started = completed + waiting + faulted.
    /// </summary>
    public static ElsaActivityExecutionReport Report(InstanceDetail d, WorkflowDefinition? definition, IReadOnlyCollection<string>? nodeIds)
    {
        var nodes = definition is null ? new Dictionary<string, string>(StringComparer.Ordinal) : ElsaDefinitionMapping.NodeIds(definition);
        var byNode = nodes.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        var wanted = nodeIds is { Count: > 0 } ? nodeIds : nodes.Values.ToList();
        var faultedAt = d.Status == nameof(WorkflowStatus.Faulted) ? (d.Incidents.Count > 0 ? d.Incidents[^1].ActivityId : null) : null;
        var stats = new List<ElsaActivityExecutionStats>();
        foreach (var nodeId in wanted)
        {
            var activityId = byNode.GetValueOrDefault(nodeId, nodeId);
            var completed = d.Journal.Count(j => j.Kind == TraceKinds.ActivityExecuted && j.ActivityId == activityId);
            var blocked = d.Bookmarks.Any(b => b.ActivityId == activityId);
            var faulted = faultedAt == activityId;
            var started = completed + (blocked ? 1 : 0) + (faulted ? 1 : 0);
            if (started == 0 && nodeIds is not { Count: > 0 }) continue;
            stats.Add(new(activityId, nodeId, started, completed, started - completed, blocked, faulted));
        }
        return new(stats);
    }

    /// <summary>
    /// The executions of the activities (one node, or all), rebuilt from the journal: a bookmark opens one (Running), the
    /// executed line completes the open one or is one by itself (Completed), a fault line faults it; one still open when
    /// the instance was cancelled is Canceled. Ids are <c>{instance}:{activity}:{first line}</c>.
    /// </summary>
    public static List<ElsaActivityExecution> Executions(InstanceDetail d, WorkflowDefinition? definition, string? nodeId)
    {
        var nodes = definition is null ? new Dictionary<string, string>(StringComparer.Ordinal) : ElsaDefinitionMapping.NodeIds(definition);
        var byNode = nodes.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        string? only = nodeId is null ? null : byNode.GetValueOrDefault(nodeId, nodeId);
        var open = new Dictionary<string, (long FirstLine, DateTimeOffset At, string Type)>(StringComparer.Ordinal);
        var done = new List<(long FirstLine, string ActivityId, string Type, DateTimeOffset Started, DateTimeOffset? Completed, string Status, JsonNode? Payload, string? Error)>();
        foreach (var line in d.Journal)
        {
            if (line.ActivityId is not { } activityId || (only is not null && activityId != only)) continue;
            var type = line.ActivityType ?? definition?.FindActivity(activityId)?.Type ?? "";
            switch (line.Kind)
            {
                case TraceKinds.BookmarkCreated or TraceKinds.TaskCreated:
                    open.TryAdd(activityId, (line.Id, line.At, type));
                    break;
                case TraceKinds.ActivityExecuted:
                    var started = open.Remove(activityId, out var o) ? o : (FirstLine: line.Id, At: line.At, Type: type);
                    done.Add((started.FirstLine, activityId, type, started.At, line.At, "Completed", line.Detail, null));
                    break;
                case TraceKinds.Faulted:
                    var faulted = open.Remove(activityId, out var f) ? f : (FirstLine: line.Id, At: line.At, Type: type);
                    var message = line.Detail?["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : "Faulted.";
                    done.Add((faulted.FirstLine, activityId, type, faulted.At, line.At, "Faulted", line.Detail, message));
                    break;
            }
        }
        var cancelled = d.Status == nameof(WorkflowStatus.Cancelled);
        foreach (var (activityId, o) in open)
            done.Add((o.FirstLine, activityId, o.Type, o.At, null, cancelled ? "Canceled" : "Running", null, null));
        return done.OrderBy(e => e.FirstLine).Select(e =>
        {
            var waiting = e.Status == "Running" && d.Bookmarks.Any(b => b.ActivityId == e.ActivityId);
            return new ElsaActivityExecution(
                $"{d.Id}:{e.ActivityId}:{e.FirstLine}", d.Id, e.ActivityId, nodes.GetValueOrDefault(e.ActivityId, e.ActivityId), e.Type, 1,
                definition?.FindActivity(e.ActivityId)?.Name, null, e.Payload?.DeepClone() as JsonObject, null, new JsonObject(), new JsonObject(),
                e.Error is null ? null : new ElsaException("Fault", e.Error), e.Started, waiting, e.Status, e.Status == "Faulted" ? 1 : 0, e.Completed);
        }).ToList();
    }

    public static List<ElsaResolvedVariable> Variables(InstanceDetail d, WorkflowDefinition? definition)
    {
        var ids = definition?.Variables.Where(v => v.Name.Length > 0).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First().Id) ?? [];
        return d.Variables.Select(v => new ElsaResolvedVariable(ids.GetValueOrDefault(v.Key) is { Length: > 0 } id ? id : v.Key, v.Key, v.Value?.DeepClone())).ToList();
    }

    private static string? Outcomes(JsonNode? detail) =>
        detail?["outcomes"] is JsonArray a && a.Count > 0 ? "Outcomes: " + string.Join(", ", a.Select(o => o?.ToString())) : null;

    private static JsonObject BookmarkPayload(BookmarkDto b)
    {
        var payload = new JsonObject();
        if (b.EventName is not null) payload["eventName"] = b.EventName;
        if (b.TaskId is not null) payload["taskId"] = b.TaskId;
        if (b.Due is { } due) payload["resumeAt"] = due;
        return payload;
    }
}
