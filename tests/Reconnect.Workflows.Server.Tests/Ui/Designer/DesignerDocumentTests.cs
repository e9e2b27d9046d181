using System.Text.Json.Nodes;
using Blazor.Diagrams.Core.Geometry;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Web.Components.Designer;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui.Designer;

/// <summary>The workflow ↔ diagram conversion, without a browser.</summary>
public class DesignerDocumentTests
{
    private static readonly Engine.Activities.ActivityRegistry Registry = ReferralActivities.CreateRegistry();

    private static WorkflowDefinition Pathway() =>
        WorkflowJson.ParseFile(Path.Combine(ReconnectApp.RepositoryWorkflows, "reconnect-referral-pathway.json"));

    private static JsonNode? Json(WorkflowDefinition definition) => WorkflowJson.ToNode(definition);

    [Fact]
    public void ReferralPathway_RoundTrip_KeepsEveryActivityConnectionAndPosition()
    {
        var pathway = Pathway();
        var document = DesignerDocument.Load(pathway, Registry);

        Assert.Equal(78, document.Nodes.Count());
        Assert.Equal(pathway.Connections.Count, document.Links.Count());
        Assert.Empty(document.UndrawableConnections);
        foreach (var activity in pathway.Activities)
        {
            var node = document.FindNode(activity.Id)!;
            Assert.Equal(activity.Position!.Value.X, node.Position.X);
            Assert.Equal(activity.Position!.Value.Y, node.Position.Y);
        }

        var back = document.ToDefinition();
        Assert.True(JsonNode.DeepEquals(Json(pathway), Json(back)), "the pathway changed on a round trip through the diagram");
    }

