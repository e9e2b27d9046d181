using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;

namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>The designer's diagram: our node widget, links only from an outcome to an inbound port, arrows, zoom.</summary>
public static class DiagramFactory
{
    public static BlazorDiagram Create()
    {
        var options = new BlazorDiagramOptions
        {
            AllowMultiSelection = true,
            GridSize = null,
        };
        options.Zoom.Enabled = true;
        options.Zoom.Minimum = 0.08;
        options.Zoom.Maximum = 2;
        options.Links.DefaultRouter = new NormalRouter();
        options.Links.DefaultPathGenerator = new SmoothPathGenerator();
        options.Links.EnableSnapping = true;
        options.Links.SnappingRadius = 24;
        options.Links.RequireTarget = true;
        options.Links.DefaultColor = "#546e7a";
        options.Links.DefaultSelectedColor = "#1565c0";
        // A drag that starts on an inbound port makes no link: connections run from an outcome to an inbound port.
        options.Links.Factory = (_, source, target) => source is OutcomePortModel port ? new ConnectionLinkModel(new SinglePortAnchor(port), target) : null!;

        var diagram = new BlazorDiagram(options);
        diagram.RegisterComponent<ActivityNodeModel, ActivityNodeWidget>();
        return diagram;
    }
}
