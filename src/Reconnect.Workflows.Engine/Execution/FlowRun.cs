using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// Runs the flowchart inside one step: a queue of work items, outcomes flowing along connections, joins deciding when a
/// node runs, dead paths passed on as skips. See docs/engine.md for the rules.
/// </summary>
internal sealed class FlowRun(StepContext step)
{
    private readonly LinkedList<WorkItem> _queue = new();
    private int _executions;
    /// <summary>
    /// The frame of the work being handled: null at the top; a ParallelForEach gives each iteration its own
    /// ("…/&lt;id&gt;#&lt;n&gt;"), so the same activities run side by side with their own joins, containers and locals.
    /// </summary>
    private string? _frame;

    private WorkItem Item(string id, bool skip = false) => new(id, skip, _frame);

    private string K(string id) => Frames.Key(id, _frame);

    public bool Ended { get; private set; }
    public bool Faulted { get; private set; }

    private WorkflowState State => step.State;
    private FlowState Flow => step.State.Flow;

    public void Schedule(WorkItem item) => _queue.AddLast(item);

    public void Drain()
    {
        while (_queue.Count > 0 && !Ended && !Faulted)
        {
            var item = _queue.First!.Value;
            _queue.RemoveFirst();
            _frame = item.Frame;
            var node = step.Workflow.Find(item.ActivityId);
            if (node is null) continue;
            if (item.Skip)
            {
                Propagate(node, []);
                AfterCompletion(node);
                continue;
            }
            if (++_executions > step.Runner.MaxExecutionsPerStep)
            {
                Fault(node, item, new InvalidOperationException(
                    $"More than {step.Runner.MaxExecutionsPerStep} activity executions in one step: a loop with no waiting activity?"));
                return;
            }
            Execute(node, item);
        }
    }

    private void Execute(CompiledNode node, WorkItem item)
    {
        if (node.Activity is null)
        {
            Fault(node, item, new InvalidOperationException($"Activity type '{node.Node.Type}' is not supported."));
            return;
        }
        if (node.JoinMode == JoinMode.WaitAny) CancelAncestors(node);
        var context = new ActivityContext(step, node.Node, frame: _frame);
        ActivityResult result;
        try
        {
            result = node.Activity.Execute(context);
        }
        catch (Exception ex) when (IsActivityFault(ex))
        {
            Fault(node, item, ex);
            return;
        }
        Handle(node, result);
    }

    public void ResumeBookmark(Bookmark bookmark, JsonNode? input)
    {
        State.Bookmarks.RemoveAll(b => b.Id == bookmark.Id);
        _frame = Frames.Of(bookmark);
        var node = step.Workflow.Find(bookmark.ActivityId);
        var kind = bookmark.Name switch
        {
            StimulusNames.Timer => TraceKinds.TimerFired,
            StimulusNames.Task => TraceKinds.TaskCompleted,
            _ => TraceKinds.EventReceived,
        };
        var detail = new JsonObject { ["bookmarkId"] = bookmark.Id };
        if (bookmark.DueAt is { } due) detail["due"] = Time.LondonTime.Format(due);
        if (bookmark.TaskId is { } taskId) detail["taskId"] = taskId;
        if (bookmark.Payload?["eventName"] is { } eventName) detail["name"] = eventName.DeepClone();
        if (input is not null) detail["input"] = input.DeepClone();
        step.AddTrace(kind, bookmark.ActivityId, bookmark.ActivityType, detail);
        if (node?.Activity is null)
        {
            if (node is not null) Fault(node, Item(node.Node.Id), new InvalidOperationException($"Activity type '{bookmark.ActivityType}' is not supported."));
            return;
        }
        var context = new ActivityContext(step, node.Node, frame: _frame);
        ActivityResult result;
        try
        {
            result = node.Activity.Resume(context, bookmark, input);
        }
        catch (Exception ex) when (IsActivityFault(ex))
        {
            Fault(node, Item(node.Node.Id), ex);
            return;
        }
        Handle(node, result);
    }

