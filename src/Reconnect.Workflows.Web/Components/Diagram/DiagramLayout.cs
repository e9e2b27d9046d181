using System.Globalization;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Diagram;

/// <summary>One activity's box on the read-only diagram, in diagram units (the SVG's viewBox).</summary>
public sealed record DiagramNode(string Id, string Label, string Type, double X, double Y)
{
    public double CenterY => Y + DiagramLayout.NodeHeight / 2;
}

/// <summary>One connection: an SVG path from the source's port to the target's left side, and where its port label goes.</summary>
public sealed record DiagramEdge(string SourceId, string Port, string TargetId, string Path, double LabelX, double LabelY, bool ShowLabel);

/// <summary>
/// Where each activity of a flowchart is drawn. The designer's positions (<c>metadata.designer.position</c>, Elsa's)
/// are used when every activity has one, spread a little so labels fit between boxes; when any is missing, or two boxes
/// would overlap, the whole chart is laid out in layers by longest path from the start (a mix of placed and guessed
/// boxes would overlap).
/// </summary>
public sealed record DiagramLayout(IReadOnlyList<DiagramNode> Nodes, IReadOnlyList<DiagramEdge> Edges, double Width, double Height, bool AutoLayout)
{
    public const double NodeWidth = 190;
    public const double NodeHeight = 80;
    public const double Margin = 40;
    /// <summary>Designer positions are spread by this much across (Elsa's boxes sit 200 apart; ours are 190 wide and need room for arrows).</summary>
    public const double SpreadX = 1.5;
    public const double SpreadY = 1.0;
    public const double LayerGap = 90;
    public const double RowGap = 40;

    public static DiagramLayout For(WorkflowDefinition definition) => For(definition.Activities, definition.Connections);

    public static DiagramLayout For(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections)
    {
        // A broken file may repeat an id; the first one is drawn (validation names the repeat).
        activities = activities.DistinctBy(a => a.Id, StringComparer.Ordinal).ToList();
        var ids = new HashSet<string>(activities.Select(a => a.Id), StringComparer.Ordinal);
        // Connections to activities that are not there (a broken import) are not drawn rather than drawn to nowhere.
        var drawn = connections.Where(c => ids.Contains(c.Source.Activity) && ids.Contains(c.Target.Activity)).ToList();
        var places = activities.Count == 0 || activities.Any(a => a.Position is null) ? null : FromDesigner(activities);
        // Positions that put two boxes on top of each other (every activity at 0,0, as hand-written and generated files
        // often have) would hide activities: such a chart is laid out afresh too.
        if (places is not null && Overlaps(places.Values.ToList())) places = null;
        var auto = places is null;
        places ??= Layered(activities, drawn);

        var nodes = activities.Select(a => new DiagramNode(a.Id, a.Label, a.Type, places[a.Id].X, places[a.Id].Y)).ToList();
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var edges = new List<DiagramEdge>(drawn.Count);
        foreach (var group in drawn.GroupBy(c => c.Source.Activity, StringComparer.Ordinal))
        {
            // Each distinct port leaves from its own point down the box's right side, so a fork's or a task's
            // outcomes can be told apart; a single "Done" port is not labelled.
            var ports = group.Select(c => c.Source.Port).Distinct(StringComparer.Ordinal).ToList();
            var label = ports.Count > 1 || ports[0] != "Done";
            foreach (var c in group)
            {
                var source = byId[c.Source.Activity];
                var target = byId[c.Target.Activity];
                var index = ports.IndexOf(c.Source.Port);
                var sx = source.X + NodeWidth;
                var sy = source.Y + NodeHeight * (index + 1) / (ports.Count + 1);
                var tx = target.X;
                var ty = target.CenterY;
                edges.Add(Edge(c.Source.Activity, c.Source.Port, c.Target.Activity, sx, sy, tx, ty, label));
            }
        }
        var width = nodes.Count == 0 ? 2 * Margin : nodes.Max(n => n.X) + NodeWidth + Margin;
        var height = nodes.Count == 0 ? 2 * Margin : nodes.Max(n => n.Y) + NodeHeight + Margin;
        return new DiagramLayout(nodes, edges, Math.Ceiling(width), Math.Ceiling(height), auto);
    }

    private static DiagramEdge Edge(string from, string port, string to, double sx, double sy, double tx, double ty, bool label)
    {
        string path;
        double lx, ly;
        if (tx >= sx + 20)
        {
            var bend = Math.Max(30, (tx - sx) / 2);
            path = $"M {N(sx)} {N(sy)} C {N(sx + bend)} {N(sy)}, {N(tx - bend)} {N(ty)}, {N(tx)} {N(ty)}";
            // The label sits on the curve's middle: lines that leave one box together (a fork's six) part there.
            (lx, ly) = Middle(sx, sy, sx + bend, sy, tx - bend, ty, tx, ty);
        }
        else
        {
            // A line back (a loop, e.g. the monthly review) goes round below both boxes.
            var below = Math.Max(sy, ty) + NodeHeight;
            path = $"M {N(sx)} {N(sy)} C {N(sx + 80)} {N(below)}, {N(tx - 80)} {N(below)}, {N(tx)} {N(ty)}";
            (lx, ly) = Middle(sx, sy, sx + 80, below, tx - 80, below, tx, ty);
        }
        return new DiagramEdge(from, port, to, path, lx, ly + 4, label);
    }

