using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// Our activity descriptors as Elsa's. Every type is version 1 (what our definitions carry). An activity whose outcomes
/// come from an input (task outcomes, fork branches, switch cases, status codes) gets no fixed ports: Studio draws them
/// from that input (by its UI hint) and adds "Done" itself — fixed ports as well would duplicate names and blank the canvas.
/// </summary>
public static class ElsaActivityMapping
{
    /// <summary>Activities that hold others (Studio draws them as containers).</summary>
    private static readonly HashSet<string> Containers = new(StringComparer.Ordinal)
    {
        ActivityNode.FlowchartType, "Elsa.Sequence", "Elsa.ForEach", "Elsa.ParallelForEach", "Elsa.If", "Elsa.While", "Elsa.For",
    };

    public static ElsaActivityDescriptor ToElsa(ActivityDescriptor d)
    {
        var dot = d.Type.LastIndexOf('.');
        var ns = dot > 0 ? d.Type[..dot] : "";
        var name = dot > 0 ? d.Type[(dot + 1)..] : d.Type;
        var inputs = d.Inputs.Select((input, i) => ToElsa(d, input, i)).ToList();
        IReadOnlyList<ElsaPort> ports = d.DynamicPortsInput is not null
            ? []
            : d.Ports.Select(p => new ElsaPort(p, p, "Flow", true)).ToList();
        return new ElsaActivityDescriptor(
            d.Type, ns, name, 1, d.Category, d.DisplayName, d.Description, inputs, [],
            d.IsTrigger ? "Trigger" : "Action", ports,
            new JsonObject { ["icon"] = d.Icon, ["isWaiting"] = d.IsWaiting },
            new JsonObject(),
            Containers.Contains(d.Type), d.Type != ActivityNode.FlowchartType, d.Type == "Elsa.Start", d.IsTerminal);
    }

    private static ElsaInputDescriptor ToElsa(ActivityDescriptor activity, InputDescriptor input, int order)
    {
        var hint = UiHint(activity, input);
        JsonObject? specifications = null;
        if (hint == "dropdown" && input.Options is { Count: > 0 } options)
            specifications = new JsonObject
            {
                ["dropdown"] = new JsonObject
                {
                    ["selectList"] = new JsonObject
                    {
                        ["items"] = new JsonArray([.. options.Select(o => (JsonNode)new JsonObject { ["text"] = o, ["value"] = o })]),
                        ["isFlagsEnum"] = false,
                    },
                },
            };
        return new ElsaInputDescriptor(
            input.Name, input.TypeName, input.DisplayName ?? input.Name, input.Description, order, IsBrowsable: true, IsSynthetic: false,
            IsWrapped: !input.Raw, hint, Category: null, input.DefaultValue?.DeepClone(), input.DefaultSyntax, IsReadOnly: false, IsSensitive: false,
            specifications);
    }

    /// <summary>Our editor hints → Studio's (an unknown hint would show Studio's "unsupported" field).</summary>
    public static string UiHint(ActivityDescriptor activity, InputDescriptor input)
    {
        if (activity.DynamicPortsInput == input.Name)
            return activity.Type switch
            {
                "Elsa.FlowSwitch" => "flow-switch-editor",
                "Elsa.SendHttpRequest" or "Elsa.FlowSendHttpRequest" => "http-status-codes",
                _ => "dynamic-outcomes",
            };
        return input.UiHint switch
        {
            "singleline" or "number" or "duration" or "code" => "singleline",
            "multiline" => "multiline",
            "checkbox" => "checkbox",
            "date" => "datetime-picker",
            "dropdown" => input.Options is { Count: > 0 } ? "dropdown" : "singleline",
            "outcomes" => "dynamic-outcomes",
            "cases" => activity.Type == "Elsa.FlowSwitch" ? "flow-switch-editor" : "switch-editor",
            "variable-picker" => "variable-picker",
            _ => "singleline",
        };
    }
}
