using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Validation;

/// <summary>What activity-specific rules can look at.</summary>
public sealed class ValidationContext(WorkflowDefinition definition, ActivityRegistry registry, ExpressionEvaluator evaluator)
{
    public WorkflowDefinition Definition { get; } = definition;
    public ActivityRegistry Registry { get; } = registry;

    /// <summary>Null when the expression parses, else why not.</summary>
    public string? CheckSyntax(Expression expression) => evaluator.CheckSyntax(expression);
}
