using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Composite;

/// <summary>
/// Starts another workflow as a child instance (its own state and journal, linked to this one) through the outbox,
/// and, when asked to, waits for it: the child's end is an event committed with the child's last step, which resumes
/// this activity's bookmark exactly once. The result is Elsa's ExecuteWorkflowResult ({workflowInstanceId, status, output}).
/// </summary>
internal static class ChildStarter
{
    public static ActivityResult Start(ActivityContext context, string definitionId, JsonObject? input, string? correlationId, bool wait)
    {
        var childId = context.NewId();
        context.AddEffect(new PublishEventEffect(ChildWorkflows.StartEventName, null,
            ChildWorkflows.StartRequest(definitionId, childId, input, correlationId, context.InstanceId, context.Node.Id, wait)));
        context.Trace("child-started", new JsonObject { ["definitionId"] = definitionId, ["childInstanceId"] = childId, ["wait"] = wait });
        if (!wait)
        {
            context.SetOutput(JsonValue.Create(childId));
            return ActivityResult.Done();
        }
        var eventName = ChildWorkflows.FinishedEventName(childId);
        return ActivityResult.Wait(context.CreateBookmark(StimulusNames.Event, eventName,
            payload: new JsonObject { ["eventName"] = eventName, ["childInstanceId"] = childId, ["definitionId"] = definitionId }));
    }

    /// <summary>The child finished: its result becomes this activity's output; a child that could not start faults this activity.</summary>
    public static JsonObject Finished(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        var result = input as JsonObject ?? new JsonObject { ["workflowInstanceId"] = bookmark.Payload?["childInstanceId"]?.DeepClone() };
        if (ValueConverter.ToText(result["status"]) == "NotFound")
            throw new InvalidOperationException(ValueConverter.ToText(result["message"]) ?? $"Workflow '{ValueConverter.ToText(bookmark.Payload?["definitionId"])}' could not be started.");
        context.SetOutput(result.DeepClone());
        context.SetNamedOutput("result", result.DeepClone());
        return result;
    }

    public static JsonObject? Input(ActivityContext context, string name) => context.Evaluate(name) switch
    {
        JsonObject o => o,
        JsonValue v when v.TryGetValue<string>(out var text) && text.TrimStart().StartsWith('{') => JsonNode.Parse(text) as JsonObject,
        null => null,
        var other => throw new InvalidOperationException($"'{name}' must be an object, not {other.ToJsonString()}."),
    };
}

/// <summary>
/// <c>Elsa.ExecuteWorkflow</c> and <c>Elsa.DispatchWorkflow</c>: the same inputs and behaviour (start a published
/// workflow as a child; with <c>waitForCompletion</c> wait for it and take its result); Elsa keeps both names, so do we.
/// </summary>
public abstract class ChildWorkflowActivity : IActivity
{
    protected ChildWorkflowActivity(string type, string displayName, string icon, string description) =>
        Descriptor = new()
        {
            Type = type, DisplayName = displayName, Category = "Composition", Icon = icon, Description = description,
            IsWaiting = true,
            Inputs =
            [
                new InputDescriptor { Name = "workflowDefinitionId", DisplayName = "Workflow", TypeName = "String", Required = true },
                new InputDescriptor { Name = "input", DisplayName = "Input", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript },
                new InputDescriptor { Name = "correlationId", DisplayName = "Correlation id", TypeName = "String" },
                new InputDescriptor { Name = "waitForCompletion", DisplayName = "Wait for completion", TypeName = "Boolean", UiHint = "checkbox", DefaultValue = false },
            ],
        };

    public ActivityDescriptor Descriptor { get; }

    public ActivityResult Execute(ActivityContext context)
    {
        var definitionId = context.GetString("workflowDefinitionId");
        if (string.IsNullOrWhiteSpace(definitionId)) throw new InvalidOperationException($"{Descriptor.DisplayName} names no workflow.");
        return ChildStarter.Start(context, definitionId, ChildStarter.Input(context, "input"), context.GetString("correlationId"), context.GetBool("waitForCompletion"));
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        ChildStarter.Finished(context, bookmark, input);
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) => WorkflowReference.Check(node, context);
}

