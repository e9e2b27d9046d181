using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>What an expression can see: the instance's variables and input, a few facts about it, and the step's clock.</summary>
public interface IExpressionContext
{
    IEnumerable<string> VariableNames { get; }
    bool TryGetVariable(string name, out JsonNode? value);
    void SetVariable(string name, JsonNode? value);
    JsonObject Input { get; }
    string InstanceId { get; }
    string? CorrelationId { get; }
    DateTimeOffset Now { get; }
    JsonNode? LastResult { get; }
    JsonNode? GetOutput(string activityIdOrName);

    /// <summary>A script chose the activity's outcomes (<c>setOutcome</c>, <c>setOutcomes</c>); only RunJavaScript listens.</summary>
    void SetOutcomes(IReadOnlyList<string> outcomes) { }
}

/// <summary>An expression that could not be parsed or evaluated; the runner turns it into an incident on the activity.</summary>
public sealed class ExpressionException(string message, Exception? inner = null) : Exception(message, inner);
