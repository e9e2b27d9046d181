using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>How a node with several inbound connections decides to run.</summary>
public enum JoinMode
{
    /// <summary>Elsa's default (counter-based): wait until every forward inbound connection was taken or skipped; run if one was taken, else pass the skip on.</summary>
    Implicit,
    /// <summary><c>mergeMode</c> Stream/None: run on every arrival.</summary>
    Stream,
    /// <summary><c>mergeMode</c> Merge/Converge: every forward inbound connection must have been taken; a dead branch means the node never runs.</summary>
    Strict,
    /// <summary><c>FlowJoin</c> WaitAll.</summary>
    WaitAll,
    /// <summary><c>FlowJoin</c> WaitAny: run on the first arrival, cancel what is still active upstream on the other branches.</summary>
    WaitAny,
}

/// <summary>A definition indexed for execution: nodes by id, edges with back-edges marked, join modes and ancestors.</summary>
public sealed class CompiledWorkflow
{
    public WorkflowDefinition Definition { get; }
    public IReadOnlyDictionary<string, CompiledNode> Nodes => _nodes;
    public string? StartNodeId { get; }
    private readonly Dictionary<string, CompiledNode> _nodes = new(StringComparer.Ordinal);

    public CompiledWorkflow(WorkflowDefinition definition, ActivityRegistry registry)
    {
        Definition = definition;
        foreach (var node in definition.Activities) AddTree(node, null, registry);

        AddEdges(definition.Connections);
        foreach (var node in _nodes.Values)
            if (node.Node.IsFlowchart) AddEdges(node.Node.Connections ?? []);

        StartNodeId = FindStart(definition.Activities, definition.Root.IsFlowchart ? definition.Root.StartActivityId : null);
        foreach (var node in _nodes.Values)
            if (node.Node.IsFlowchart) node.FlowStart = FindStart(node.Node.Activities ?? [], node.Node.StartActivityId);
        MarkBackEdges();
        foreach (var node in _nodes.Values)
        {
            node.JoinMode = ResolveJoinMode(node.Node);
            foreach (var edge in node.Inbound)
                if (!edge.IsBackEdge && !node.ForwardInboundKeys.Contains(edge.Key)) node.ForwardInboundKeys.Add(edge.Key);
        }
        foreach (var node in _nodes.Values)
            if (node.JoinMode == JoinMode.WaitAny) node.Ancestors = ForwardAncestors(node.Node.Id);
    }

    public CompiledNode? Find(string id) => _nodes.GetValueOrDefault(id);

    /// <summary>True when the workflow has containers (sequences, loops, nested flowcharts): the runner then tracks their scopes.</summary>
    public bool HasContainers { get; private set; }

    private void AddTree(ActivityNode node, CompiledNode? parent, ActivityRegistry registry)
    {
        var compiled = new CompiledNode(node, registry.Find(node.Type)) { Parent = parent };
        if (!_nodes.TryAdd(node.Id, compiled)) return;
        if (parent is not null) HasContainers = true;
        for (var p = parent; p is not null; p = p.Parent) p.Descendants.Add(node.Id);
        foreach (var child in node.Children) AddTree(child, compiled, registry);
    }

    private void AddEdges(IReadOnlyList<Connection> connections)
    {
        foreach (var connection in connections)
        {
            if (!_nodes.TryGetValue(connection.Source.Activity, out var source) || !_nodes.ContainsKey(connection.Target.Activity)) continue;
            var edge = new CompiledEdge(connection, $"{connection.Source.Activity}:{connection.Source.Port}");
            source.Outbound.Add(edge);
            _nodes[connection.Target.Activity].Inbound.Add(edge);
        }
    }

    private string? FindStart(IReadOnlyList<ActivityNode> activities, string? start)
    {
        if (activities.Count == 0) return null;
        if (start is not null && _nodes.ContainsKey(start)) return start;
        var startActivity = activities.FirstOrDefault(a => a.Type == "Elsa.Start");
        if (startActivity is not null) return startActivity.Id;
        var canStart = activities.FirstOrDefault(a => string.Equals(a.GetCustomProperty("canStartWorkflow"), "true", StringComparison.OrdinalIgnoreCase));
        if (canStart is not null) return canStart.Id;
        var root = activities.FirstOrDefault(a => _nodes[a.Id].Inbound.Count == 0);
        return (root ?? activities[0]).Id;
    }

