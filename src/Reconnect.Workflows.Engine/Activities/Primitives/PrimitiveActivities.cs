using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Primitives;

/// <summary><c>Elsa.SetVariable</c>: <c>variable {id, name}</c> and <c>value</c>.</summary>
public sealed class SetVariableActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.SetVariable", DisplayName = "Set variable", Category = "Primitives", Icon = "Edit",
        Description = "Sets a workflow variable to the value of an expression.",
        Inputs =
        [
            new InputDescriptor { Name = "variable", DisplayName = "Variable", TypeName = "Variable", UiHint = "variable-picker", Raw = true, Required = true },
            new InputDescriptor { Name = "value", DisplayName = "Value", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var name = VariableName(context.Node, context.Definition)
            ?? throw new InvalidOperationException("SetVariable names no variable.");
        context.SetVariable(name, context.Evaluate("value"));
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var name = VariableName(node, context.Definition);
        if (name is null) yield return "no variable is chosen";
        else if (context.Definition.Variables.All(v => v.Name != name)) yield return $"variable '{name}' is not declared";
    }

    internal static string? VariableName(ActivityNode node, WorkflowDefinition definition)
    {
        var raw = node.GetInputRaw("variable");
        if (raw is JsonObject o && o.ContainsKey("expression")) raw = Expression.FromInput(o)?.Value;
        switch (raw)
        {
            case JsonObject v:
                var name = ValueConverter.ToText(v["name"]);
                var id = ValueConverter.ToText(v["id"]);
                if (!string.IsNullOrEmpty(name)) return name;
                return definition.Variables.FirstOrDefault(x => x.Id == id)?.Name;
            case JsonValue s when s.TryGetValue<string>(out var text):
                return definition.Variables.FirstOrDefault(x => x.Id == text)?.Name ?? text;
            default:
                return null;
        }
    }
}

/// <summary><c>Elsa.WriteLine</c>: a line in the journal (and on the simulate output).</summary>
public sealed class WriteLineActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.WriteLine", DisplayName = "Write line", Category = "Primitives", Icon = "Notes",
        Description = "Writes a line of text to the instance's journal.",
        Inputs = [new InputDescriptor { Name = "text", DisplayName = "Text", TypeName = "String", UiHint = "multiline" }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        context.Log(context.GetString("text") ?? "");
        return ActivityResult.Done();
    }
}

/// <summary><c>Elsa.Correlate</c>: sets the instance's correlation id.</summary>
public sealed class CorrelateActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Correlate", DisplayName = "Correlate", Category = "Primitives", Icon = "Link",
        Description = "Sets the correlation id that events use to find this instance.",
        Inputs = [new InputDescriptor { Name = "correlationId", DisplayName = "Correlation id", TypeName = "String", Required = true }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        context.CorrelationId = context.GetString("correlationId");
        return ActivityResult.Done();
    }
}

/// <summary><c>Elsa.PublishEvent</c>: an event into the outbox, delivered after the commit (never inline: Elsa #5466).</summary>
public sealed class PublishEventActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.PublishEvent", DisplayName = "Publish event", Category = "Events", Icon = "Campaign",
        Description = "Publishes an event; instances waiting on it (with a matching correlation id) resume after this step commits.",
        Inputs =
        [
            new InputDescriptor { Name = "eventName", DisplayName = "Event name", TypeName = "String", Required = true },
            new InputDescriptor { Name = "correlationId", DisplayName = "Correlation id", TypeName = "String" },
            new InputDescriptor { Name = "isLocal", DisplayName = "Only this instance", TypeName = "Boolean", UiHint = "checkbox", DefaultValue = false },
            new InputDescriptor { Name = "payload", DisplayName = "Payload", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var name = context.GetString("eventName");
        if (string.IsNullOrWhiteSpace(name)) throw new InvalidOperationException("PublishEvent has no event name.");
        var correlationId = context.GetString("correlationId");
        if (string.IsNullOrEmpty(correlationId) && context.GetBool("isLocal")) correlationId = context.CorrelationId ?? context.InstanceId;
        context.AddEffect(new PublishEventEffect(name, string.IsNullOrEmpty(correlationId) ? null : correlationId, context.Evaluate("payload")));
        context.Trace("event-published", new JsonObject { ["name"] = name, ["correlationId"] = correlationId });
        return ActivityResult.Done();
    }
}

/// <summary><c>Elsa.Event</c>: waits for a named event (matched by name and the instance's correlation id).</summary>
public sealed class EventActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Event", DisplayName = "Event", Category = "Events", Icon = "NotificationsActive",
        Description = "Waits until an event with this name arrives for the instance's correlation id.",
        IsWaiting = true, IsTrigger = true,
        Inputs = [new InputDescriptor { Name = "eventName", DisplayName = "Event name", TypeName = "String", Required = true }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        if (context.IsTriggerOfWorkflow)
        {
            context.SetOutput(context.Input.DeepClone());
            return ActivityResult.Done();
        }
        var name = context.GetString("eventName");
        if (string.IsNullOrWhiteSpace(name)) throw new InvalidOperationException("Event has no event name.");
        return ActivityResult.Wait(context.CreateBookmark(StimulusNames.Event, name, payload: new JsonObject { ["eventName"] = name }));
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        context.SetOutput(input?.DeepClone());
        return ActivityResult.Done();
    }
}
