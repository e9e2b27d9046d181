using System.Text.Json.Nodes;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>
/// The conversion between a workflow definition and the designer's diagram (plain C#, no browser): activities become
/// <see cref="ActivityNodeModel"/>s at their <c>metadata.designer.position</c>, outcomes become output ports,
/// connections become links. <see cref="ToDefinition"/> rebuilds the definition from the diagram, keeping every field
/// the designer does not edit (workflow fields, variables, unknown activity and connection fields, nested activities).
/// Connections that cannot be drawn (an end that names no activity) are kept aside and written back unchanged.
/// </summary>
public sealed class DesignerDocument
{
    /// <summary>Where activities without a position go: a grid below the others.</summary>
    private const double GridX = 200, GridY = 150;

    private readonly ActivityRegistry _registry;
    private readonly WorkflowDefinition _original;
    private readonly List<Connection> _undrawable = [];

    private DesignerDocument(ActivityRegistry registry, WorkflowDefinition original, BlazorDiagram diagram)
    {
        _registry = registry;
        _original = original;
        Diagram = diagram;
    }

    public BlazorDiagram Diagram { get; }

    /// <summary>The definition as loaded (not changed by editing).</summary>
    public WorkflowDefinition Original => _original;

    /// <summary>Connections kept aside because an end names no activity on the canvas.</summary>
    public IReadOnlyList<Connection> UndrawableConnections => _undrawable;

    public IEnumerable<ActivityNodeModel> Nodes => Diagram.Nodes.OfType<ActivityNodeModel>();

    public IEnumerable<ConnectionLinkModel> Links => Diagram.Links.OfType<ConnectionLinkModel>().Where(l => l.IsAttached);

    public ActivityNodeModel? FindNode(string activityId) => Nodes.FirstOrDefault(n => n.Activity.Id == activityId);

    /// <summary>Loads a definition into a diagram (a new one by default). The definition is copied: editing never changes it.</summary>
    public static DesignerDocument Load(WorkflowDefinition definition, ActivityRegistry registry, BlazorDiagram? diagram = null)
    {
        var copy = definition.Clone();
        var document = new DesignerDocument(registry, copy, diagram ?? DiagramFactory.Create());
        document.Fill();
        return document;
    }

    private void Fill()
    {
        var working = _original.Clone();
        var activities = working.Activities;
        var placed = activities.Where(a => a.Position is not null).Select(a => a.Position!.Value).ToList();
        var nextY = placed.Count == 0 ? 0 : placed.Max(p => p.Y) + GridY;
        var nextX = placed.Count == 0 ? 0 : placed.Min(p => p.X);
        var column = 0;

        Diagram.Batch(() =>
        {
            var nodes = new List<ActivityNodeModel>();
            foreach (var activity in activities)
            {
                Point position;
                if (activity.Position is { } p) position = new Point(p.X, p.Y);
                else
                {
                    position = new Point(nextX + column * GridX, nextY);
                    if (++column == 8) { column = 0; nextY += GridY; }
                }
                nodes.Add(CreateNode(activity, position));
            }
            Diagram.Nodes.Add(nodes);

            var byId = new Dictionary<string, ActivityNodeModel>(StringComparer.Ordinal);
            foreach (var node in nodes) byId.TryAdd(node.Activity.Id, node);
            var links = new List<ConnectionLinkModel>();
            foreach (var connection in working.Connections)
            {
                if (!byId.TryGetValue(connection.Source.Activity, out var source) || !byId.TryGetValue(connection.Target.Activity, out var target))
                {
                    _undrawable.Add(connection);
                    continue;
                }
                // A port the activity does not (or no longer) offer still gets drawn, marked, so the connection is not lost.
                var from = source.FindOutcome(connection.Source.Port) ?? (OutcomePortModel)source.AddPort(new OutcomePortModel(source, connection.Source.Port, known: false));
                var to = target.Ports.OfType<InPortModel>().FirstOrDefault(p => p.PortName == connection.Target.Port)
                         ?? (InPortModel)target.AddPort(new InPortModel(target, connection.Target.Port));
                links.Add(new ConnectionLinkModel(from, to, connection));
            }
            Diagram.Links.Add(links);
        });
    }

    /// <summary>A node for an activity, with an inbound port and one outbound port per outcome.</summary>
    private ActivityNodeModel CreateNode(ActivityNode activity, Point position)
    {
        var node = new ActivityNodeModel(activity, _registry.Find(activity.Type)?.Descriptor, position);
        node.AddPort(new InPortModel(node));
        foreach (var outcome in PortsOf(activity)) node.AddPort(new OutcomePortModel(node, outcome));
        return node;
    }

    /// <summary>The activity's outcomes as the engine sees them (dynamic for tasks, forks and switches).</summary>
    public IReadOnlyList<string> PortsOf(ActivityNode activity)
    {
        var type = _registry.Find(activity.Type);
        if (type is null) return [];
        try { return type.GetPorts(activity).Distinct(StringComparer.Ordinal).ToList(); }
        catch (Exception ex) when (ex is not OutOfMemoryException) { return type.Descriptor.Ports; } // half-typed inputs while editing
    }