    [Fact]
    public void Outcomes_BecomeOutputPorts_AndConnectionsLinkThem()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);

        var firstContact = document.FindNode("firstContact")!;
        Assert.Equal(["Engaged", "Declined", "UnableToContact"], firstContact.Outcomes.Select(p => p.Outcome));
        Assert.NotNull(firstContact.In);
        Assert.Equal(["Main", "ReleaseDateChanged", "Released", "Recalled", "Transferred", "ConsentWithdrawn"],
            document.FindNode("fork")!.Outcomes.Select(p => p.Outcome));
        Assert.Empty(document.Nodes.Where(n => n.Activity.Type == "Elsa.Finish").SelectMany(n => n.Outcomes));
        var link = document.Links.Single(l => l.Original!.Source.Activity == "start");
        Assert.Same(document.FindNode("start")!.FindOutcome("Done"), ((Blazor.Diagrams.Core.Anchors.SinglePortAnchor)link.Source).Port);
    }

    [Fact]
    public void UnknownFields_UnknownTypes_UnknownPorts_AndDanglingConnections_SurviveARoundTrip()
    {
        var json = """
            {
              "id": "odd:v1", "definitionId": "odd", "name": "Odd", "version": 1, "isLatest": true, "isPublished": false,
              "variables": [{"id": "v", "name": "v", "typeName": "String", "value": "x", "storageDriverTypeName": "Memory"}],
              "inputs": [], "toolVersion": "3.2.0", "customProperties": {"owner": "team"},
              "root": {
                "type": "Elsa.Flowchart", "id": "flow", "version": 1, "metadata": {"zoom": 0.7},
                "activities": [
                  {"id": "a", "type": "Elsa.Start", "version": 1, "nodeId": "n-a", "metadata": {"designer": {"position": {"x": 10, "y": 20}, "size": {"width": 100, "height": 50}}}},
                  {"id": "b", "type": "Acme.Thing", "version": 3, "name": "Something of Acme's", "whatever": {"deep": [1, 2, {"x": null}]},
                   "metadata": {"designer": {"position": {"x": 300, "y": 20}}}},
                  {"id": "c", "type": "Elsa.WriteLine", "version": 1, "text": {"typeName": "String", "expression": {"type": "Literal", "value": "hi"}},
                   "customProperties": {"canStartWorkflow": false}, "metadata": {"designer": {"position": {"x": 600, "y": 20}}}}
                ],
                "connections": [
                  {"source": {"activity": "a", "port": "Done"}, "target": {"activity": "b", "port": "In"}, "vertices": [{"x": 1, "y": 2}]},
                  {"source": {"activity": "b", "port": "Weird"}, "target": {"activity": "c", "port": "In"}},
                  {"source": "c", "target": "a", "sourcePort": "Done", "targetPort": "In"},
                  {"source": {"activity": "c", "port": "Done"}, "target": {"activity": "gone", "port": "In"}}
                ]
              }
            }
            """;
        var definition = WorkflowJson.Parse(json);
        var document = DesignerDocument.Load(definition, Registry);

        Assert.Equal(3, document.Nodes.Count());
        Assert.Equal(3, document.Links.Count());
        Assert.Single(document.UndrawableConnections);
        var unknown = document.FindNode("b")!;
        Assert.Null(unknown.Descriptor);
        Assert.False(unknown.FindOutcome("Weird")!.Known);

        var back = document.ToDefinition();
        // Same content; the dangling connection is written after the drawn ones.
        var expected = Json(definition)!.AsObject();
        var actual = Json(back)!.AsObject();
        Assert.True(JsonNode.DeepEquals(Without(expected, "connections"), Without(actual, "connections")), actual.ToJsonString());
        var expectedConnections = expected["root"]!["connections"]!.AsArray().Select(c => c!.ToJsonString()).Order().ToList();
        var actualConnections = actual["root"]!["connections"]!.AsArray().Select(c => c!.ToJsonString()).Order().ToList();
        Assert.Equal(expectedConnections, actualConnections);
        Assert.Contains(actualConnections, c => c.Contains("\"sourcePort\":\"Done\"")); // the flat form stays flat
        Assert.Contains(actualConnections, c => c.Contains("\"vertices\""));
    }

    private static JsonObject Without(JsonObject definition, string rootField)
    {
        var copy = definition.DeepClone().AsObject();
        copy["root"]!.AsObject().Remove(rootField);
        return copy;
    }

    [Fact]
    public void MovingANode_ChangesOnlyItsPosition()
    {
        var pathway = Pathway();
        var document = DesignerDocument.Load(pathway, Registry);

        document.FindNode("assign")!.SetPosition(1012.5, 40);
        var back = document.ToDefinition();

        Assert.Equal((1012.5, 40), back.FindActivity("assign")!.Position);
        var changed = pathway.Activities.Where(a =>
            !JsonNode.DeepEquals(WorkflowJson.ToNode(Wrap(a)), WorkflowJson.ToNode(Wrap(back.FindActivity(a.Id)!)))).Select(a => a.Id).ToList();
        Assert.Equal(["assign"], changed);
        Assert.Equal(pathway.Connections.Count, back.Connections.Count);
    }

    private static WorkflowDefinition Wrap(ActivityNode activity)
    {
        var definition = new WorkflowDefinition { Id = "x", DefinitionId = "x" };
        definition.Root.Activities!.Add(activity);
        return definition;
    }

    [Fact]
    public void ActivitiesWithoutPosition_AreLaidOutBelowTheOthers_AndGetOneWhenSaved()
    {
        var definition = WorkflowJson.Parse("""
            {"definitionId": "p", "root": {"type": "Elsa.Flowchart", "id": "f", "activities": [
              {"id": "a", "type": "Elsa.Start", "metadata": {"designer": {"position": {"x": 0, "y": 100}}}},
              {"id": "b", "type": "Elsa.Finish"}], "connections": []}}
            """);
        var document = DesignerDocument.Load(definition, Registry);

        var b = document.FindNode("b")!;
        Assert.True(b.Position.Y > 100);
        Assert.Equal((b.Position.X, b.Position.Y), document.ToDefinition().FindActivity("b")!.Position);
    }

    [Fact]
    public void AddConnectRemove_EditTheWorkflow()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);

        var delay = document.AddActivity("Elsa.Delay", new Point(7000.4, 100));
        var task = document.AddActivity("Reconnect.NavigatorTask", document.FreeSpot());
        Assert.Equal("delay1", delay.Activity.Id);
        Assert.Equal("navigatorTask1", task.Activity.Id);
        Assert.Equal(["Done"], task.Outcomes.Select(p => p.Outcome));
        document.Connect(delay, "Done", task);
        document.Connect(document.FindNode("firstContact")!, "Engaged", delay);

        var edited = document.ToDefinition();
        Assert.Equal(80, edited.Activities.Count);
        Assert.Equal((7000, 100), edited.FindActivity("delay1")!.Position);
        Assert.True(edited.FindActivity("navigatorTask1")!.Position!.Value.X > 7000);
        // Defaults from the descriptor: the task's outcomes and assignee rule.
        Assert.Equal("[\"Done\"]", edited.FindActivity("navigatorTask1")!.GetInput("outcomes")!.Value!.ToJsonString());
        Assert.Contains(edited.Connections, c => c.ToString() == "delay1:Done -> navigatorTask1:In");
        Assert.Contains(edited.Connections, c => c.ToString() == "firstContact:Engaged -> delay1:In");

        document.Remove(delay);
        var removed = document.ToDefinition();
        Assert.Null(removed.FindActivity("delay1"));
        Assert.DoesNotContain(removed.Connections, c => c.Source.Activity == "delay1" || c.Target.Activity == "delay1");
    }

    [Fact]
    public void ChangingATasksOutcomes_ChangesItsPorts_AndDropsTheLinksOfARemovedOutcome()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var task = document.FindNode("firstContact")!;
        var outcomes = task.Descriptor!.Inputs.Single(i => i.Name == "outcomes");
        var linksBefore = document.Links.Count();
        var declinedLinks = task.FindOutcome("Declined")!.Links.Count;
        Assert.True(declinedLinks > 0);

        InputEditing.WriteList(task.Activity, outcomes, ["Engaged", "UnableToContact", "Moved away"]);
        Assert.True(document.SyncPorts(task));

        Assert.Equal(["Engaged", "UnableToContact", "Moved away"], task.Outcomes.Select(p => p.Outcome));
        Assert.Equal(linksBefore - declinedLinks, document.Links.Count());
        Assert.DoesNotContain(document.ToDefinition().Connections, c => c.Source.Activity == "firstContact" && c.Source.Port == "Declined");
        Assert.False(document.SyncPorts(task));
    }
}
