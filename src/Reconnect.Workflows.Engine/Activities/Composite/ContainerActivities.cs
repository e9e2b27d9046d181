using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Composite;

// Elsa 3's container activities. Each keeps what it remembers between its children in ActivityContext.ContainerState
// (part of the instance state), never in fields: the step stays pure and a container survives a restart while a child waits.
// Semantics follow Elsa's own activities (elsa-core src/modules/Elsa.Workflows.Core/Activities), learnt, not copied.

internal static class Containers
{
    public static string? Child(ActivityNode node, string slot) => node.Slot(slot)?.Id;

    public static List<JsonNode?> Items(JsonNode? value)
    {
        switch (value)
        {
            case null:
                return [];
            case JsonArray array:
                return [.. array.Select(x => x?.DeepClone())];
            case JsonValue v when v.TryGetValue<string>(out var text):
                var trimmed = text.Trim();
                if (trimmed.StartsWith('['))
                {
                    try
                    {
                        if (JsonNode.Parse(trimmed) is JsonArray parsed) return Items(parsed);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        // a comma-separated text after all
                    }
                }
                return [.. trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode?)JsonValue.Create(s))];
            default:
                return [value.DeepClone()];
        }
    }

    public static int Int(JsonObject state, string key) => (int)(ValueConverter.ToInteger(state[key]) ?? 0);
}

/// <summary><c>Elsa.Sequence</c>: its <c>activities</c> one after another, each starting when the previous one (and all it started) finished.</summary>
public sealed class SequenceActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Sequence", DisplayName = "Sequence", Category = "Workflows", Icon = "FormatListNumbered",
        Description = "Runs its activities one after another.",
    };

    public ActivityResult Execute(ActivityContext context) => Next(context);

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => Next(context);

    private static ActivityResult Next(ActivityContext context)
    {
        var children = (context.Node.Activities ?? []).Where(c => c is not null).ToList();
        var state = context.ContainerState;
        var index = Containers.Int(state, "next");
        if (index >= children.Count) return ActivityResult.Done();
        state["next"] = index + 1;
        return new ActivityResult.ScheduleChildren([children[index].Id]);
    }
}

/// <summary><c>Elsa.Flowchart</c> inside another activity: runs its own activities along its own connections; done when nothing inside it is left running.</summary>
public sealed class FlowchartActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = ActivityNode.FlowchartType, DisplayName = "Flowchart", Category = "Flow", Icon = "AccountTree",
        Description = "Activities joined by connections. Done when nothing inside is left running; an End or a Complete inside completes it at once.",
    };

    /// <summary>Done, and every outcome a <c>Complete</c> directly inside can give.</summary>
    public IReadOnlyList<string> GetPorts(ActivityNode node)
    {
        var ports = new List<string> { "Done" };
        foreach (var child in node.Activities ?? [])
            if (child.Type == "Elsa.Complete")
                foreach (var p in CompleteActivity.LiteralOutcomes(child))
                    if (!ports.Contains(p)) ports.Add(p);
        return ports;
    }

    public ActivityResult Execute(ActivityContext context) =>
        context.FlowchartStart is { } start ? new ActivityResult.ScheduleChildren([start]) : ActivityResult.Done();

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => allDone ? ActivityResult.Done() : null;
}

/// <summary><c>Elsa.FlowNode</c>: a flowchart node that runs its <c>body</c> and is done when the body is.</summary>
public sealed class FlowNodeActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.FlowNode", DisplayName = "Flow node", Category = "Flow", Icon = "CropSquare",
        Description = "Runs its body activity; done when the body is.",
    };

    public ActivityResult Execute(ActivityContext context) =>
        Containers.Child(context.Node, "body") is { } body ? new ActivityResult.ScheduleChildren([body]) : ActivityResult.Done();

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => ActivityResult.Done();
}

