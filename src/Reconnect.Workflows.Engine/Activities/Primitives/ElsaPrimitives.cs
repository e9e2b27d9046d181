using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Primitives;

/// <summary>A fault raised on purpose by <c>Elsa.Fault</c>: an incident on the activity, the instance faulted.</summary>
public sealed class WorkflowFaultException(string code, string category, string faultType, string? message)
    : InvalidOperationException(message is { Length: > 0 } ? $"{message} (code {code}, {category}, {faultType})" : $"Fault {code} ({category}, {faultType})")
{
    public string Code { get; } = code;
    public string Category { get; } = category;
    public string FaultType { get; } = faultType;
}

/// <summary><c>Elsa.Fault</c>: faults the instance with a code, category, type and message; a retry runs it again.</summary>
public sealed class FaultActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Fault", DisplayName = "Fault", Category = "Primitives", Icon = "ErrorOutline", Ports = [], IsTerminal = true,
        Description = "Faults the workflow instance with a code, category, type and message (an incident on this activity).",
        Inputs =
        [
            new InputDescriptor { Name = "code", DisplayName = "Code", TypeName = "String" },
            new InputDescriptor { Name = "category", DisplayName = "Category", TypeName = "String" },
            new InputDescriptor { Name = "faultType", DisplayName = "Type", TypeName = "String" },
            new InputDescriptor { Name = "message", DisplayName = "Message", TypeName = "String", UiHint = "multiline" },
        ],
    };

    public ActivityResult Execute(ActivityContext context) =>
        throw new WorkflowFaultException(
            NonEmpty(context.GetString("code")) ?? "0",
            NonEmpty(context.GetString("category")) ?? "General",
            NonEmpty(context.GetString("faultType")) ?? "System",
            NonEmpty(context.GetString("message")));

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

/// <summary><c>Elsa.SetName</c>: names the workflow instance.</summary>
public sealed class SetNameActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.SetName", DisplayName = "Set name", Category = "Primitives", Icon = "Label",
        Description = "Sets the name of the workflow instance.",
        Inputs = [new InputDescriptor { Name = "value", DisplayName = "Name", TypeName = "String" }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var name = context.GetString("value");
        context.SetInstanceName(name);
        context.Trace("instance-named", new JsonObject { ["name"] = name });
        return ActivityResult.Done();
    }
}

/// <summary><c>Elsa.SetOutput</c>: sets one of the workflow's outputs (what a parent that ran it as a child receives).</summary>
public sealed class SetOutputActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.SetOutput", DisplayName = "Set output", Category = "Composition", Icon = "Output",
        Description = "Sets an output of the workflow.",
        Inputs =
        [
            new InputDescriptor { Name = "outputName", DisplayName = "Output", TypeName = "String", Required = true },
            new InputDescriptor { Name = "outputValue", DisplayName = "Value", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var name = context.GetString("outputName");
        if (string.IsNullOrWhiteSpace(name)) throw new InvalidOperationException("SetOutput names no output.");
        context.SetWorkflowOutput(name, context.Evaluate("outputValue"));
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var outputs = context.Definition.Extra?["outputs"] as JsonArray;
        var name = node.GetInput("outputName") is { Type: Expression.Literal } e ? ValueConverter.ToText(e.Value) : null;
        if (name is null || outputs is null || outputs.Count == 0) yield break;
        if (!outputs.Any(o => string.Equals(ValueConverter.ToText(o?["name"]), name, StringComparison.Ordinal)))
            yield return $"output '{name}' is not declared in the workflow's outputs";
    }
}

/// <summary>
/// <c>Elsa.RunJavaScript</c>: runs <c>script</c> in our Jint sandbox (the same limits as every script). Its value is the
/// activity's result; <c>setOutcome(name)</c> / <c>setOutcomes([…])</c> choose the ports (else Done).
/// </summary>
public sealed class RunJavaScriptActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.RunJavaScript", DisplayName = "Run JavaScript", Category = "Scripting", Icon = "Code",
        Description = "Runs a script in the sandbox (time, memory and statement limits, no CLR). setOutcome('X') picks the port.",
        DynamicPortsInput = "possibleOutcomes",
        Inputs =
        [
            new InputDescriptor { Name = "script", DisplayName = "Script", TypeName = "String", UiHint = "code" },
            new InputDescriptor { Name = "possibleOutcomes", DisplayName = "Possible outcomes", TypeName = "String[]", UiHint = "outcomes" },
        ],
    };

    public IReadOnlyList<string> GetPorts(ActivityNode node)
    {
        var ports = new List<string> { "Done" };
        if (node.GetInput("possibleOutcomes") is { Type: Expression.Literal or Expression.Object } e)
            foreach (var p in ValueConverter.ToStringList(e.Value))
                if (!ports.Contains(p)) ports.Add(p);
        return ports;
    }

    public ActivityResult Execute(ActivityContext context)
    {
        var script = ScriptText(context);
        if (string.IsNullOrWhiteSpace(script)) return ActivityResult.Done();
        var result = context.Evaluate(Expression.OfJavaScript(script));
        if (result is not null)
        {
            context.SetOutput(result);
            context.SetNamedOutput("result", result);
        }
        return context.ScriptOutcomes is { Count: > 0 } outcomes ? ActivityResult.Outcomes(outcomes) : ActivityResult.Done();
    }

    /// <summary>The script: a literal's text as is (Elsa stores it so), else what the expression gives.</summary>
    private static string? ScriptText(ActivityContext context)
    {
        var expression = context.Node.GetInput("script");
        if (expression is null) return null;
        return expression.Type is Expression.Literal or Expression.JavaScript ? expression.Text : context.GetString("script");
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var expression = node.GetInput("script");
        if (expression is { Type: Expression.Literal } && expression.Text is { Length: > 0 } text &&
            context.CheckSyntax(Expression.OfJavaScript(text)) is { } error)
            yield return $"script: {error}";
    }
}
