using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Activities;

/// <summary>What the designer and the validator know about an activity type.</summary>
public sealed record ActivityDescriptor
{
    public required string Type { get; init; }
    public required string DisplayName { get; init; }
    public required string Category { get; init; }
    public string Description { get; init; } = "";
    /// <summary>A Material icon name, for the designer's palette.</summary>
    public string Icon { get; init; } = "Bolt";
    public IReadOnlyList<InputDescriptor> Inputs { get; init; } = [];
    /// <summary>Static outbound ports. Activities with ports from their inputs (fork branches, switch cases, task outcomes) say so in <see cref="DynamicPortsInput"/>.</summary>
    public IReadOnlyList<string> Ports { get; init; } = ["Done"];
    public string? DynamicPortsInput { get; init; }
    /// <summary>The activity waits on a bookmark (timer, event, task): a loop through it is not a busy loop.</summary>
    public bool IsWaiting { get; init; }
    /// <summary>The activity can start a workflow by itself (cron, timer, event).</summary>
    public bool IsTrigger { get; init; }
    /// <summary>Ends the flowchart: no outbound port needed.</summary>
    public bool IsTerminal { get; init; }
}

/// <summary>One input of an activity type.</summary>
public sealed record InputDescriptor
{
    public required string Name { get; init; }
    public string? DisplayName { get; init; }
    /// <summary>Elsa type name: String, Boolean, Int32, Double, TimeSpan, DateTimeOffset, String[], Object, Outcomes, Cases, Variable, ….</summary>
    public string TypeName { get; init; } = "String";
    public bool Required { get; init; }
    public JsonNode? DefaultValue { get; init; }
    /// <summary>Editor hint for the designer: singleline, multiline, number, checkbox, duration, date, dropdown, outcomes, cases, variable-picker, code.</summary>
    public string UiHint { get; init; } = "singleline";
    public string DefaultSyntax { get; init; } = Model.Expression.Literal;
    public IReadOnlyList<string>? Options { get; init; }
    public string? Description { get; init; }
    /// <summary>Stored unwrapped (Elsa writes <c>cases</c> and <c>variable</c> as plain JSON, not as <c>{typeName, expression}</c>).</summary>
    public bool Raw { get; init; }
}
