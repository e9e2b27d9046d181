using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>Copied activities and the connections between them; each paste lands a further step down and right.</summary>
public sealed class DesignerClipboard(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections)
{
    public IReadOnlyList<ActivityNode> Activities { get; } = activities;
    public IReadOnlyList<Connection> Connections { get; } = connections;
    public int Pastes { get; set; }
}
