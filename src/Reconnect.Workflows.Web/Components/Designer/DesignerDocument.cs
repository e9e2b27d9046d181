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
    /// <summary>What the canvas does not hold (workflow fields, variables): the loaded definition, then each restored snapshot.</summary>
    private WorkflowDefinition _base;
    private readonly List<Connection> _undrawable = [];
    private DesignerHistory _history = new("");
    private bool _restoring, _pending;
    private int _suspended;

    private DesignerDocument(ActivityRegistry registry, WorkflowDefinition original, BlazorDiagram diagram)
    {
        _registry = registry;
        _original = original;
        _base = original.Clone();
        Diagram = diagram;
    }

    public BlazorDiagram Diagram { get; }

    /// <summary>The definition as loaded (not changed by editing).</summary>
    public WorkflowDefinition Original => _original;

    /// <summary>The workflow's variables as edited (see <see cref="AddVariable"/> and its siblings; change them only through those).</summary>
    public IReadOnlyList<VariableDefinition> Variables => _base.Variables;

    public bool CanUndo => _history.CanUndo;
    public bool CanRedo => _history.CanRedo;

    /// <summary>The canvas differs from what was loaded or last saved (undoing back to it makes it clean again).</summary>
    public bool IsDirty => _history.IsDirty;

    /// <summary>Goes up by one each time undo or redo rebuilds the canvas: its nodes are new objects then.</summary>
    public int Generation { get; private set; }

    /// <summary>A change was recorded, undone or redone (the toolbar's buttons and the "unsaved" mark follow).</summary>
    public event Action? HistoryChanged;

    /// <summary>Undo or redo rebuilt the canvas: every node is a new object.</summary>
    public event Action? Restored;

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
        document._history = new DesignerHistory(document.Snapshot());
        document.Listen();
        return document;
    }

    private void Fill()
    {
        var working = _base.Clone();
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
        // A drag ends with Moved on each dragged node; the first records them all, the others find nothing new.
        node.Moved += _ => Touched();
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
        var result = _base.Clone();
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

    // ------------------------------------------------------------------------------------------ undo and redo

    private void Listen()
    {
        Diagram.Nodes.Added += _ => Touched();
        Diagram.Nodes.Removed += _ => Touched();
        Diagram.Links.Added += OnLinkAdded;
        Diagram.Links.Removed += _ => Touched();
        // A deletion removes links and the node in one batch; the diagram says Changed once the batch is over.
        Diagram.Changed += () => { if (_pending) Commit(); };
    }

    private void OnLinkAdded(Blazor.Diagrams.Core.Models.Base.BaseLinkModel link)
    {
        // A link dragged from a port is added before it has a target; it counts once it is attached.
        if (link.IsAttached) Touched();
        else link.TargetAttached += OnTargetAttached;
    }

    private void OnTargetAttached(Blazor.Diagrams.Core.Models.Base.BaseLinkModel link)
    {
        link.TargetAttached -= OnTargetAttached;
        Touched();
    }

    private void Touched()
    {
        if (_restoring || _suspended > 0) return;
        if (Diagram.SuspendRefresh) _pending = true;
        else Commit();
    }

    /// <summary>The definition as it is now, as compact JSON: one history entry.</summary>
    public string Snapshot() => WorkflowJson.Serialize(ToDefinition(), indented: false);

    /// <summary>
    /// Records the canvas as it is now as one undo step (nothing when nothing changed). Canvas changes record
    /// themselves; the property panel calls this after an edit, with a key per field so a word typed is one step.
    /// </summary>
    public void Commit(string? key = null)
    {
        if (_restoring) return;
        _pending = false;
        if (_history.Record(Snapshot(), key)) HistoryChanged?.Invoke();
    }

    /// <summary>Runs a change of several parts (a paste, an arrangement) as one undo step.</summary>
    public void Change(Action action, string? key = null)
    {
        _suspended++;
        try { Diagram.Batch(action); }
        finally { _suspended--; }
        Commit(key);
    }

    public bool Undo()
    {
        if (!CanUndo) return false;
        Restore(_history.Undo());
        return true;
    }

    public bool Redo()
    {
        if (!CanRedo) return false;
        Restore(_history.Redo());
        return true;
    }

    /// <summary>What is on the canvas now is stored (after a save): "unsaved changes" is measured from here.</summary>
    public void MarkSaved()
    {
        _history.MarkSaved();
        HistoryChanged?.Invoke();
    }

    /// <summary>Rebuilds the canvas from a snapshot: new nodes and links, the workflow's other fields from the snapshot too.</summary>
    private void Restore(string snapshot)
    {
        _restoring = true;
        try
        {
            var definition = WorkflowJson.Parse(snapshot);
            definition.PublishedAt = _base.PublishedAt;
            definition.SourceHash = _base.SourceHash;
            _base = definition;
            Diagram.Batch(() =>
            {
                Diagram.Links.Clear();
                Diagram.Nodes.Clear();
                _undrawable.Clear();
                Fill();
            });
        }
        finally
        {
            _restoring = false;
            _pending = false;
        }
        Generation++;
        Restored?.Invoke();
        HistoryChanged?.Invoke();
    }

    // ------------------------------------------------------------------------------------------ variables

    /// <summary>The variable types offered (Elsa's type names, as the pathway uses them).</summary>
    public static readonly IReadOnlyList<string> VariableTypes = ["String", "Int32", "Double", "Boolean", "DateTime", "Object"];

    /// <summary>Where a variable's name is used in the canvas's expressions.</summary>
    public IReadOnlyList<VariableUse> UsesOf(string name) => VariableUses.Find(ToDefinition(), name);

    /// <summary>Adds a variable. Returns why not, or null.</summary>
    public string? AddVariable(string name, string typeName, JsonNode? value)
    {
        name = name.Trim();
        if (NameProblem(name) is { } problem) return problem;
        _base.Variables.Add(new VariableDefinition { Id = name, Name = name, TypeName = typeName, Value = value?.DeepClone() });
        Commit();
        return null;
    }

    /// <summary>Changes a variable's type and default value. Returns why not, or null.</summary>
    public string? SetVariable(string name, string typeName, JsonNode? value)
    {
        var variable = _base.Variables.FirstOrDefault(v => v.Name == name);
        if (variable is null) return $"There is no variable '{name}'.";
        variable.TypeName = typeName;
        variable.Value = value?.DeepClone();
        Commit();
        return null;
    }

    /// <summary>Renames a variable; refused while an expression uses the old name (the answer says where). Returns why not, or null.</summary>
    public string? RenameVariable(string name, string newName)
    {
        newName = newName.Trim();
        var variable = _base.Variables.FirstOrDefault(v => v.Name == name);
        if (variable is null) return $"There is no variable '{name}'.";
        if (newName == name) return null;
        if (NameProblem(newName) is { } problem) return problem;
        if (InUse(name, "renamed") is { } used) return used;
        if (variable.Id == name) variable.Id = newName;
        variable.Name = newName;
        Commit();
        return null;
    }

    /// <summary>Removes a variable; refused while an expression uses it. Returns why not, or null.</summary>
    public string? RemoveVariable(string name)
    {
        var variable = _base.Variables.FirstOrDefault(v => v.Name == name);
        if (variable is null) return $"There is no variable '{name}'.";
        if (InUse(name, "removed") is { } used) return used;
        _base.Variables.Remove(variable);
        Commit();
        return null;
    }

    private string? InUse(string name, string what)
    {
        var uses = UsesOf(name);
        if (uses.Count == 0) return null;
        var shown = string.Join("; ", uses.Take(5).Select(u => u.ToString()));
        var more = uses.Count > 5 ? $" and {uses.Count - 5} more" : "";
        return $"'{name}' cannot be {what} while it is used: {shown}{more}.";
    }

    private string? NameProblem(string name)
    {
        if (name.Length == 0) return "A variable needs a name.";
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$"))
            return $"'{name}' is not a name scripts can use: letters, digits and _ only, not starting with a digit.";
        if (_base.Variables.Any(v => v.Name == name)) return $"There is already a variable '{name}'.";
        return null;
    }

    // ------------------------------------------------------------------------------------------ copy, paste, arrange, move

    /// <summary>Copies activities and the connections between them (as they are now, positions included).</summary>
    public DesignerClipboard? Copy(IEnumerable<ActivityNodeModel> nodes)
    {
        var ids = nodes.Select(n => n.Activity.Id).ToHashSet(StringComparer.Ordinal);
        if (ids.Count == 0) return null;
        var definition = ToDefinition();
        return new DesignerClipboard(
            definition.Activities.Where(a => ids.Contains(a.Id)).ToList(),
            definition.Connections.Where(c => ids.Contains(c.Source.Activity) && ids.Contains(c.Target.Activity)).ToList());
    }

    /// <summary>
    /// Pastes copied activities as new ones: each gets a fresh id (its own with the next free number), a place offset
    /// from the original by <paramref name="offset"/> × the number of pastes, and the connections between them. One undo step.
    /// </summary>
    public IReadOnlyList<ActivityNodeModel> Paste(DesignerClipboard clipboard, double offset = 40)
    {
        var pasted = new List<ActivityNodeModel>();
        var shift = offset * ++clipboard.Pastes;
        Change(() =>
        {
            var taken = Nodes.Select(n => n.Activity.Id).ToHashSet(StringComparer.Ordinal);
            var map = new Dictionary<string, ActivityNodeModel>(StringComparer.Ordinal);
            foreach (var original in clipboard.Activities)
            {
                var activity = Copy(original);
                activity.Id = UniqueId(original.Id, taken);
                activity.Extra?.Remove("nodeId"); // Elsa Studio's node id must stay unique too; Studio makes a new one
                var (x, y) = original.Position ?? (0, 0);
                activity.Position = (Math.Round(x + shift), Math.Round(y + shift));
                var node = CreateNode(activity, new Point(Math.Round(x + shift), Math.Round(y + shift)));
                Diagram.Nodes.Add(node);
                map[original.Id] = node;
                pasted.Add(node);
            }
            foreach (var connection in clipboard.Connections)
            {
                if (!map.TryGetValue(connection.Source.Activity, out var source) || !map.TryGetValue(connection.Target.Activity, out var target)) continue;
                if (source.FindOutcome(connection.Source.Port) is not { } from || target.In is not { } to) continue;
                Diagram.Links.Add(new ConnectionLinkModel(from, to, connection));
            }
        });
        return pasted;
    }

    private static string UniqueId(string id, HashSet<string> taken)
    {
        var stem = id.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
        if (stem.Length == 0) stem = "activity";
        for (var i = 1; ; i++)
        {
            var candidate = $"{stem}{i}";
            if (taken.Add(candidate)) return candidate;
        }
    }

    /// <summary>Moves a node (the keyboard's arrows); presses on the same node in a row are one undo step.</summary>
    public void MoveBy(ActivityNodeModel node, double dx, double dy)
    {
        node.SetPosition(node.Position.X + dx, node.Position.Y + dy);
        Commit($"move:{node.Activity.Id}");
    }

    /// <summary>
    /// Lays the flowchart out afresh in layers (<see cref="Diagram.DiagramLayout.Layered"/>, the instance viewer's layout):
    /// left to right by longest path from the start, rows as tall as the tallest node. One undo step.
    /// </summary>
    public void Arrange()
    {
        var nodes = Nodes.ToList();
        if (nodes.Count == 0) return;
        var ids = nodes.Select(n => n.Activity.Id).ToHashSet(StringComparer.Ordinal);
        var activities = nodes.Select(n => n.Activity).DistinctBy(a => a.Id, StringComparer.Ordinal).ToList();
        var connections = Links
            .Select(l => (From: PortOf(l.Source) as OutcomePortModel, To: PortOf(l.Target) as InPortModel))
            .Where(p => p.From?.Parent is ActivityNodeModel && p.To?.Parent is ActivityNodeModel)
            .Select(p => new Connection(((ActivityNodeModel)p.From!.Parent).Activity.Id, p.From.Outcome, ((ActivityNodeModel)p.To!.Parent).Activity.Id, p.To.PortName))
            .Where(c => ids.Contains(c.Source.Activity) && ids.Contains(c.Target.Activity))
            .ToList();
        var width = nodes.Max(n => n.Size?.Width ?? NodeWidth);
        var height = nodes.Max(n => n.Size?.Height ?? EstimatedHeight(n));
        var places = Web.Components.Diagram.DiagramLayout.Layered(activities, connections, width + 90, height + 40);
        Change(() =>
        {
            foreach (var node in nodes)
                if (places.TryGetValue(node.Activity.Id, out var place)) node.SetPosition(Math.Round(place.X), Math.Round(place.Y));
        });
    }

    private const double NodeWidth = 170;

    /// <summary>A node's height before the browser measured it: the heading and a row per outcome (designer.css).</summary>
    private static double EstimatedHeight(ActivityNodeModel node) => 42 + 22 * node.Outcomes.Count();

    private static PortModel? PortOf(Anchor anchor) => anchor is SinglePortAnchor s ? s.Port : anchor.Model as PortModel;

    private static ActivityNode Copy(ActivityNode activity)
    {
        // Through JSON so nothing the node holds is shared with the diagram.
        var json = System.Text.Json.JsonSerializer.Serialize(activity, WorkflowJson.Options);
        return System.Text.Json.JsonSerializer.Deserialize<ActivityNode>(json, WorkflowJson.Options)!;
    }
}
