using System.Text.Json.Nodes;
using Blazor.Diagrams.Core.Geometry;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Web.Components.Designer;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui.Designer;

/// <summary>Undo and redo, variables, copy and paste, arrange and keyboard moves on the designer's document, without a browser.</summary>
public class DesignerEditingTests
{
    private static readonly Engine.Activities.ActivityRegistry Registry = ReferralActivities.CreateRegistry();

    private static WorkflowDefinition Pathway() =>
        WorkflowJson.ParseFile(Path.Combine(ReconnectApp.RepositoryWorkflows, "reconnect-referral-pathway.json"));

    private static string Json(DesignerDocument document) => WorkflowJson.Serialize(document.ToDefinition(), indented: false);

    private static List<string> ConnectionsOf(WorkflowDefinition definition, string id) =>
        definition.Connections.Where(c => c.Source.Activity == id || c.Target.Activity == id).Select(c => c.ToString()).Order().ToList();

    [Fact]
    public void Undo_AfterDeletingANode_RestoresItWithItsConnections_AndRedoDeletesItAgain()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var before = Json(document);
        var connections = ConnectionsOf(document.ToDefinition(), "firstContact");
        Assert.True(connections.Count >= 3);
        Assert.False(document.CanUndo);
        Assert.False(document.IsDirty);

        document.Remove(document.FindNode("firstContact")!);
        Assert.Null(document.FindNode("firstContact"));
        Assert.True(document.CanUndo);
        Assert.True(document.IsDirty);

        Assert.True(document.Undo());
        var node = document.FindNode("firstContact");
        Assert.NotNull(node);
        Assert.Equal(connections, ConnectionsOf(document.ToDefinition(), "firstContact"));
        Assert.Equal(connections.Count, node!.Ports.Sum(p => p.Links.Count));
        Assert.Equal(before, Json(document));
        Assert.False(document.IsDirty); // back to what was loaded
        Assert.False(document.CanUndo);
        Assert.True(document.CanRedo);