    /// <summary>Adds an activity of a type from the palette at a canvas point, with its inputs' default values.</summary>
    public ActivityNodeModel AddActivity(string type, Point position)
    {
        var descriptor = _registry.Find(type)?.Descriptor ?? throw new ArgumentException($"Unknown activity type '{type}'.", nameof(type));
        var activity = new ActivityNode
        {
            Id = NewId(descriptor),
            Type = descriptor.Type,
            Name = descriptor.DisplayName,
            CustomProperties = [],
        };
        foreach (var input in descriptor.Inputs)
        {
            if (input.DefaultValue is null) continue;
            if (input.Raw) activity.SetInputRaw(input.Name, input.DefaultValue.DeepClone());
            else activity.SetInput(input.Name, input.TypeName, new Expression(Expression.Literal, input.DefaultValue.DeepClone()));
        }
        activity.Position = (Math.Round(position.X), Math.Round(position.Y));
        var node = CreateNode(activity, new Point(Math.Round(position.X), Math.Round(position.Y)));
        Diagram.Nodes.Add(node);
        return node;
    }

    /// <summary>A point to the right of the right-most node on the top row: where keyboard-added activities go.</summary>
    public Point FreeSpot()
    {
        var nodes = Nodes.ToList();
        if (nodes.Count == 0) return new Point(40, 40);
        var maxX = nodes.Max(n => n.Position.X);
        return new Point(maxX + GridX, nodes.Min(n => n.Position.Y));
    }

    private string NewId(ActivityDescriptor descriptor)
    {
        var stem = descriptor.Type[(descriptor.Type.LastIndexOf('.') + 1)..];
        stem = char.ToLowerInvariant(stem[0]) + stem[1..];
        var taken = Nodes.Select(n => n.Activity.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 1; ; i++)
            if (!taken.Contains($"{stem}{i}")) return $"{stem}{i}";
    }

    /// <summary>Connects an outcome of one activity to another's inbound port (the keyboard path; the mouse drags ports).</summary>
    public ConnectionLinkModel Connect(ActivityNodeModel source, string outcome, ActivityNodeModel target)
    {
        var from = source.FindOutcome(outcome) ?? throw new ArgumentException($"'{source.Label}' has no outcome '{outcome}'.", nameof(outcome));
        var to = target.In ?? (InPortModel)target.AddPort(new InPortModel(target));
        var link = new ConnectionLinkModel(from, to);
        Diagram.Links.Add(link);
        return link;
    }

    /// <summary>Removes an activity and its links.</summary>
    public void Remove(ActivityNodeModel node) => Diagram.Nodes.Remove(node);

    /// <summary>
    /// After an input that decides the outcomes changed (a task's outcomes, a fork's branches, a switch's cases): adds ports
    /// for new outcomes and removes those that went, with their links. Returns true when the ports changed.
    /// </summary>
    public bool SyncPorts(ActivityNodeModel node)
    {
        var wanted = PortsOf(node.Activity);
        var changed = false;
        foreach (var port in node.Outcomes.ToList())
        {
            if (wanted.Contains(port.Outcome, StringComparer.Ordinal) || (!port.Known && port.Links.Count > 0)) continue;
            foreach (var link in port.Links.ToList()) Diagram.Links.Remove(link);
            node.RemovePort(port);
            changed = true;
        }
        foreach (var outcome in wanted)
        {
            if (node.FindOutcome(outcome) is not null) continue;
            node.AddPort(new OutcomePortModel(node, outcome));
            changed = true;
        }
        if (changed) node.Refresh();
        return changed;
    }

    /// <summary>
    /// The definition as the diagram now says: the loaded one with the canvas's activities (positions from the nodes) and
    /// connections. A position is written only when it changed, so an untouched activity's JSON stays byte for byte.
    /// </summary>
    public WorkflowDefinition ToDefinition()
    {
        var result = _original.Clone();
        var activities = new List<ActivityNode>();
        foreach (var node in Nodes)
        {
            var activity = Copy(node.Activity);
            var x = Math.Round(node.Position.X, 2);
            var y = Math.Round(node.Position.Y, 2);
            if (activity.Position is not { } p || p.X != x || p.Y != y) activity.Position = (x, y);
            activities.Add(activity);
        }

        var connections = new List<Connection>();
        foreach (var link in Links)
        {
            if (PortOf(link.Source) is not OutcomePortModel from || PortOf(link.Target) is not InPortModel to) continue;
            var source = from.Parent is ActivityNodeModel s ? s.Activity.Id : from.Parent.Id;
            var target = to.Parent is ActivityNodeModel t ? t.Activity.Id : to.Parent.Id;
            var connection = new Connection(source, from.Outcome, target, to.PortName);
            if (link.Original is { } original)
            {
                connection.FlatForm = original.FlatForm;
                connection.Extra = original.Extra?.DeepClone() as JsonObject;
            }
            connections.Add(connection);
        }
        connections.AddRange(_undrawable);

        if (result.Root.IsFlowchart)
        {
            result.Root.Activities = activities;
            result.Root.Connections = connections;
        }
        else if (activities.Count == 1 && connections.Count == 0)
        {
            result.Root = activities[0];
        }
        else
        {
            // A single-activity root that grew: it becomes a flowchart.
            var root = ActivityNode.EmptyFlowchart();
            root.Activities = activities;
            root.Connections = connections;
            result.Root = root;
        }
        return result;
    }

    private static PortModel? PortOf(Anchor anchor) => anchor is SinglePortAnchor s ? s.Port : anchor.Model as PortModel;

    private static ActivityNode Copy(ActivityNode activity)
    {
        // Through JSON so nothing the node holds is shared with the diagram.
        var json = System.Text.Json.JsonSerializer.Serialize(activity, WorkflowJson.Options);
        return System.Text.Json.JsonSerializer.Deserialize<ActivityNode>(json, WorkflowJson.Options)!;
    }
}
