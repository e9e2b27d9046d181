using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Validation;

/// <summary>
/// Every rule in one pass, every problem reported at once, each naming its activity: unknown types, duplicate ids,
/// dangling connections and ports, unreachable activities, missing required inputs, expressions that do not parse,
/// loops with no waiting activity, and each activity type's own rules.
/// </summary>
public sealed class WorkflowValidator(ActivityRegistry registry, ExpressionEvaluator evaluator)
{
    /// <summary>Elsa activity types people may bring that this engine does not run: named in the message, never dropped silently.</summary>
    private const string ElsaPrefix = "Elsa.";

    /// <summary>Activities at all depths together (the API limits the root's own; containers must not get round it).</summary>
    public const int MaxActivities = 10_000;

    public ValidationResult Validate(WorkflowDefinition definition)
    {
        var messages = new List<ValidationMessage>();
        var context = new ValidationContext(definition, registry, evaluator);

        if (string.IsNullOrWhiteSpace(definition.DefinitionId))
            messages.Add(new(null, null, "the definition has no definitionId"));
        var variableNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variable in definition.Variables)
        {
            if (string.IsNullOrWhiteSpace(variable.Name)) messages.Add(new(null, null, "a variable has no name"));
            else if (!variableNames.Add(variable.Name)) messages.Add(new(null, null, $"variable '{variable.Name}' is declared twice"));
        }