        Assert.True(document.Redo());
        Assert.Null(document.FindNode("firstContact"));
        Assert.Empty(ConnectionsOf(document.ToDefinition(), "firstContact"));
    }

    [Fact]
    public void Deleting_IsOneStep_AndANewChangeAfterUndo_DropsTheRedo()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var events = 0;
        document.HistoryChanged += () => events++;

        document.Remove(document.FindNode("fork")!); // six links and the node
        Assert.Equal(1, events);
        document.Undo();
        Assert.True(document.CanRedo);

        document.AddActivity("Elsa.Delay", new Point(10, 10));
        Assert.False(document.CanRedo);
        Assert.NotNull(document.FindNode("delay1"));
        Assert.NotNull(document.FindNode("fork"));
    }

    [Fact]
    public void UndoRedo_CoverAddConnectDisconnectMoveAndPropertyEdits()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var loaded = Json(document);

        var delay = document.AddActivity("Elsa.Delay", new Point(7000, 100));   // 1
        var link = document.Connect(document.FindNode("firstContact")!, "Engaged", delay); // 2
        document.Diagram.Links.Remove(link);                                    // 3
        document.MoveBy(delay, 10, 0);                                           // 4 (arrow presses on one node merge)
        document.MoveBy(delay, 10, 0);
        var defaultName = delay.Activity.Name;
        delay.Activity.Name = "Wait a little";                                   // 5 (keystrokes in one field merge)
        document.Commit("name:delay1");
        delay.Activity.Name = "Wait a little longer";
        document.Commit("name:delay1");

        var steps = new List<string>();
        while (document.Undo()) steps.Add(Json(document));
        Assert.Equal(5, steps.Count);
        Assert.Equal(loaded, steps[^1]);
        Assert.Equal((7000, 100), WorkflowJson.Parse(steps[1]).FindActivity("delay1")!.Position); // before the moves
        Assert.Equal(defaultName, WorkflowJson.Parse(steps[0]).FindActivity("delay1")!.Name);
        Assert.DoesNotContain(WorkflowJson.Parse(steps[1]).Connections, c => c.Target.Activity == "delay1"); // disconnected
        Assert.Contains(WorkflowJson.Parse(steps[2]).Connections, c => c.Target.Activity == "delay1");      // the disconnect undone
        Assert.DoesNotContain(WorkflowJson.Parse(steps[3]).Connections, c => c.Target.Activity == "delay1"); // the connect undone

        while (document.Redo()) { }
        var end = document.ToDefinition();
        Assert.Equal("Wait a little longer", end.FindActivity("delay1")!.Name);
        Assert.Equal((7020, 100), end.FindActivity("delay1")!.Position);
        Assert.DoesNotContain(end.Connections, c => c.Target.Activity == "delay1");
    }

    [Fact]
    public void UndoRestoresVariableEdits_AndMarkSaved_MakesTheDocumentClean()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);

        Assert.Null(document.SetVariable("FollowUp2Days", "Int32", JsonValue.Create(10)));
        Assert.Null(document.AddVariable("Housing", "Boolean", JsonValue.Create(false)));
        Assert.Equal("10", document.ToDefinition().Variables.Single(v => v.Name == "FollowUp2Days").Value!.ToJsonString());
        Assert.True(document.IsDirty);
        document.MarkSaved();
        Assert.False(document.IsDirty);

        document.Undo();
        Assert.DoesNotContain(document.Variables, v => v.Name == "Housing");
        Assert.True(document.IsDirty);
        document.Undo();
        Assert.Equal("7", document.ToDefinition().Variables.Single(v => v.Name == "FollowUp2Days").Value!.ToJsonString());
        document.Redo();
        document.Redo();
        Assert.False(document.IsDirty);
    }

    [Fact]
    public void RenameVariable_WhileAnExpressionUsesIt_IsRefusedSayingWhere()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);

        var refused = document.RenameVariable("FirstContactDays", "ContactDays");

        Assert.NotNull(refused);
        Assert.Contains("FirstContactDays", refused);
        Assert.Contains("input '", refused);
        var uses = document.UsesOf("FirstContactDays");
        Assert.NotEmpty(uses);
        Assert.Contains(uses[0].ToString(), refused); // which activity and which input
        Assert.Contains(document.Variables, v => v.Name == "FirstContactDays");
        Assert.False(document.CanUndo);
    }

    [Fact]
    public void RenameVariable_Unused_Renames_AndBadOrTakenNamesAreRefused()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        Assert.Null(document.AddVariable("Spare", "String", null));

        Assert.Null(document.RenameVariable("Spare", "Extra"));
        Assert.Contains(document.ToDefinition().Variables, v => v.Name == "Extra" && v.Id == "Extra");
        Assert.NotNull(document.RenameVariable("Extra", "Site"));   // taken
        Assert.NotNull(document.RenameVariable("Extra", "2nd"));    // not a name a script can use
        Assert.NotNull(document.AddVariable("", "String", null));
        Assert.Null(document.RemoveVariable("Extra"));
        Assert.NotNull(document.RemoveVariable("ReleaseDate"));     // used
    }

    [Theory]
    [InlineData("JavaScript", "addDays(variables.X, 2)", true)]
    [InlineData("JavaScript", "variables['X'] + 1", true)]
    [InlineData("JavaScript", "getVariable(\"X\")", true)]
    [InlineData("JavaScript", "setX(3)", true)]
    [InlineData("JavaScript", "variables.XY", false)]
    [InlineData("JavaScript", "getXY()", false)]
    [InlineData("Liquid", "Due {{ Variables.X }}", true)]
    [InlineData("Variable", "X", true)]
    [InlineData("Variable", "XY", false)]
    [InlineData("Literal", "variables.X", false)]
    public void VariableUses_FindsTheNameInExpressions(string syntax, string text, bool used)
    {
        var input = "{\"typeName\": \"String\", \"expression\": {\"type\": \"" + syntax + "\", \"value\": " + System.Text.Json.JsonSerializer.Serialize(text) + "}}";
        var definition = WorkflowJson.Parse("""
            {"definitionId": "p", "variables": [{"id": "X", "name": "X", "typeName": "Int32", "value": 1}],
             "root": {"type": "Elsa.Flowchart", "id": "f", "activities": [
              {"id": "log", "type": "Elsa.WriteLine", "name": "Say", "text": INPUT}],
              "connections": []}}
            """.Replace("INPUT", input));

        var uses = VariableUses.Find(definition, "X");

        Assert.Equal(used, uses.Count == 1);
        if (used) Assert.Equal("Say (log), input 'text'", uses[0].ToString());
    }

    [Fact]
    public void VariableUses_FindsASetVariableReference()
    {
        var uses = VariableUses.Find(Pathway(), "Site");
        Assert.Contains(uses, u => u.ActivityId == "setSite" && u.Input == "variable");
    }

    [Theory]
    [InlineData("Int32", "10", "10", null)]
    [InlineData("Int32", "ten", null, "Not a whole number.")]
    [InlineData("Boolean", "true", "true", null)]
    [InlineData("String", "hello", "\"hello\"", null)]
    [InlineData("Object", "{\"a\": 1}", "{\"a\":1}", null)]
    [InlineData("String", "", null, null)]
    public void VariableValues_ParseByType(string type, string text, string? json, string? error)
    {
        var value = VariableValues.Parse(type, text, out var problem);
        Assert.Equal(error, problem);
        Assert.Equal(json, value?.ToJsonString());
    }

    [Fact]
    public void CopyPaste_GivesFreshIdsOffsetPlaces_AndKeepsTheConnectionsBetweenThem_AsOneStep()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var a = document.FindNode("firstContact")!;
        var between = document.Links.Where(l => ((Blazor.Diagrams.Core.Anchors.SinglePortAnchor)l.Source).Port.Parent == a).ToList();
        var target = (ActivityNodeModel)((Blazor.Diagrams.Core.Anchors.SinglePortAnchor)between[0].Target).Port.Parent;
        var clipboard = document.Copy([a, target])!;
        var count = document.Nodes.Count();

        var pasted = document.Paste(clipboard);

        Assert.Equal(2, pasted.Count);
        Assert.Equal(count + 2, document.Nodes.Count());
        Assert.All(pasted, p => Assert.Single(document.Nodes, n => n.Activity.Id == p.Activity.Id));
        var copyOfA = pasted.Single(p => p.Activity.Id == "firstContact1");
        var copyOfTarget = pasted.Single(p => p != copyOfA);
        Assert.NotEqual(target.Activity.Id, copyOfTarget.Activity.Id);
        Assert.Equal(a.Position.X + 40, copyOfA.Position.X);
        Assert.Equal(a.Position.Y + 40, copyOfA.Position.Y);
        var definition = document.ToDefinition();
        var port = ((Blazor.Diagrams.Core.Anchors.SinglePortAnchor)between[0].Source).Port as OutcomePortModel;
        Assert.Contains(definition.Connections, c => c.Source.Activity == "firstContact1" && c.Source.Port == port!.Outcome && c.Target.Activity == copyOfTarget.Activity.Id);
        Assert.DoesNotContain(definition.Connections, c => c.Source.Activity == "firstContact1" && c.Target.Activity == target.Activity.Id);

        var again = document.Paste(clipboard);
        var second = again.Single(p => p.Activity.Id == "firstContact2");
        Assert.Equal(a.Position.X + 80, second.Position.X);

        document.Undo();
        document.Undo();
        Assert.Equal(count, document.Nodes.Count());
    }

    [Fact]
    public void Arrange_LaysTheFlowchartOutInLayers_WithoutOverlaps_AsOneStep()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var before = Json(document);

        document.Arrange();

        var nodes = document.Nodes.ToList();
        // The start is in the first column, what follows it further right.
        var start = document.FindNode("start")!;
        Assert.Equal(nodes.Min(n => n.Position.X), start.Position.X);
        foreach (var link in document.Links.Where(l => ((Blazor.Diagrams.Core.Anchors.SinglePortAnchor)l.Source).Port.Parent == start))
            Assert.True(((Blazor.Diagrams.Core.Anchors.SinglePortAnchor)link.Target).Port.Parent.Position.X > start.Position.X);
        for (var i = 0; i < nodes.Count; i++)
            for (var j = i + 1; j < nodes.Count; j++)
                Assert.False(Math.Abs(nodes[i].Position.X - nodes[j].Position.X) < 170 && Math.Abs(nodes[i].Position.Y - nodes[j].Position.Y) < 60,
                    $"{nodes[i].Activity.Id} and {nodes[j].Activity.Id} overlap");

        document.Undo();
        Assert.Equal(before, Json(document));
    }
}