    /// <summary>The point of a cubic Bézier curve at t = ½.</summary>
    private static (double X, double Y) Middle(double x0, double y0, double x1, double y1, double x2, double y2, double x3, double y3) =>
        ((x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8);

    /// <summary>A label in at most <paramref name="maxLines"/> lines of about <paramref name="perLine"/> characters, cut with an ellipsis.</summary>
    public static IReadOnlyList<string> Wrap(string text, int perLine = 26, int maxLines = 2)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var w = word.Length > perLine ? word[..(perLine - 1)] + "…" : word;
            if (current.Length == 0) current = w;
            else if (current.Length + 1 + w.Length <= perLine) current += " " + w;
            else { lines.Add(current); current = w; }
        }
        if (current.Length > 0) lines.Add(current);
        if (lines.Count <= maxLines) return lines;
        var kept = lines.Take(maxLines).ToList();
        var last = kept[^1];
        kept[^1] = (last.Length >= perLine ? last[..(perLine - 1)] : last) + "…";
        return kept;
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static bool Overlaps(List<(double X, double Y)> boxes)
    {
        for (var i = 0; i < boxes.Count; i++)
            for (var j = i + 1; j < boxes.Count; j++)
                if (Math.Abs(boxes[i].X - boxes[j].X) < NodeWidth && Math.Abs(boxes[i].Y - boxes[j].Y) < NodeHeight) return true;
        return false;
    }

    private static Dictionary<string, (double X, double Y)> FromDesigner(IReadOnlyList<ActivityNode> activities)
    {
        var minX = activities.Min(a => a.Position!.Value.X);
        var minY = activities.Min(a => a.Position!.Value.Y);
        var places = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        foreach (var a in activities)
        {
            var (x, y) = a.Position!.Value;
            places[a.Id] = (Margin + (x - minX) * SpreadX, Margin + (y - minY) * SpreadY);
        }
        return places;
    }

    /// <summary>
    /// Layers by longest path: an activity sits one layer right of the furthest activity that leads to it, lines that
    /// close a loop ignored (found by a depth-first walk from the activities nothing leads to). Within a layer,
    /// activities are ordered by the mean row of what leads to them, which keeps most lines short and uncrossed.
    /// The designer's "Arrange" uses it too, with its own column and row sizes (its nodes are taller).
    /// </summary>
    internal static Dictionary<string, (double X, double Y)> Layered(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections,
        double columnWidth = NodeWidth + LayerGap, double rowHeight = NodeHeight + RowGap)
    {
        var order = activities.Select((a, i) => (a.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var next = activities.ToDictionary(a => a.Id, _ => new List<string>(), StringComparer.Ordinal);
        var incoming = activities.ToDictionary(a => a.Id, _ => 0, StringComparer.Ordinal);
        foreach (var c in connections)
        {
            next[c.Source.Activity].Add(c.Target.Activity);
            incoming[c.Target.Activity]++;
        }

        // Depth-first from the roots (then anything unreached, e.g. a cycle with no way in): an edge to an activity
        // still on the walk's stack closes a loop.
        var back = new HashSet<(string, string)>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the stack, 2 done
        var roots = activities.Where(a => incoming[a.Id] == 0).Select(a => a.Id).Concat(activities.Select(a => a.Id));
        foreach (var root in roots)
        {
            if (state.ContainsKey(root)) continue;
            var stack = new Stack<(string Id, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (id, i) = stack.Pop();
                if (i < next[id].Count)
                {
                    stack.Push((id, i + 1));
                    var to = next[id][i];
                    if (!state.TryGetValue(to, out var s)) { state[to] = 1; stack.Push((to, 0)); }
                    else if (s == 1) back.Add((id, to));
                }
                else state[id] = 2;
            }
        }

        // Longest path over what is left (a DAG), in topological order.
        var indegree = activities.ToDictionary(a => a.Id, _ => 0, StringComparer.Ordinal);
        foreach (var (from, tos) in next)
            foreach (var to in tos)
                if (!back.Contains((from, to))) indegree[to]++;
        var layer = activities.ToDictionary(a => a.Id, _ => 0, StringComparer.Ordinal);
        var ready = new PriorityQueue<string, int>();
        foreach (var a in activities) if (indegree[a.Id] == 0) ready.Enqueue(a.Id, order[a.Id]);
        var predecessors = activities.ToDictionary(a => a.Id, _ => new List<string>(), StringComparer.Ordinal);
        while (ready.TryDequeue(out var id, out _))
        {
            foreach (var to in next[id])
            {
                if (back.Contains((id, to))) continue;
                predecessors[to].Add(id);
                layer[to] = Math.Max(layer[to], layer[id] + 1);
                if (--indegree[to] == 0) ready.Enqueue(to, order[to]);
            }
        }

        var layers = activities.GroupBy(a => layer[a.Id]).OrderBy(g => g.Key).Select(g => g.Select(a => a.Id).ToList()).ToList();
        var tallest = layers.Max(l => l.Count);
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        var places = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        for (var x = 0; x < layers.Count; x++)
        {
            var ranked = layers[x]
                .Select(id => (id, key: predecessors[id].Count == 0 ? double.MaxValue : predecessors[id].Average(p => row.GetValueOrDefault(p))))
                .OrderBy(p => p.key).ThenBy(p => order[p.id]).ToList();
            // Each layer is centred on the tallest one, so a straight run stays on one line through a fork's branches.
            var offset = (tallest - ranked.Count) / 2.0;
            for (var i = 0; i < ranked.Count; i++)
            {
                row[ranked[i].id] = i + offset;
                places[ranked[i].id] = (Margin + x * columnWidth, Margin + (i + offset) * rowHeight);
            }
        }
        return places;
    }
}