/// <summary><c>Elsa.ExecuteWorkflow</c>: starts a published workflow as a child; with <c>waitForCompletion</c> waits for it and takes its result.</summary>
public sealed class ExecuteWorkflowActivity() : ChildWorkflowActivity("Elsa.ExecuteWorkflow", "Execute workflow", "AccountTree",
    "Starts a published workflow as a child instance; with 'wait for completion' this activity waits for it and its result is the child's output.");

/// <summary><c>Elsa.DispatchWorkflow</c>: starts a published workflow as a child, fire and forget (unless <c>waitForCompletion</c>).</summary>
public sealed class DispatchWorkflowActivity() : ChildWorkflowActivity("Elsa.DispatchWorkflow", "Dispatch workflow", "Send",
    "Starts a published workflow as a child instance and goes on at once (or waits, with 'wait for completion').");

/// <summary>
/// A published workflow with <c>options.usableAsActivity</c>, as an activity type named Elsa's way (the name in
/// PascalCase, letters and digits only). Its inputs are the activity's inputs, its outputs the activity's outputs,
/// its outcomes (a <c>Complete</c> at its top level) the activity's ports. It runs as a child instance that this
/// activity waits for.
/// </summary>
public sealed class WorkflowDefinitionActivity : IActivity
{
    private readonly string _definitionId;

    public WorkflowDefinitionActivity(WorkflowDefinition definition)
    {
        _definitionId = definition.DefinitionId;
        var outcomes = definition.Extra?["outcomes"] is JsonArray o ? o.Select(x => ValueConverter.ToText(x) ?? "").Where(x => x.Length > 0).ToList() : [];
        Descriptor = new ActivityDescriptor
        {
            Type = TypeName(definition.Name ?? definition.DefinitionId),
            DisplayName = definition.Name ?? definition.DefinitionId,
            Category = "Workflows",
            Icon = "AccountTree",
            Description = definition.Description ?? $"Runs the workflow '{definition.Name}' and waits for it.",
            IsWaiting = true,
            Ports = ["Done", .. outcomes.Where(x => x != "Done")],
            Inputs = [.. definition.Inputs.Select(i => new InputDescriptor { Name = i.Name, DisplayName = i.DisplayName ?? i.Name, TypeName = i.Type ?? "Object", Description = i.Description })],
        };
    }

    public ActivityDescriptor Descriptor { get; }

    public string DefinitionId => _definitionId;

    public static bool IsUsableAsActivity(WorkflowDefinition definition) =>
        definition.Extra?["options"]?["usableAsActivity"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>Elsa's naming: the name in PascalCase, letters and digits only ("Subworkflow test" → SubworkflowTest, "CacheInvalidation_Child" → CacheInvalidationChild).</summary>
    public static string TypeName(string name)
    {
        var result = new StringBuilder();
        var upper = true;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                upper = true;
                continue;
            }
            result.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return result.ToString();
    }

    public ActivityResult Execute(ActivityContext context)
    {
        var input = new JsonObject();
        foreach (var descriptor in Descriptor.Inputs)
            if (context.Node.GetInputRaw(descriptor.Name) is not null)
                input[descriptor.Name] = context.Evaluate(descriptor.Name);
        return ChildStarter.Start(context, _definitionId, input, context.CorrelationId, wait: true);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        var result = ChildStarter.Finished(context, bookmark, input);
        if (result["output"] is JsonObject outputs)
            foreach (var (name, value) in outputs)
                if (name != "outcomes") context.SetNamedOutput(name, value);
        var outcomes = result["output"]?["outcomes"] is JsonArray o ? o.Select(x => ValueConverter.ToText(x) ?? "").Where(x => x.Length > 0).ToList() : [];
        return outcomes.Count > 0 ? ActivityResult.Outcomes(outcomes) : ActivityResult.Done();
    }
}

internal static class WorkflowReference
{
    /// <summary>A literal workflow id that the validator's registry knows nothing of is still allowed (it may be published later); a missing one is not.</summary>
    public static IEnumerable<string> Check(ActivityNode node, ValidationContext context)
    {
        var id = node.GetInput("workflowDefinitionId");
        if (id is { Type: Expression.Literal } && string.IsNullOrWhiteSpace(ValueConverter.ToText(id.Value)))
            yield return "no workflow is chosen";
    }
}