    private void Handle(CompiledNode node, ActivityResult result)
    {
        var id = node.Node.Id;
        switch (result)
        {
            case ActivityResult.Completed completed:
                Flow.ExecutionCounts[id] = Flow.ExecutionCounts.GetValueOrDefault(id) + 1;
                step.AddTrace(TraceKinds.ActivityExecuted, node.Node, new JsonObject { ["outcomes"] = new JsonArray([.. completed.Ports.Select(p => (JsonNode?)JsonValue.Create(p))]) });
                Propagate(node, completed.Ports);
                AfterCompletion(node);
                break;
            case ActivityResult.Suspended suspended:
                foreach (var bookmark in suspended.Bookmarks)
                {
                    State.Bookmarks.Add(bookmark);
                    var detail = new JsonObject { ["bookmarkId"] = bookmark.Id, ["stimulus"] = bookmark.Name };
                    if (bookmark.DueAt is { } due) detail["due"] = Time.LondonTime.Format(due);
                    if (bookmark.Payload?["eventName"] is { } eventName) detail["eventName"] = eventName.DeepClone();
                    if (bookmark.TaskId is { } taskId) detail["taskId"] = taskId;
                    step.AddTrace(TraceKinds.BookmarkCreated, node.Node, detail);
                }
                break;
            case ActivityResult.ScheduleChildren children:
                Flow.Scopes.TryAdd(K(id), []);
                if (children.ChildIds.Count == 0)
                {
                    Flow.Scopes.Remove(K(id));
                    Handle(node, ActivityResult.Done());
                    break;
                }
                for (var i = 0; i < children.ChildIds.Count; i++)
                {
                    var childId = children.ChildIds[i];
                    var childFrame = children.Frames is { } frames ? frames[i] : _frame;
                    // A child run again (the next loop round) starts with no half-counted joins inside it.
                    Flow.Visits.Remove(Frames.Key(childId, childFrame));
                    Flow.FiredJoins.Remove(Frames.Key(childId, childFrame));
                    if (step.Workflow.Find(childId) is { } child)
                        foreach (var inner in child.Descendants)
                        {
                            Flow.Visits.Remove(Frames.Key(inner, childFrame));
                            Flow.FiredJoins.Remove(Frames.Key(inner, childFrame));
                        }
                    Schedule(new WorkItem(childId, false, childFrame));
                }
                break;
            case ActivityResult.EndFlowchart when NearestAncestor(node, n => n.Node.IsFlowchart) is { } flowchart:
                Executed(node, []);
                CompleteContainer(flowchart, ["Done"], $"'{node.Node.Label}' ended the flowchart");
                break;
            case ActivityResult.CompleteComposite complete when NearestAncestor(node, n => n.Node.IsFlowchart) is { } flowchart:
                Executed(node, complete.Ports);
                CompleteContainer(flowchart, complete.Ports, $"'{node.Node.Label}' completed the flowchart");
                break;
            case ActivityResult.CompleteComposite complete:
                Executed(node, complete.Ports);
                State.Output["outcomes"] ??= new JsonArray([.. complete.Ports.Select(p => (JsonNode?)JsonValue.Create(p))]);
                Ended = true;
                _queue.Clear();
                Flow.Scopes.Clear();
                break;
            case ActivityResult.BreakLoop:
                var loop = NearestAncestor(node, n => n.Activity is IContainerActivity { IsLoop: true })
                           ?? NearestAncestor(node, n => n.Node.Type == "Elsa.Sequence");
                if (loop is null)
                {
                    Handle(node, ActivityResult.Outcomes([]));
                    break;
                }
                Executed(node, []);
                CompleteContainer(loop, ["Done"], $"'{node.Node.Label}' broke out of the loop");
                break;
            case ActivityResult.EndFlowchart or ActivityResult.FinishWorkflow:
                Executed(node, []);
                Ended = true;
                _queue.Clear();
                Flow.Scopes.Clear();
                break;
        }
    }

    private void Executed(CompiledNode node, IReadOnlyList<string> ports)
    {
        var id = node.Node.Id;
        Flow.ExecutionCounts[id] = Flow.ExecutionCounts.GetValueOrDefault(id) + 1;
        step.AddTrace(TraceKinds.ActivityExecuted, node.Node, new JsonObject { ["outcomes"] = new JsonArray([.. ports.Select(p => (JsonNode?)JsonValue.Create(p))]) });
    }