        // Every activity at any depth: inside sequences, loops, branches and nested flowcharts, even inside a container we do not run.
        var activities = definition.AllActivities.ToList();
        if (activities.Count > MaxActivities)
        {
            messages.Add(new(null, null, $"the workflow has {activities.Count} activities at all depths; at most {MaxActivities}"));
            return new ValidationResult(messages);
        }
        if (definition.Root.IsFlowchart && definition.Activities.Any(a => a is null))
            messages.Add(new(null, null, "the root flowchart's 'activities' holds a null entry"));
        foreach (var container in activities.Where(a => a.Activities is { } list && list.Any(c => c is null)))
            messages.Add(new(container.Id, container.Type, "its 'activities' holds a null entry"));
        var typeless = activities.Where(a => string.IsNullOrWhiteSpace(a.Type)).ToList();
        foreach (var node in typeless) messages.Add(new(node.Id, node.Type, "the activity has no type"));
        if (typeless.Count > 0 || messages.Count > 0 && messages.Any(m => m.Message.Contains("null entry", StringComparison.Ordinal))) return new ValidationResult(messages);
        if (activities.Count == 0)
            messages.Add(new(null, null, "the workflow has no activities", ValidationSeverity.Warning));

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in activities)
        {
            if (string.IsNullOrWhiteSpace(node.Id)) { messages.Add(new(node.Id, node.Type, "the activity has no id")); continue; }
            if (!ids.Add(node.Id)) messages.Add(new(node.Id, node.Type, "another activity has the same id"));
        }

        foreach (var node in activities) ValidateActivity(node, context, messages);
        ValidateConnections(definition.Activities, definition.Connections, messages);
        foreach (var flowchart in activities.Where(a => a.IsFlowchart))
            ValidateConnections(flowchart.Activities ?? [], flowchart.Connections ?? [], messages);
        if (messages.Any(m => m.Severity == ValidationSeverity.Error && m.Message.StartsWith("another activity", StringComparison.Ordinal)))
            return new ValidationResult(messages);

        var compiled = new Execution.CompiledWorkflow(definition, registry);
        ValidateReachability(definition, compiled, messages);
        ValidateLoops(definition, compiled, messages);
        return new ValidationResult(messages);
    }

    private void ValidateActivity(ActivityNode node, ValidationContext context, List<ValidationMessage> messages)
    {
        var activity = registry.Find(node.Type);
        if (activity is null)
        {
            var what = Refusal(node.Type) is { } refusal
                ? $"activity type '{node.Type}' is refused: {refusal}"
                : node.Type.StartsWith(ElsaPrefix, StringComparison.Ordinal)
                    ? $"activity type '{node.Type}' is an Elsa activity this engine does not support"
                    : $"activity type '{node.Type}' is not known";
            messages.Add(new(node.Id, node.Type, what));
            return;
        }

        foreach (var input in activity.Descriptor.Inputs)
        {
            var raw = node.GetInputRaw(input.Name);
            if (input.Raw)
            {
                if (input.Required && raw is null) messages.Add(new(node.Id, node.Type, $"required input '{input.Name}' is missing"));
                continue;
            }
            var expression = Expression.FromInput(raw);
            var empty = expression is null || expression.Value is null ||
                        (expression.Type == Expression.Literal && string.IsNullOrWhiteSpace(ValueConverter.ToText(expression.Value)));
            if (empty)
            {
                if (input.Required && input.DefaultValue is null)
                    messages.Add(new(node.Id, node.Type, $"required input '{input.Name}' is missing"));
                continue;
            }
            if (evaluator.CheckSyntax(expression!) is { } error)
                messages.Add(new(node.Id, node.Type, $"input '{input.Name}': {error}"));
        }

        foreach (var problem in activity.Validate(node, context))
            messages.Add(new(node.Id, node.Type, problem));
    }

    /// <summary>Elsa activity types refused on purpose, and why (docs/engine.md lists every Elsa type).</summary>
    public static string? Refusal(string? type) => type switch
    {
        "Elsa.RunCSharp" => "C# code runs with the server's full rights and there is no sandbox we trust for it; use Elsa.RunJavaScript",
        "Elsa.RunPython" => "Python needs an embedded interpreter with no sandbox we trust; use Elsa.RunJavaScript",
        _ when type?.StartsWith("Elsa.Agents.", StringComparison.Ordinal) == true => "Elsa's AI agents module is not shipped here",
        _ => null,
    };

    private void ValidateConnections(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections, List<ValidationMessage> messages)
    {
        var byId = new Dictionary<string, ActivityNode>(StringComparer.Ordinal);
        foreach (var a in activities) byId.TryAdd(a.Id, a);
        foreach (var connection in connections)
        {
            byId.TryGetValue(connection.Source.Activity, out var source);
            byId.TryGetValue(connection.Target.Activity, out var target);
            if (source is null)
                messages.Add(new(connection.Target.Activity.Length > 0 && target is not null ? target.Id : null, target?.Type,
                    $"connection {connection} comes from activity '{connection.Source.Activity}', which does not exist"));
            if (target is null)
                messages.Add(new(source?.Id, source?.Type, $"connection {connection} goes to activity '{connection.Target.Activity}', which does not exist"));
            if (source is null) continue;
            var activity = registry.Find(source.Type);
            if (activity is null) continue;
            var ports = activity.GetPorts(source);
            var dynamic = activity.Descriptor.DynamicPortsInput is not null && source.GetInput(activity.Descriptor.DynamicPortsInput) is { Type: not (Expression.Literal or Expression.Object) };
            if (!dynamic && !ports.Contains(connection.Source.Port, StringComparer.Ordinal))
                messages.Add(new(source.Id, source.Type,
                    $"connection {connection} leaves from port '{connection.Source.Port}', which the activity does not have ({(ports.Count == 0 ? "it has none" : string.Join(", ", ports))})"));
        }
    }

    private static void ValidateReachability(WorkflowDefinition definition, Execution.CompiledWorkflow compiled, List<ValidationMessage> messages)
    {
        ValidateReachability(definition.Activities, compiled.StartNodeId, compiled, messages);
        foreach (var flowchart in definition.AllActivities.Where(a => a.IsFlowchart))
            if (compiled.Find(flowchart.Id) is { } node)
                ValidateReachability(flowchart.Activities ?? [], node.FlowStart, compiled, messages);
    }

    private static void ValidateReachability(IReadOnlyList<ActivityNode> activities, string? start, Execution.CompiledWorkflow compiled, List<ValidationMessage> messages)
    {
        if (start is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
            foreach (var edge in compiled.Nodes[queue.Dequeue()].Outbound)
                if (seen.Add(edge.Connection.Target.Activity)) queue.Enqueue(edge.Connection.Target.Activity);
        foreach (var node in activities)
            if (!seen.Contains(node.Id))
                messages.Add(new(node.Id, node.Type, $"the activity cannot be reached from the start activity '{start}'"));
    }

    /// <summary>Cycles (strongly connected components, Tarjan, iterative) with no waiting activity: an error when there is no way out, a warning when an exit exists.</summary>
    private void ValidateLoops(WorkflowDefinition definition, Execution.CompiledWorkflow compiled, List<ValidationMessage> messages)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var counter = 0;
        var components = new List<List<string>>();

        var all = definition.AllActivities.ToList();
        foreach (var start in all.Select(a => a.Id).Distinct())
        {
            if (index.ContainsKey(start)) continue;
            var work = new Stack<(string Id, int Edge)>();
            work.Push((start, 0));
            while (work.Count > 0)
            {
                var (id, edgeIndex) = work.Pop();
                if (edgeIndex == 0)
                {
                    index[id] = low[id] = counter++;
                    stack.Push(id);
                    onStack.Add(id);
                }
                var outbound = compiled.Nodes[id].Outbound;
                if (edgeIndex < outbound.Count)
                {
                    work.Push((id, edgeIndex + 1));
                    var target = outbound[edgeIndex].Connection.Target.Activity;
                    if (!index.TryGetValue(target, out var targetIndex)) work.Push((target, 0));
                    else if (onStack.Contains(target)) low[id] = Math.Min(low[id], targetIndex);
                    continue;
                }
                foreach (var edge in outbound)
                {
                    var target = edge.Connection.Target.Activity;
                    if (onStack.Contains(target)) low[id] = Math.Min(low[id], low[target]);
                }
                if (low[id] == index[id])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    } while (member != id);
                    components.Add(component);
                }
            }
        }

        foreach (var component in components)
        {
            var members = component.ToHashSet(StringComparer.Ordinal);
            var isCycle = component.Count > 1 || compiled.Nodes[component[0]].Outbound.Any(e => e.Connection.Target.Activity == component[0]);
            if (!isCycle) continue;
            if (component.Any(id => compiled.Nodes[id].Activity?.Descriptor.IsWaiting == true)) continue;
            var hasExit = component.Any(id =>
            {
                var node = compiled.Nodes[id];
                if (node.Outbound.Any(e => !members.Contains(e.Connection.Target.Activity))) return true;
                // A port with no connection ends that path: also a way out.
                var ports = node.Activity?.GetPorts(node.Node) ?? [];
                return ports.Any(p => node.Outbound.All(e => e.Connection.Source.Port != p));
            });
            var first = all.First(a => members.Contains(a.Id));
            var path = string.Join(" → ", all.Where(a => members.Contains(a.Id)).Select(a => a.Id));
            messages.Add(hasExit
                ? new(first.Id, first.Type, $"loop ({path}) has no waiting activity; it relies on its exit condition to stop", ValidationSeverity.Warning)
                : new(first.Id, first.Type, $"loop ({path}) has no waiting activity and no way out: it would run for ever"));
        }
    }
}
