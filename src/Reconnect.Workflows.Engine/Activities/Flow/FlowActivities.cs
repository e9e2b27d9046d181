using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Flow;

/// <summary><c>Elsa.Start</c>: where a flowchart begins.</summary>
public sealed class StartActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Start", DisplayName = "Start", Category = "Flow", Icon = "PlayArrow",
        Description = "Where the flowchart begins.",
    };

    public ActivityResult Execute(ActivityContext context) => ActivityResult.Done();
}

/// <summary><c>Elsa.End</c>: the flowchart completes at once, even with other branches pending.</summary>
public sealed class EndActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.End", DisplayName = "End", Category = "Flow", Icon = "Stop", Ports = [], IsTerminal = true,
        Description = "Completes the flowchart at once; pending branches are cancelled.",
    };

    public ActivityResult Execute(ActivityContext context) => new ActivityResult.EndFlowchart();
}

/// <summary><c>Elsa.Finish</c>: the instance finishes at once and every remaining bookmark is cancelled.</summary>
public sealed class FinishActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Finish", DisplayName = "Finish", Category = "Flow", Icon = "Flag", Ports = [], IsTerminal = true,
        Description = "Finishes the workflow instance; every remaining bookmark (timers, events, tasks) is cancelled.",
    };

    public ActivityResult Execute(ActivityContext context) => new ActivityResult.FinishWorkflow();
}

/// <summary><c>Elsa.FlowDecision</c>: ports True/False from a condition.</summary>
public sealed class FlowDecisionActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.FlowDecision", DisplayName = "Decision", Category = "Flow", Icon = "CallSplit",
        Description = "Takes the True or the False port depending on a condition.",
        Ports = ["True", "False"],
        Inputs = [new InputDescriptor { Name = "condition", DisplayName = "Condition", TypeName = "Boolean", Required = true, DefaultSyntax = Expression.JavaScript, UiHint = "code" }],
    };

    public ActivityResult Execute(ActivityContext context) =>
        ActivityResult.Outcomes(context.GetBool("condition") ? "True" : "False");
}

/// <summary><c>Elsa.FlowSwitch</c>: a port per matching case (MatchFirst or MatchAny), else <c>Default</c>.</summary>
public sealed class FlowSwitchActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.FlowSwitch", DisplayName = "Switch", Category = "Flow", Icon = "AltRoute",
        Description = "Takes the port of the first (or every) case whose condition holds; Default when none does.",
        Ports = ["Default"],
        DynamicPortsInput = "cases",
        Inputs =
        [
            new InputDescriptor { Name = "cases", DisplayName = "Cases", TypeName = "Cases", UiHint = "cases", Raw = true, Required = true },
            new InputDescriptor { Name = "mode", DisplayName = "Mode", TypeName = "String", UiHint = "dropdown", Options = ["MatchFirst", "MatchAny"], DefaultValue = "MatchFirst" },
        ],
    };

    public IReadOnlyList<string> GetPorts(ActivityNode node) => [.. ReadCases(node).Select(c => c.Label), "Default"];

    public ActivityResult Execute(ActivityContext context)
    {
        var matchAny = string.Equals(context.GetString("mode"), "MatchAny", StringComparison.OrdinalIgnoreCase);
        var matched = new List<string>();
        foreach (var (label, condition) in ReadCases(context.Node))
        {
            if (!ValueConverter.ToBool(context.Evaluate(condition))) continue;
            matched.Add(label);
            if (!matchAny) break;
        }
        if (matched.Count == 0) matched.Add("Default");
        return ActivityResult.Outcomes(matched);
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, condition) in ReadCases(node))
        {
            if (string.IsNullOrWhiteSpace(label)) yield return "a case has no label";
            else if (!labels.Add(label)) yield return $"case '{label}' appears twice";
            if (condition is null) yield return $"case '{label}' has no condition";
            else if (context.CheckSyntax(condition) is { } error) yield return $"case '{label}': {error}";
        }
    }

    internal static IEnumerable<(string Label, Expression? Condition)> ReadCases(ActivityNode node)
    {
        var raw = node.GetInputRaw("cases");
        // Elsa writes cases raw; accept them wrapped too.
        if (raw is JsonObject wrapped && wrapped["expression"]?["value"] is JsonNode inner)
            raw = inner is JsonValue v && v.TryGetValue<string>(out var text) ? JsonNode.Parse(text) : inner;
        if (raw is not JsonArray cases) yield break;
        foreach (var c in cases.OfType<JsonObject>())
        {
            var label = ValueConverter.ToText(c["label"]) ?? "";
            var condition = c["condition"] switch
            {
                JsonObject o when o.ContainsKey("type") => Expression.FromInput(new JsonObject { ["expression"] = o.DeepClone() }),
                JsonObject o => Expression.FromInput(o),
                null => null,
                var other => Expression.OfLiteral(other.DeepClone()),
            };
            yield return (label, condition);
        }
    }
}

/// <summary><c>Elsa.FlowFork</c>: every branch port at once.</summary>
public sealed class FlowForkActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.FlowFork", DisplayName = "Fork", Category = "Flow", Icon = "ForkRight",
        Description = "Continues on every branch at once.",
        Ports = [],
        DynamicPortsInput = "branches",
        Inputs = [new InputDescriptor { Name = "branches", DisplayName = "Branches", TypeName = "String[]", UiHint = "outcomes", Required = true }],
    };

    public IReadOnlyList<string> GetPorts(ActivityNode node) => Branches(node);

    public ActivityResult Execute(ActivityContext context) => ActivityResult.Outcomes(ValueConverter.ToStringList(context.Evaluate("branches")));

    internal static List<string> Branches(ActivityNode node)
    {
        var expression = node.GetInput("branches");
        if (expression is null) return [];
        if (expression.Type is Expression.Literal or Expression.Object) return ValueConverter.ToStringList(expression.Value);
        return [];
    }
}

/// <summary><c>Elsa.FlowJoin</c>: WaitAll or WaitAny (Elsa's default). The waiting is done by the flowchart; the join itself just passes on.</summary>
public sealed class FlowJoinActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.FlowJoin", DisplayName = "Join", Category = "Flow", Icon = "MergeType",
        Description = "Waits for all inbound branches (WaitAll) or continues on the first (WaitAny, cancelling the others).",
        Inputs = [new InputDescriptor { Name = "mode", DisplayName = "Mode", TypeName = "FlowJoinMode", UiHint = "dropdown", Options = ["WaitAny", "WaitAll"], DefaultValue = "WaitAny" }],
    };

    public ActivityResult Execute(ActivityContext context) => ActivityResult.Done();

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var mode = node.GetInput("mode");
        if (mode is null || mode.Value is null) yield break;
        if (mode.Type != Expression.Literal) yield return "mode must be a literal (WaitAny or WaitAll)";
        else if (ValueConverter.ToText(mode.Value) is not ("WaitAny" or "WaitAll"))
            yield return $"mode '{ValueConverter.ToText(mode.Value)}' is not WaitAny or WaitAll";
    }
}