    private static CompiledNode? NearestAncestor(CompiledNode node, Func<CompiledNode, bool> predicate)
    {
        for (var p = node.Parent; p is not null; p = p.Parent)
            if (predicate(p)) return p;
        return null;
    }

    /// <summary>A container completes before its children all finished (End, Complete, Break, a WaitAny fork): what still runs inside it is cancelled.</summary>
    private void CompleteContainer(CompiledNode container, IReadOnlyList<string> ports, string reason)
    {
        // The container may sit outside the current iteration's frame (a Break in a ParallelForEach body's loop).
        _frame = FrameAbove(container);
        Cancel(container.Descendants, reason);
        RemoveScopes(container);
        Handle(container, ActivityResult.Outcomes(ports));
    }

    /// <summary>A container is done: its state goes, and that of its iterations (ParallelForEach) with it.</summary>
    private void RemoveScopes(CompiledNode container)
    {
        Flow.Scopes.Remove(K(container.Node.Id));
        if (Flow.Scopes.Count == 0) return;
        foreach (var key in Flow.Scopes.Keys.ToList())
        {
            var (id, frame) = Frames.Split(key);
            if (id == container.Node.Id && Frames.Within(frame, _frame)) Flow.Scopes.Remove(key);
        }
    }

    /// <summary>The frame a container runs in: the current frame's iterations owned by containers around it.</summary>
    private string? FrameAbove(CompiledNode container) => Frames.Trim(_frame, container.IsInside);

    /// <summary>
    /// A node completed (or was skipped): when it sits in a running container and nothing it started is still queued or
    /// waiting, the container hears of it and decides what comes next.
    /// </summary>
    private void AfterCompletion(CompiledNode node)
    {
        var container = node.Parent;
        if (container is null) return;
        var containerFrame = FrameAbove(container);
        if (!Flow.Scopes.ContainsKey(Frames.Key(container.Node.Id, containerFrame))) return;
        if (container.Activity is not IContainerActivity activity) return;
        if (!IsIdle(node, _frame, includeSelf: true)) return;
        var allDone = IsIdle(container, containerFrame, includeSelf: false);
        _frame = containerFrame;
        var context = new ActivityContext(step, container.Node, frame: _frame);
        ActivityResult? result;
        try
        {
            result = activity.OnChildCompleted(context, node.Node.Id, allDone);
        }
        catch (Exception ex) when (IsActivityFault(ex))
        {
            Fault(container, Item(container.Node.Id), ex);
            return;
        }
        switch (result)
        {
            case null:
                return;
            case ActivityResult.Completed completed:
                if (!allDone) Cancel(container.Descendants, $"'{container.Node.Label}' completed");
                RemoveScopes(container);
                Handle(container, completed);
                return;
            default:
                Handle(container, result);
                return;
        }
    }

    /// <summary>Nothing inside <paramref name="node"/> (nor the node itself, when asked) is queued, waiting on a bookmark, or running as a container.</summary>
    private bool IsIdle(CompiledNode node, string? frame, bool includeSelf)
    {
        var inside = node.Descendants;
        var self = node.Node.Id;
        foreach (var item in _queue)
            if ((inside.Contains(item.ActivityId) || (includeSelf && item.ActivityId == self)) && Frames.Within(item.Frame, frame)) return false;
        foreach (var bookmark in State.Bookmarks)
            if ((inside.Contains(bookmark.ActivityId) || (includeSelf && bookmark.ActivityId == self)) && Frames.Within(Frames.Of(bookmark), frame)) return false;
        if (includeSelf && Flow.Scopes.ContainsKey(Frames.Key(self, frame))) return false;
        return true;
    }

    /// <summary>Sends an outcome along the node's connections: taken where the port matches, skipped elsewhere.</summary>
    private void Propagate(CompiledNode source, IReadOnlyList<string> ports)
    {
        foreach (var edge in source.Outbound)
        {
            var taken = Contains(ports, edge.Connection.Source.Port);
            var target = step.Workflow.Find(edge.Connection.Target.Activity)!;
            if (edge.IsBackEdge)
            {
                // An implicit loop: going round again starts a fresh round at the target; a skip along a back edge goes nowhere.
                if (!taken) continue;
                Flow.Visits.Remove(K(target.Node.Id));
                Flow.FiredJoins.Remove(K(target.Node.Id));
                Schedule(Item(target.Node.Id));
                continue;
            }
            Arrive(target, edge, taken);
        }
    }