/// <summary><c>Elsa.If</c>: runs <c>then</c> or <c>else</c> by a condition (its result), then is done.</summary>
public sealed class IfActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.If", DisplayName = "If", Category = "Branching", Icon = "CallSplit",
        Description = "Runs Then when the condition holds, else Else; done when that activity is.",
        Inputs = [new InputDescriptor { Name = "condition", DisplayName = "Condition", TypeName = "Boolean", DefaultValue = false, DefaultSyntax = Expression.JavaScript, UiHint = "code" }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var condition = context.GetBool("condition");
        context.SetOutput(JsonValue.Create(condition));
        context.SetNamedOutput("result", JsonValue.Create(condition));
        return Containers.Child(context.Node, condition ? "then" : "else") is { } next
            ? new ActivityResult.ScheduleChildren([next])
            : ActivityResult.Done();
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => ActivityResult.Done();
}

/// <summary><c>Elsa.ForEach</c>: its <c>body</c> once per item, one after another, with <c>CurrentValue</c>/<c>CurrentIndex</c> (and the <c>currentValue</c> output).</summary>
public sealed class ForEachActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.ForEach", DisplayName = "For each", Category = "Looping", Icon = "Repeat",
        Description = "Runs its body once for each item, one after another. The body sees CurrentValue and CurrentIndex; Break stops the loop.",
        Inputs = [new InputDescriptor { Name = "items", DisplayName = "Items", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript }],
    };

    public bool IsLoop => true;

    public ActivityResult Execute(ActivityContext context)
    {
        var state = context.ContainerState;
        state["items"] = new JsonArray([.. Containers.Items(context.Evaluate("items"))]);
        state["next"] = 0;
        return Next(context);
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => Next(context);

    private static ActivityResult Next(ActivityContext context)
    {
        var state = context.ContainerState;
        var items = state["items"] as JsonArray ?? [];
        var index = Containers.Int(state, "next");
        if (index >= items.Count) return ActivityResult.Done();
        var value = items[index]?.DeepClone();
        state["next"] = index + 1;
        context.SetLocal("CurrentValue", value);
        context.SetLocal("CurrentIndex", index);
        context.SetNamedOutput("currentValue", value);
        return Containers.Child(context.Node, "body") is { } body ? new ActivityResult.ScheduleChildren([body]) : Next(context);
    }
}

/// <summary>
/// <c>Elsa.ParallelForEach</c>: its <c>body</c> once per item, all at once; done when every iteration is. Each
/// iteration runs in its own frame, so the same body activities wait side by side with their own CurrentValue and
/// CurrentIndex, joins and containers.
/// </summary>
public sealed class ParallelForEachActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.ParallelForEach", DisplayName = "Parallel for each", Category = "Looping", Icon = "DynamicFeed",
        Description = "Runs its body for every item at once (each with its own CurrentValue and CurrentIndex); done when all are.",
        Inputs = [new InputDescriptor { Name = "items", DisplayName = "Items", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var items = Containers.Items(context.Evaluate("items"));
        _ = context.ContainerState;
        if (items.Count == 0 || Containers.Child(context.Node, "body") is not { } body) return ActivityResult.Done();
        var frames = new List<string?>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var frame = Frames.Child(context.Frame, context.Node.Id, i);
            context.SetLocal("CurrentValue", items[i], frame);
            context.SetLocal("CurrentIndex", i, frame);
            frames.Add(frame);
        }
        return new ActivityResult.ScheduleChildren([.. Enumerable.Repeat(body, items.Count)]) { Frames = frames };
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => allDone ? ActivityResult.Done() : null;
}

