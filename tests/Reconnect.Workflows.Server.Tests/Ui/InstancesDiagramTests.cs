using System.Globalization;
using Bunit;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Web.Components.Diagram;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The read-only instance diagram: every activity drawn, where it waits marked in colour and words, auto-layout.</summary>
public class InstancesDiagramTests : MudTestContext
{
    private static WorkflowDefinition Pathway() =>
        WorkflowJson.ParseFile(Path.Combine(ReconnectApp.RepositoryWorkflows, "reconnect-referral-pathway.json"));

    private static IReadOnlyDictionary<string, string> TypeNames() =>
        Reconnect.Workflows.Referrals.Activities.ReferralActivities.CreateRegistry().Descriptors.ToDictionary(d => d.Type, d => d.DisplayName);

    /// <summary>start → a → decide → (True) yes, (False) no → back to a: a loop, a branch, and no designer positions.</summary>
    private static WorkflowDefinition Unplaced()
    {
        var definition = new WorkflowDefinition { DefinitionId = "unplaced", Name = "Unplaced" };
        definition.Root.Activities!.AddRange(
        [
            new ActivityNode { Id = "start", Type = "Elsa.Start", Name = "Start" },
            new ActivityNode { Id = "a", Type = "Elsa.WriteLine", Name = "Say hello" },
            new ActivityNode { Id = "decide", Type = "Elsa.FlowDecision", Name = "Again?" },
            new ActivityNode { Id = "yes", Type = "Elsa.Event", Name = "Wait for the go-ahead" },
            new ActivityNode { Id = "no", Type = "Elsa.Finish", Name = "Finish" },
        ]);
        definition.Root.Connections!.AddRange(
        [
            new Connection("start", "Done", "a"),
            new Connection("a", "Done", "decide"),
            new Connection("decide", "True", "yes"),
            new Connection("decide", "False", "no"),
            new Connection("yes", "Done", "a"),
        ]);
        return definition;
    }

    private static double Attr(AngleSharp.Dom.IElement element, string name) =>
        double.Parse(element.GetAttribute(name)!, CultureInfo.InvariantCulture);

    [Fact]
    public void Pathway_EveryActivityAndConnectionIsDrawn_AtItsDesignerPosition()
    {
        var pathway = Pathway();
        Assert.Equal(78, pathway.Activities.Count);
        var cut = Render<WorkflowDiagramView>(p => p.Add(d => d.Definition, pathway).Add(d => d.TypeNames, TypeNames()));

        var svg = cut.Find("svg[role=img]");
        Assert.Equal("false", svg.GetAttribute("data-auto-layout"));
        var drawn = cut.FindAll("g.diagram-node").Select(g => g.GetAttribute("data-activity-id")).ToList();
        Assert.Equal(pathway.Activities.Select(a => a.Id).Order(), drawn.Order());
        Assert.Equal(pathway.Connections.Count, cut.FindAll("path.diagram-edge").Count);
        // Labelled with the name and the type's display name.
        var firstContact = cut.Find("g.diagram-node[data-activity-id=firstContact]");
        Assert.Contains("First contact", firstContact.TextContent);
        Assert.Contains(TypeNames()["Reconnect.NavigatorTask"], firstContact.TextContent);
        // Its title and description are what assistive technology reads for the image.
        var labelled = svg.GetAttribute("aria-labelledby")!.Split(' ');
        Assert.Contains("Flowchart of", cut.Find("#" + labelled[0]).TextContent);
        Assert.Contains("78 activities and 100 connections", cut.Find("#" + labelled[1]).TextContent);

        // Designer positions keep their order: start is left of setSite, the event listeners sit below the main line.
        var layout = DiagramLayout.For(pathway);
        var byId = layout.Nodes.ToDictionary(n => n.Id);
        Assert.True(byId["start"].X < byId["setSite"].X);
        Assert.True(byId["onConsentWithdrawn"].Y > byId["firstContact"].Y);
        AssertNoOverlaps(layout);
    }