    private static bool Contains(IReadOnlyList<string> ports, string port)
    {
        for (var i = 0; i < ports.Count; i++)
            if (string.Equals(ports[i], port, StringComparison.Ordinal)) return true;
        return false;
    }

    private void Arrive(CompiledNode target, CompiledEdge edge, bool taken)
    {
        var id = target.Node.Id;
        var expected = target.ForwardInboundKeys;
        if (expected.Count <= 1 && target.JoinMode != JoinMode.WaitAny)
        {
            // The common case, no bookkeeping: one way in.
            Schedule(Item(id, skip: !taken));
            return;
        }

        if (!Flow.Visits.TryGetValue(K(id), out var visits))
        {
            visits = new Dictionary<string, bool>(StringComparer.Ordinal);
            Flow.Visits[K(id)] = visits;
        }

        if (target.JoinMode == JoinMode.WaitAny && Flow.FiredJoins.Contains(K(id)) && visits.ContainsKey(edge.Key))
        {
            // The same branch arriving again after the join fired: a new round.
            visits.Clear();
            Flow.FiredJoins.Remove(K(id));
        }
        visits[edge.Key] = visits.GetValueOrDefault(edge.Key) || taken;
        var allVisited = expected.All(visits.ContainsKey);
        var anyTaken = visits.Values.Any(v => v);
        var allTaken = allVisited && visits.Values.All(v => v);

        switch (target.JoinMode)
        {
            case JoinMode.Stream:
                if (taken) Schedule(Item(id));
                if (allVisited)
                {
                    Flow.Visits.Remove(K(id));
                    if (!anyTaken) Schedule(Item(id, skip: true));
                }
                break;

            case JoinMode.Strict:
                if (allVisited)
                {
                    Flow.Visits.Remove(K(id));
                    // Merge/Converge: a dead branch upstream means the node never runs, and nothing flows on from it.
                    if (allTaken) Schedule(Item(id));
                }
                break;

            case JoinMode.WaitAny:
                var fired = Flow.FiredJoins.Contains(K(id));
                if (taken && !fired)
                {
                    // Cancelling happens when the join runs (see Execute), as in Elsa: work queued before it still runs.
                    Flow.FiredJoins.Add(K(id));
                    fired = true;
                    Schedule(Item(id));
                }
                if (allVisited)
                {
                    Flow.Visits.Remove(K(id));
                    Flow.FiredJoins.Remove(K(id));
                    if (!fired) Schedule(Item(id, skip: true));
                }
                break;

            default: // Implicit and WaitAll
                if (allVisited)
                {
                    Flow.Visits.Remove(K(id));
                    Schedule(Item(id, skip: !anyTaken));
                }
                break;
        }
    }

    /// <summary>WaitAny fired: what is still active upstream on the other branches is cancelled.</summary>
    private void CancelAncestors(CompiledNode join) =>
        Cancel(join.Ancestors, $"join '{join.Node.Label}' continued on another branch");

    /// <summary>
    /// Stops the given activities wherever they are: queued work is dropped, their bookmarks removed (tasks behind them
    /// cancelled with <paramref name="reason"/>) and half-counted joins at them forgotten, so they can run afresh later.
    /// </summary>
    public void Cancel(IReadOnlySet<string> activityIds, string reason)
    {
        if (step.Workflow.HasContainers)
        {
            // Cancelling a container cancels what runs inside it.
            var expanded = new HashSet<string>(activityIds, StringComparer.Ordinal);
            foreach (var id in activityIds)
                if (step.Workflow.Find(id) is { } n) expanded.UnionWith(n.Descendants);
            activityIds = expanded;
            foreach (var key in Flow.Scopes.Keys.Where(k => InCancelled(k, activityIds)).ToList()) Flow.Scopes.Remove(key);
        }
        for (var item = _queue.First; item is not null;)
        {
            var next = item.Next;
            if (activityIds.Contains(item.Value.ActivityId) && Frames.Within(item.Value.Frame, _frame)) _queue.Remove(item);
            item = next;
        }
        foreach (var bookmark in State.Bookmarks.Where(b => activityIds.Contains(b.ActivityId) && Frames.Within(Frames.Of(b), _frame)).ToList())
            RemoveBookmark(bookmark, reason);
        if (_frame is null && !step.Workflow.HasContainers)
            foreach (var id in activityIds) Flow.Visits.Remove(id);
        else
            foreach (var key in Flow.Visits.Keys.Where(k => InCancelled(k, activityIds)).ToList()) Flow.Visits.Remove(key);
    }