/// <summary><c>Elsa.For</c>: from <c>start</c> to <c>end</c> by <c>step</c> (end included unless <c>outerBoundInclusive</c> is false), the body once per value.</summary>
public sealed class ForActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.For", DisplayName = "For", Category = "Looping", Icon = "Repeat",
        Description = "Counts from start to end by step (a negative step counts down), running its body for each value (CurrentValue).",
        Inputs =
        [
            new InputDescriptor { Name = "start", DisplayName = "Start", TypeName = "Int32", UiHint = "number", DefaultValue = 0 },
            new InputDescriptor { Name = "end", DisplayName = "End", TypeName = "Int32", UiHint = "number", DefaultValue = 0 },
            new InputDescriptor { Name = "step", DisplayName = "Step", TypeName = "Int32", UiHint = "number", DefaultValue = 1 },
            new InputDescriptor { Name = "outerBoundInclusive", DisplayName = "End included", TypeName = "Boolean", UiHint = "checkbox", DefaultValue = true },
        ],
    };

    public bool IsLoop => true;

    public ActivityResult Execute(ActivityContext context)
    {
        var state = context.ContainerState;
        state["start"] = ValueConverter.ToInteger(context.Evaluate("start")) ?? 0;
        state["end"] = ValueConverter.ToInteger(context.Evaluate("end")) ?? 0;
        state["step"] = ValueConverter.ToInteger(context.Evaluate("step")) ?? 1;
        state["inclusive"] = context.Evaluate("outerBoundInclusive") is { } inclusive ? ValueConverter.ToBool(inclusive) : true;
        return Next(context);
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => Next(context);

    private static ActivityResult Next(ActivityContext context)
    {
        var state = context.ContainerState;
        var step = ValueConverter.ToInteger(state["step"]) ?? 1;
        if (step == 0) throw new InvalidOperationException("For has a step of 0: it would never end.");
        var end = ValueConverter.ToInteger(state["end"]) ?? 0;
        var inclusive = ValueConverter.ToBool(state["inclusive"]);
        var current = state["current"] is null ? ValueConverter.ToInteger(state["start"]) ?? 0 : ValueConverter.ToInteger(state["current"])!.Value + step;
        var loop = step > 0 ? (inclusive ? current <= end : current < end) : (inclusive ? current >= end : current > end);
        if (!loop) return ActivityResult.Done();
        state["current"] = current;
        context.SetLocal("CurrentValue", current);
        context.SetNamedOutput("currentValue", JsonValue.Create(current));
        return Containers.Child(context.Node, "body") is { } body ? new ActivityResult.ScheduleChildren([body]) : Next(context);
    }
}

/// <summary><c>Elsa.While</c>: the body again and again while the condition (evaluated before each round) holds.</summary>
public sealed class WhileActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.While", DisplayName = "While", Category = "Looping", Icon = "Loop",
        Description = "Runs its body while the condition holds (checked before each round); Break stops it.",
        Inputs = [new InputDescriptor { Name = "condition", DisplayName = "Condition", TypeName = "Boolean", DefaultValue = false, DefaultSyntax = Expression.JavaScript, UiHint = "code" }],
    };

    public bool IsLoop => true;

    public ActivityResult Execute(ActivityContext context) => Next(context);

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => Next(context);

    private static ActivityResult Next(ActivityContext context)
    {
        _ = context.ContainerState;
        if (!context.GetBool("condition")) return ActivityResult.Done();
        // No body and a true condition would spin: the step's execution guard stops a body that never waits, this stops an empty one.
        return Containers.Child(context.Node, "body") is { } body
            ? new ActivityResult.ScheduleChildren([body])
            : throw new InvalidOperationException("While has no body and its condition holds: it would never end.");
    }
}

/// <summary><c>Elsa.Fork</c>: every branch at once; done when all are (<c>WaitAll</c>, the default) or at the first (<c>WaitAny</c>, the others cancelled).</summary>
public sealed class ForkActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Fork", DisplayName = "Fork (branches)", Category = "Control Flow", Icon = "ForkRight",
        Description = "Runs every branch at once; done when all are (WaitAll) or at the first (WaitAny, the others cancelled).",
        Inputs = [new InputDescriptor { Name = "joinMode", DisplayName = "Join mode", TypeName = "ForkJoinMode", UiHint = "dropdown", Options = ["WaitAll", "WaitAny"], DefaultValue = "WaitAll" }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        _ = context.ContainerState;
        return new ActivityResult.ScheduleChildren([.. context.Node.Slots.Where(s => s.Key.StartsWith("branches/", StringComparison.Ordinal)).Select(s => s.Value.Id)]);
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone)
    {
        var waitAny = string.Equals(context.GetString("joinMode"), "WaitAny", StringComparison.OrdinalIgnoreCase);
        return waitAny || allDone ? ActivityResult.Done() : null;
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var mode = ValueConverter.ToText(node.GetInput("joinMode")?.Value);
        if (mode is not null and not ("WaitAll" or "WaitAny")) yield return $"joinMode '{mode}' is not WaitAll or WaitAny";
    }
}