    [Fact]
    public void Waiting_IsHighlightedInWordsAndColour_AndListed()
    {
        var pathway = Pathway();
        string[] ran = ["start", "setSite", "setReferralDate", "setReleaseDate", "setSupportUntil", "assign", "stageTriage", "fork"];
        var cut = Render<WorkflowDiagramView>(p => p
            .Add(d => d.Definition, pathway)
            .Add(d => d.TypeNames, TypeNames())
            .Add(d => d.Ran, ran)
            .Add(d => d.Waiting, [new DiagramWait("firstContact", "a task to be completed"), new DiagramWait("onReleased", "the event 'released'")]));

        var waiting = cut.Find("g.diagram-node[data-activity-id=firstContact]");
        Assert.Equal("waiting", waiting.GetAttribute("data-state"));
        Assert.Contains("WAITING HERE", waiting.TextContent);
        Assert.Single(waiting.QuerySelectorAll("rect.diagram-halo"));
        Assert.Equal("ran", cut.Find("g.diagram-node[data-activity-id=fork]").GetAttribute("data-state"));
        Assert.Contains("ran", cut.Find("g.diagram-node[data-activity-id=fork]").TextContent);
        var notRun = cut.Find("g.diagram-node[data-activity-id=assessment]");
        Assert.Equal("notrun", notRun.GetAttribute("data-state"));
        Assert.DoesNotContain("WAITING", notRun.TextContent);
        Assert.Equal(2, cut.FindAll("g.diagram-node[data-state=waiting]").Count);

        // The same in text: the list under the image, and the image's description.
        var items = cut.FindAll("#diagram-waiting li");
        Assert.Equal(["firstContact", "onReleased"], items.Select(li => li.GetAttribute("data-activity-id")));
        Assert.Contains("First contact", items[0].TextContent);
        Assert.Contains("waiting for a task to be completed", items[0].TextContent);
        Assert.Contains("Waiting at: First contact (a task to be completed)", cut.Find("#diagram-desc").TextContent);
        Assert.Contains("8 activities ran", cut.Find("#diagram-desc").TextContent);
        // The line from the fork to first contact was taken; the one to the assessment was not.
        Assert.Equal("#2e7d32", cut.Find("path.diagram-edge[data-from=fork][data-to=firstContact]").GetAttribute("stroke"));
        Assert.Equal("#90a4ae", cut.Find("path.diagram-edge[data-from=preFork][data-to=assessment]").GetAttribute("stroke"));
        // Every activity with its state in the table.
        Assert.Contains("Waiting", cut.Find("#diagram-activities tr[data-activity-id=firstContact]").TextContent);
        // Once interactive, the scroll region is scrolled so that the first waiting activity is in view (at 80%).
        var node = DiagramLayout.For(pathway).Nodes.Single(n => n.Id == "firstContact");
        var scrolled = JSInterop.Invocations["Reflect.set"].Select(i => (Property: (string)i.Arguments[1]!, Value: (double)i.Arguments[2]!)).ToList();
        Assert.Contains(("scrollLeft", node.X * 0.8 - 160), scrolled);
    }

    [Fact]
    public void NothingWaiting_SaysSo_AndAFaultIsMarked()
    {
        var cut = Render<WorkflowDiagramView>(p => p
            .Add(d => d.Definition, Unplaced())
            .Add(d => d.Ran, ["start"])
            .Add(d => d.Faulted, ["a"]));

        Assert.Contains("It waits at no activity.", cut.Find("#diagram-waiting-none").TextContent);
        var faulted = cut.Find("g.diagram-node[data-activity-id=a]");
        Assert.Equal("faulted", faulted.GetAttribute("data-state"));
        Assert.Contains("FAULTED", faulted.TextContent);
        // An unknown type's name falls back to its last part in words.
        Assert.Contains("Write line", faulted.TextContent);
    }

    [Fact]
    public void MissingPositions_AreLaidOutInLayers_LoopsGoBack()
    {
        var cut = Render<WorkflowDiagramView>(p => p.Add(d => d.Definition, Unplaced()));
        Assert.Equal("true", cut.Find("svg[role=img]").GetAttribute("data-auto-layout"));
        Assert.Equal(5, cut.FindAll("g.diagram-node").Count);

        var layout = DiagramLayout.For(Unplaced());
        Assert.True(layout.AutoLayout);
        var x = layout.Nodes.ToDictionary(n => n.Id, n => n.X);
        Assert.True(x["start"] < x["a"] && x["a"] < x["decide"] && x["decide"] < x["yes"]);
        Assert.Equal(x["yes"], x["no"]);
        AssertNoOverlaps(layout);
        // The decision's two ports are labelled and leave from different points.
        Assert.Equal(["False", "True"], cut.FindAll("g.diagram-port-label").Select(g => g.GetAttribute("data-port")).Order());
        var fromDecision = layout.Edges.Where(e => e.SourceId == "decide").Select(e => e.Path.Split(' ')[2]).Distinct().Count();
        Assert.Equal(2, fromDecision);
    }

    [Fact]
    public void PositionsThatPileBoxesUp_AreLaidOutAfresh()
    {
        var definition = Unplaced();
        foreach (var activity in definition.Activities) activity.Position = (0, 0);
        var layout = DiagramLayout.For(definition);
        Assert.True(layout.AutoLayout);
        AssertNoOverlaps(layout);

        // One box moved clear of the rest is not enough: any overlap means a fresh layout.
        definition.Activities[0].Position = (-500, 0);
        Assert.True(DiagramLayout.For(definition).AutoLayout);
        var spread = 0;
        foreach (var activity in definition.Activities) activity.Position = (spread++ * 200, 0);
        Assert.False(DiagramLayout.For(definition).AutoLayout);
    }

