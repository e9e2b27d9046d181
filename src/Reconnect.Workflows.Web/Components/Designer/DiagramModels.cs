using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>
/// A canvas node for one activity. It holds the activity itself (a copy owned by the designer), so the property panel
/// edits the node's JSON in place and only this node re-renders; the workflow is rebuilt from the nodes when saved.
/// </summary>
public sealed class ActivityNodeModel : NodeModel
{
    public ActivityNodeModel(ActivityNode activity, ActivityDescriptor? descriptor, Point position) : base(activity.Id, position)
    {
        Activity = activity;
        Descriptor = descriptor;
        Title = activity.Label;
    }

    public ActivityNode Activity { get; }

    /// <summary>Null for a type this server does not know (kept, shown, and reported by validation).</summary>
    public ActivityDescriptor? Descriptor { get; }

    public InPortModel? In => Ports.OfType<InPortModel>().FirstOrDefault();

    public IEnumerable<OutcomePortModel> Outcomes => Ports.OfType<OutcomePortModel>();

    public OutcomePortModel? FindOutcome(string outcome) => Outcomes.FirstOrDefault(p => p.Outcome == outcome);

    /// <summary>The label shown on the node (and read by screen readers): the name, else the id.</summary>
    public string Label => Activity.Label;

    public string TypeLabel => Descriptor?.DisplayName ?? Activity.Type;
}

/// <summary>The one inbound port of an activity (Elsa's <c>In</c>): links end here.</summary>
public sealed class InPortModel(ActivityNodeModel parent, string portName = "In")
    : PortModel($"{parent.Id}::in::{portName}", parent, PortAlignment.Left)
{
    public string PortName { get; } = portName;

    // Links go from an outcome to an inbound port, never the other way.
    public override bool CanAttachTo(ILinkable other) => false;
}

/// <summary>An outbound port: one per outcome of the activity (Done, True/False, the task's outcomes, …).</summary>
public sealed class OutcomePortModel(ActivityNodeModel parent, string outcome, bool known = true)
    : PortModel($"{parent.Id}::out::{outcome}", parent, PortAlignment.Right)
{
    public string Outcome { get; } = outcome;

    /// <summary>False for a port a connection names but the activity does not offer (kept so nothing is lost; validation reports it).</summary>
    public bool Known { get; } = known;

    public override bool CanAttachTo(ILinkable other) => other is InPortModel;
}

/// <summary>A connection on the canvas; remembers the connection it was loaded from so its unknown fields survive a save.</summary>
public sealed class ConnectionLinkModel : LinkModel
{
    public ConnectionLinkModel(PortModel source, PortModel target, Connection? original = null) : base(source, target)
    {
        Original = original;
        TargetMarker = LinkMarker.Arrow;
    }

    public ConnectionLinkModel(Blazor.Diagrams.Core.Anchors.Anchor source, Blazor.Diagrams.Core.Anchors.Anchor target) : base(source, target)
    {
        TargetMarker = LinkMarker.Arrow;
    }

    public Connection? Original { get; }
}