    /// <summary>A frame-qualified key of one of <paramref name="ids"/> in the current frame or one inside it.</summary>
    private bool InCancelled(string key, IReadOnlySet<string> ids)
    {
        var (id, frame) = Frames.Split(key);
        return ids.Contains(id) && Frames.Within(frame, _frame);
    }

    public void RemoveAllBookmarks(string reason)
    {
        foreach (var bookmark in State.Bookmarks.ToList()) RemoveBookmark(bookmark, reason);
    }

    private void RemoveBookmark(Bookmark bookmark, string reason)
    {
        State.Bookmarks.RemoveAll(b => b.Id == bookmark.Id);
        if (bookmark.TaskId is { } taskId) step.Result.Effects.Add(new CancelTaskEffect(taskId, reason));
        step.AddTrace(TraceKinds.BookmarkRemoved, bookmark.ActivityId, bookmark.ActivityType, new JsonObject { ["bookmarkId"] = bookmark.Id, ["reason"] = reason });
    }

    /// <summary>Variables changed: timers and due dates computed from them are asked again.</summary>
    public void RecomputeBookmarks()
    {
        for (var i = 0; i < State.Bookmarks.Count; i++)
        {
            var bookmark = State.Bookmarks[i];
            var node = step.Workflow.Find(bookmark.ActivityId);
            if (node?.Activity is not IRecomputableActivity recomputable) continue;
            Bookmark replacement;
            try
            {
                replacement = recomputable.Recompute(new ActivityContext(step, node.Node, frame: Frames.Of(bookmark)), bookmark);
            }
            catch (Exception ex) when (IsActivityFault(ex))
            {
                // A timer that cannot be re-computed keeps its old due time; the incident says why.
                var incident = new Incident(step.Now, node.Node.Id, node.Node.Type, $"Could not re-compute the due time: {ex.Message}", ex.GetType().Name);
                State.Incidents.Add(incident);
                step.Result.Incidents.Add(incident);
                continue;
            }
            if (ReferenceEquals(replacement, bookmark) || replacement == bookmark) continue;
            State.Bookmarks[i] = replacement;
            var detail = new JsonObject { ["bookmarkId"] = replacement.Id, ["replaces"] = bookmark.Id };
            if (bookmark.DueAt is { } oldDue) detail["previousDue"] = Time.LondonTime.Format(oldDue);
            if (replacement.DueAt is { } due) detail["due"] = Time.LondonTime.Format(due);
            step.AddTrace(TraceKinds.TimerRescheduled, node.Node, detail);
        }
    }

    private void Fault(CompiledNode node, WorkItem item, Exception ex)
    {
        Faulted = true;
        var message = ex.Message;
        var incident = new Incident(step.Now, node.Node.Id, node.Node.Type, message, ex.GetType().Name);
        State.Incidents.Add(incident);
        step.Result.Incidents.Add(incident);
        step.AddTrace(TraceKinds.Faulted, node.Node, new JsonObject { ["message"] = message });
        Flow.Pending.Clear();
        Flow.Pending.Add(item with { Skip = false });
        Flow.Pending.AddRange(_queue);
        _queue.Clear();
    }

    private static bool IsActivityFault(Exception ex) =>
        ex is ExpressionException or FormatException or InvalidOperationException or ArgumentException
            or OverflowException or KeyNotFoundException or NotSupportedException or System.Text.Json.JsonException or InvalidCastException;
}
