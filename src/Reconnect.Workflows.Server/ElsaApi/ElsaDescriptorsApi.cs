using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Engine.Activities;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// The descriptor lists Studio reads before it draws the designer (<c>/elsa/api/descriptors/…</c>, <c>/features/installed</c>),
/// all under <see cref="Policies.ReadWorkflows"/>. Only activities come from the engine; the rest say what our engine does
/// (one way to store variables, every activity logged, a fault ends the run as faulted).
/// </summary>
public static class ElsaDescriptorsApi
{
    public static RouteGroupBuilder MapElsaDescriptors(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(Policies.ReadWorkflows);
        read.MapGet("/descriptors/activities", (ActivityRegistry registry) =>
        {
            var items = registry.Descriptors.Select(ElsaActivityMapping.ToElsa).ToList();
            return TypedResults.Ok(new ElsaList<ElsaActivityDescriptor>(items, items.Count));
        });
        read.MapGet("/descriptors/expression-descriptors", () => List(Expressions));
        read.MapGet("/descriptors/variables", () => TypedResults.Ok(new ElsaItems<ElsaVariableType>(VariableTypes)));
        read.MapGet("/descriptors/storage-drivers", () => TypedResults.Ok(new ElsaItems<ElsaStorageDriver>(StorageDrivers)));
        read.MapGet("/descriptors/output-converters", () => TypedResults.Ok(new ElsaItems<ElsaStrategy>([])));
        read.MapGet("/descriptors/workflow-activation-strategies", () => List(ActivationStrategies));
        read.MapGet("/descriptors/log-persistence-strategies", () => List(LogPersistenceStrategies));
        read.MapGet("/descriptors/incident-strategies", () => List(IncidentStrategies));
        read.MapGet("/descriptors/commit-strategies/workflows", () => List<ElsaCommitStrategy>([]));
        read.MapGet("/descriptors/commit-strategies/activities", () => List<ElsaCommitStrategy>([]));
        read.MapGet("/features/installed", () => List(Features));
        return api;
    }

    private static Ok<ElsaList<T>> List<T>(IReadOnlyList<T> items) => TypedResults.Ok(new ElsaList<T>(items, items.Count));

    /// <summary>Our expression languages (Engine/Expressions), with the editor language Studio's Monaco uses.</summary>
    public static readonly IReadOnlyList<ElsaExpressionDescriptor> Expressions =
    [
        new("Literal", "Literal", true, true, new Dictionary<string, string>()),
        new("Object", "Object", true, false, new Dictionary<string, string> { ["MonacoLanguage"] = "json" }),
        new("JavaScript", "JavaScript", true, true, new Dictionary<string, string> { ["MonacoLanguage"] = "javascript" }),
        new("Liquid", "Liquid", true, true, new Dictionary<string, string> { ["MonacoLanguage"] = "liquid" }),
        new("Variable", "Variable", true, false, new Dictionary<string, string>()),
    ];

    /// <summary>The value types our variables and inputs take (Engine/Activities/ValueConverter).</summary>
    public static readonly IReadOnlyList<ElsaVariableType> VariableTypes =
    [
        new("Object", "Object", "Primitives", "Any JSON value."),
        new("String", "String", "Primitives", null),
        new("Boolean", "Boolean", "Primitives", null),
        new("Int32", "Int32", "Primitives", null),
        new("Int64", "Int64", "Primitives", null),
        new("Double", "Double", "Primitives", null),
        new("Decimal", "Decimal", "Primitives", null),
        new("DateTimeOffset", "DateTimeOffset", "Date and time", null),
        new("DateOnly", "DateOnly", "Date and time", null),
        new("TimeSpan", "TimeSpan", "Date and time", null),
        new("String[]", "String[]", "Lists", null),
        new("JsonObject", "JsonObject", "Dynamic", null),
    ];

    /// <summary>Variables live in the instance's state row, whatever the definition asks.</summary>
    public static readonly IReadOnlyList<ElsaStorageDriver> StorageDrivers =
        [new("WorkflowInstance", "Workflow instance", 0, false)];

    public static readonly IReadOnlyList<ElsaStrategy> ActivationStrategies =
        [new("AllowAlways", "Allow always", "Any number of instances may run at once (Reconnect's engine has no other strategy).")];

    public static readonly IReadOnlyList<ElsaStrategy> LogPersistenceStrategies =
        [new("Include", "Include", "Every step is written to the instance's journal.")];

    public static readonly IReadOnlyList<ElsaStrategy> IncidentStrategies =
        [new("FaultStrategy", "Fault", "A fault stops the instance as Faulted; it can be retried from the faulting activity.")];

    /// <summary>No <c>Elsa.RealTimeWorkflowUpdates</c>: Studio polls instead of opening a SignalR hub we do not have.</summary>
    public static readonly IReadOnlyList<ElsaFeature> Features =
    [
        new("WorkflowManagement", "Elsa", "Elsa.WorkflowManagement", "Workflow management", "Workflow definitions and instances (Reconnect's engine)."),
        new("JavaScript", "Elsa", "Elsa.JavaScript", "JavaScript", "JavaScript expressions."),
        new("Liquid", "Elsa", "Elsa.Liquid", "Liquid", "Liquid expressions."),
    ];
}