    /// <summary>Marks connections that close a cycle (found by depth-first search from the start, then from any node not yet seen) as back edges: an implicit loop.</summary>
    private void MarkBackEdges()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 0 unseen, 1 on stack, 2 done
        var order = new List<string>();
        if (StartNodeId is not null) order.Add(StartNodeId);
        order.AddRange(_nodes.Values.Where(n => n.FlowStart is not null).Select(n => n.FlowStart!));
        order.AddRange(_nodes.Values.Where(n => n.Inbound.Count == 0).Select(n => n.Node.Id));
        order.AddRange(_nodes.Keys);
        foreach (var root in order)
        {
            if (state.GetValueOrDefault(root) != 0) continue;
            // Iterative DFS: a hostile definition with thousands of chained activities must not overflow the stack.
            var stack = new Stack<(string Id, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (id, next) = stack.Pop();
                var outbound = _nodes[id].Outbound;
                if (next < outbound.Count)
                {
                    stack.Push((id, next + 1));
                    var edge = outbound[next];
                    var target = edge.Connection.Target.Activity;
                    switch (state.GetValueOrDefault(target))
                    {
                        case 0:
                            state[target] = 1;
                            stack.Push((target, 0));
                            break;
                        case 1:
                            edge.IsBackEdge = true;
                            break;
                    }
                }
                else
                {
                    state[id] = 2;
                }
            }
        }
    }

    private HashSet<string> ForwardAncestors(string id)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(id);
        while (queue.Count > 0)
        {
            foreach (var edge in _nodes[queue.Dequeue()].Inbound)
            {
                if (edge.IsBackEdge) continue;
                if (seen.Add(edge.Connection.Source.Activity)) queue.Enqueue(edge.Connection.Source.Activity);
            }
        }
        seen.Remove(id);
        return seen;
    }

    private static JoinMode ResolveJoinMode(ActivityNode node)
    {
        if (node.Type == "Elsa.FlowJoin")
        {
            var mode = ValueConverter.ToText(node.GetInput("mode")?.Value);
            return string.Equals(mode, "WaitAll", StringComparison.OrdinalIgnoreCase) ? JoinMode.WaitAll : JoinMode.WaitAny;
        }
        return node.GetCustomProperty("mergeMode")?.ToLowerInvariant() switch
        {
            "stream" or "none" => JoinMode.Stream,
            "merge" or "converge" => JoinMode.Strict,
            _ => JoinMode.Implicit,
        };
    }
}

public sealed class CompiledNode(ActivityNode node, IActivity? activity)
{
    public ActivityNode Node { get; } = node;
    public IActivity? Activity { get; } = activity;
    public List<CompiledEdge> Outbound { get; } = [];
    public List<CompiledEdge> Inbound { get; } = [];
    public List<string> ForwardInboundKeys { get; } = [];
    public JoinMode JoinMode { get; internal set; }
    public IReadOnlySet<string> Ancestors { get; internal set; } = new HashSet<string>();
    /// <summary>The container holding this node (null for the root flowchart's activities).</summary>
    public CompiledNode? Parent { get; internal init; }
    /// <summary>Every activity this node holds, at any depth.</summary>
    public HashSet<string> Descendants { get; } = new(StringComparer.Ordinal);
    /// <summary>For a nested flowchart: where it starts.</summary>
    public string? FlowStart { get; internal set; }

    /// <summary>True when <paramref name="containerId"/> holds this node at some depth.</summary>
    public bool IsInside(string containerId)
    {
        for (var p = Parent; p is not null; p = p.Parent)
            if (p.Node.Id == containerId) return true;
        return false;
    }
}

public sealed class CompiledEdge(Connection connection, string key)
{
    public Connection Connection { get; } = connection;
    /// <summary>Identifies the inbound side at the target: source activity and port.</summary>
    public string Key { get; } = key;
    public bool IsBackEdge { get; internal set; }
}