/// <summary><c>Elsa.Switch</c> (not the flowchart one): runs the activity of the first matching case (or of every one, <c>MatchAny</c>), else <c>default</c>; done when they are.</summary>
public sealed class SwitchActivity : IContainerActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Switch", DisplayName = "Switch (activities)", Category = "Branching", Icon = "AltRoute",
        Description = "Runs the activity of the first case whose condition holds (or of every such case, MatchAny), else the default activity.",
        Inputs =
        [
            new InputDescriptor { Name = "cases", DisplayName = "Cases", TypeName = "Cases", UiHint = "cases", Raw = true },
            new InputDescriptor { Name = "mode", DisplayName = "Mode", TypeName = "String", UiHint = "dropdown", Options = ["MatchFirst", "MatchAny"], DefaultValue = "MatchFirst" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var matchAny = string.Equals(context.GetString("mode"), "MatchAny", StringComparison.OrdinalIgnoreCase);
        var scheduled = new List<string>();
        var matched = false;
        var index = 0;
        foreach (var (_, condition) in Flow.FlowSwitchActivity.ReadCases(context.Node))
        {
            var i = index++;
            if (!ValueConverter.ToBool(context.Evaluate(condition))) continue;
            matched = true;
            if (Containers.Child(context.Node, $"cases/{i}/activity") is { } activity) scheduled.Add(activity);
            if (!matchAny) break;
        }
        if (!matched && Containers.Child(context.Node, "default") is { } fallback) scheduled.Add(fallback);
        _ = context.ContainerState;
        return new ActivityResult.ScheduleChildren(scheduled);
    }

    public ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone) => allDone ? ActivityResult.Done() : null;

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        foreach (var (label, condition) in Flow.FlowSwitchActivity.ReadCases(node))
        {
            if (condition is null) yield return $"case '{label}' has no condition";
            else if (context.CheckSyntax(condition) is { } error) yield return $"case '{label}': {error}";
        }
    }
}

/// <summary><c>Elsa.Break</c>: leaves the nearest loop (its remaining work cancelled); outside a loop, the nearest sequence.</summary>
public sealed class BreakActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Break", DisplayName = "Break", Category = "Looping", Icon = "Block", Ports = [], IsTerminal = true,
        Description = "Breaks out of the nearest loop (ForEach, For, While).",
    };

    public ActivityResult Execute(ActivityContext context) => new ActivityResult.BreakLoop();
}

/// <summary><c>Elsa.Complete</c>: the nearest flowchart completes now with the given outcomes (its ports outside); at the top, the workflow finishes.</summary>
public sealed class CompleteActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Complete", DisplayName = "Complete", Category = "Composition", Icon = "DoneAll", Ports = [], IsTerminal = true,
        Description = "Completes the enclosing flowchart at once with the given outcome(s); at the top level the workflow finishes.",
        Inputs = [new InputDescriptor { Name = "outcomes", DisplayName = "Outcomes", TypeName = "Object", UiHint = "outcomes", DefaultSyntax = Expression.Object }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var outcomes = Interpret(context.Evaluate("outcomes"));
        return new ActivityResult.CompleteComposite(outcomes);
    }

    private static List<string> Interpret(JsonNode? value)
    {
        var list = value switch
        {
            null => [],
            JsonArray array => [.. array.Select(x => ValueConverter.ToText(x) ?? "")],
            _ => ValueConverter.ToText(value) is { } text && text.TrimStart().StartsWith('[') ? ValueConverter.ToStringList(value) : ValueConverter.ToText(value) is { Length: > 0 } single ? [single] : new List<string>(),
        };
        return list.Count == 0 ? ["Done"] : list;
    }

    /// <summary>The outcomes when they are written as a literal (for the enclosing flowchart's ports).</summary>
    internal static IReadOnlyList<string> LiteralOutcomes(ActivityNode node)
    {
        var expression = node.GetInput("outcomes");
        if (expression is null || expression.Type is not (Expression.Literal or Expression.Object)) return ["Done"];
        return Interpret(expression.Value);
    }
}