    [Fact]
    public void Pathway_WithoutPositions_IsLaidOutInLayersWithoutOverlaps()
    {
        var pathway = Pathway();
        foreach (var activity in pathway.Activities) activity.Metadata = null;
        var layout = DiagramLayout.For(pathway);

        Assert.True(layout.AutoLayout);
        Assert.Equal(78, layout.Nodes.Count);
        Assert.Equal(100, layout.Edges.Count);
        AssertNoOverlaps(layout);
        var x = layout.Nodes.ToDictionary(n => n.Id, n => n.X);
        // Longest path: every line goes right except those that close one of the pathway's loops (second attempt after a
        // manager's review, the monthly review, a changed release date, a release or a transfer going back to listening).
        string[] loops =
        [
            "reviewUnable:KeepTrying -> secondAttempt:In", "monthlyReview:Continue -> monthlyWait:In", "approveExtension:Reject -> monthlyWait:In",
            "recordExtension:Done -> monthlyWait:In", "reassign:Done -> onTransferred:In",
            "postponedReleaseDay:True -> onReleaseDateChanged:In", "postponedReleaseDay:False -> onReleaseDateChanged:In",
            "releasedWhere:BeforeFirstContact -> onReleased:In", "releasedWhere:BeforeRelease -> onReleased:In",
            "releasedWhere:LaterThanRecorded -> onReleased:In", "releasedWhere:Default -> onReleased:In",
        ];
        var backwards = pathway.Connections.Where(c => x[c.Target.Activity] <= x[c.Source.Activity]).Select(c => c.ToString()).ToList();
        Assert.Contains("monthlyReview:Continue -> monthlyWait:In", backwards);
        Assert.All(backwards, b => Assert.Contains(b, loops));

        var cut = Render<WorkflowDiagramView>(p => p.Add(d => d.Definition, pathway));
        Assert.Equal(78, cut.FindAll("g.diagram-node").Count);
    }

    [Fact]
    public void Zoom_ChangesTheDrawnSize_NotTheLayout()
    {
        var cut = Render<WorkflowDiagramView>(p => p.Add(d => d.Definition, Pathway()).Add(d => d.InitialZoom, 1.0));
        var svg = () => cut.Find("svg[role=img]");
        var viewBox = svg().GetAttribute("viewBox");
        var width = Attr(svg(), "width");
        Assert.Equal("100%", cut.Find("#diagram-zoom").TextContent);

        cut.Find("#diagram-zoom-out").Click();
        Assert.Equal("90%", cut.Find("#diagram-zoom").TextContent);
        Assert.Equal(width * 0.9, Attr(svg(), "width"), 1);
        cut.Find("#diagram-zoom-in").Click();
        cut.Find("#diagram-zoom-in").Click();
        Assert.Equal(width * 1.25, Attr(svg(), "width"), 1);
        Assert.Equal(viewBox, svg().GetAttribute("viewBox"));
        cut.Find("#diagram-zoom-reset").Click();
        Assert.Equal(width, Attr(svg(), "width"), 1);
        // The scrolling region can be reached by keyboard.
        Assert.Equal("0", cut.Find(".diagram-scroll").GetAttribute("tabindex"));
    }

    [Theory]
    [InlineData("First contact", new[] { "First contact" })]
    [InlineData("Six months after release (or as extended)", new[] { "Six months after release", "(or as extended)" })]
    [InlineData("First known date puts the referral outside its window?", new[] { "First known date puts the", "referral outside its…" })]
    public void Labels_WrapInTwoLines(string label, string[] lines) => Assert.Equal(lines, DiagramLayout.Wrap(label));

    private static void AssertNoOverlaps(DiagramLayout layout)
    {
        var nodes = layout.Nodes;
        for (var i = 0; i < nodes.Count; i++)
            for (var j = i + 1; j < nodes.Count; j++)
            {
                var overlap = Math.Abs(nodes[i].X - nodes[j].X) < DiagramLayout.NodeWidth && Math.Abs(nodes[i].Y - nodes[j].Y) < DiagramLayout.NodeHeight;
                Assert.False(overlap, $"{nodes[i].Id} overlaps {nodes[j].Id}");
            }
        Assert.All(nodes, n => Assert.True(n.X + DiagramLayout.NodeWidth <= layout.Width && n.Y + DiagramLayout.NodeHeight <= layout.Height));
    }
}
