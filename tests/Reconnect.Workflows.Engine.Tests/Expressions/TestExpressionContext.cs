using Reconnect.Workflows.Engine.Expressions;

namespace Reconnect.Workflows.Engine.Tests.Expressions;

/// <summary>An expression context with variables in a dictionary, for evaluating expressions without a workflow.</summary>
internal sealed class TestExpressionContext : IExpressionContext
{
    public Dictionary<string, JsonNode?> Variables { get; } = new();
    public IEnumerable<string> VariableNames => Variables.Keys;
    public bool TryGetVariable(string name, out JsonNode? value) => Variables.TryGetValue(name, out value);
    public void SetVariable(string name, JsonNode? value) => Variables[name] = value;
    public JsonObject Input { get; init; } = [];
    public string InstanceId => "i-1";
    public string? CorrelationId => "c-1";
    public DateTimeOffset Now { get; init; } = new(2027, 3, 28, 12, 0, 0, TimeSpan.Zero); // the day BST starts
    public JsonNode? LastResult => null;
    public JsonNode? GetOutput(string activityIdOrName) => null;
}
