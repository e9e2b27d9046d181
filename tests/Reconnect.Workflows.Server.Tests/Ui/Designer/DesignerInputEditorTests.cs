using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Web.Components.Designer;

namespace Reconnect.Workflows.Server.Tests.Ui.Designer;

/// <summary>The property panel's editor per input type: what is typed becomes the activity's Elsa JSON, and problems show as typed.</summary>
public class DesignerInputEditorTests : MudTestContext
{
    private static readonly ActivityRegistry Registry = ReferralActivities.CreateRegistry();

    public DesignerInputEditorTests() => Services.AddSingleton(new ExpressionEvaluator());

    private static InputDescriptor InputOf(string type, string name) => Registry.Find(type)!.Descriptor.Inputs.Single(i => i.Name == name);

    private (IRenderedComponent<InputEditor> Cut, ActivityNode Activity, List<bool> Changes) Edit(string type, string input, Action<ActivityNode>? setUp = null,
        IReadOnlyList<string>? variables = null)
    {
        var activity = new ActivityNode { Id = "x", Type = type };
        setUp?.Invoke(activity);
        var changes = new List<bool>();
        var cut = Render<InputEditor>(p => p
            .Add(e => e.Activity, activity)
            .Add(e => e.Input, InputOf(type, input))
            .Add(e => e.Variables, variables ?? [])
            .Add(e => e.OnChanged, (bool ports) => changes.Add(ports)));
        return (cut, activity, changes);
    }

    private static string Problem(IRenderedComponent<InputEditor> cut, string input) => cut.Find($"#problem-{input}").TextContent.Trim();

    [Fact]
    public void Text_IsALiteralString()
    {
        var (cut, activity, changes) = Edit("Reconnect.NavigatorTask", "tag");

        cut.Find("#input-tag").Input("engagement-21");

        cut.WaitForAssertion(() => Assert.Equal("engagement-21", activity.GetInput("tag")!.Text));
        Assert.Equal(Expression.Literal, activity.GetInput("tag")!.Type);
        Assert.Equal([false], changes);
    }

    [Fact]
    public void Number_IsStoredAsANumber_AndTextThatIsNotOneIsSaid()
    {
        var (cut, activity, _) = Edit("Reconnect.QueryReferrals", "days");

        cut.Find("#input-days").Input("5");
        cut.WaitForAssertion(() => Assert.Equal("5", activity.GetInput("days")!.Value!.ToJsonString()));
        Assert.Equal("", Problem(cut, "days"));

        cut.Find("#input-days").Input("five");
        cut.WaitForAssertion(() => Assert.Equal("Not a number.", Problem(cut, "days")));
    }

    [Fact]
    public void Duration_IsCheckedAsTheEngineReadsIt()
    {
        var (cut, activity, _) = Edit("Elsa.Delay", "timeSpan");

        cut.Find("#input-timeSpan").Input("P7X");
        cut.WaitForAssertion(() => Assert.StartsWith("Not a duration", Problem(cut, "timeSpan")));

        cut.Find("#input-timeSpan").Input("P7D");
        cut.WaitForAssertion(() => Assert.Equal("", Problem(cut, "timeSpan")));
        Assert.Equal("P7D", activity.GetInput("timeSpan")!.Text);
        Assert.Equal("TimeSpan", activity.GetInputRaw("timeSpan")!["typeName"]!.GetValue<string>());
    }

    [Fact]
    public void Date_AsALiteral_IsChecked()
    {
        var (cut, activity, _) = Edit("Elsa.StartAt", "dateTime");
        Assert.Equal(Expression.JavaScript, cut.Find("#syntax-dateTime").GetAttribute("value")); // the descriptor's default syntax

        cut.Find("#syntax-dateTime").Change(Expression.Literal);
        cut.Find("#input-dateTime").Input("2027-13-40");
        cut.WaitForAssertion(() => Assert.StartsWith("Not a date", Problem(cut, "dateTime")));

        cut.Find("#input-dateTime").Input("2027-03-01");
        cut.WaitForAssertion(() => Assert.Equal("", Problem(cut, "dateTime")));
        Assert.Equal(new Expression(Expression.Literal, JsonValue.Create("2027-03-01")).Text, activity.GetInput("dateTime")!.Text);
        Assert.Equal(Expression.Literal, activity.GetInput("dateTime")!.Type);
    }

    [Fact]
    public void DropDown_OffersTheDescriptorsOptions()
    {
        var (cut, activity, _) = Edit("Reconnect.CloseReferral", "reason");
        var options = cut.FindAll("#input-reason option").Select(o => o.GetAttribute("value") ?? "").Where(v => v != "").ToList();
        Assert.Equal(InputOf("Reconnect.CloseReferral", "reason").Options, options);

        cut.Find("#input-reason").Change(options[1]);

        cut.WaitForAssertion(() => Assert.Equal(options[1], activity.GetInput("reason")!.Text));
    }

    [Fact]
    public void Checkbox_IsStoredAsABoolean()
    {
        var (cut, activity, _) = Edit("Elsa.PublishEvent", "isLocal");

        cut.Find("input[type=checkbox]").Change(true);

        cut.WaitForAssertion(() => Assert.Equal("true", activity.GetInput("isLocal")!.Value!.ToJsonString()));
    }

    [Fact]
    public void VariablePicker_WritesElsasVariableReference()
    {
        var (cut, activity, _) = Edit("Elsa.SetVariable", "variable", variables: ["Stage", "ReleaseDate"]);

        cut.Find("#input-variable").Change("ReleaseDate");

        cut.WaitForAssertion(() => Assert.Equal("""{"id":"ReleaseDate","name":"ReleaseDate"}""", activity.GetInputRaw("variable")!.ToJsonString()));
    }

    [Fact]
    public void VariableSyntax_PicksAWorkflowVariableByName()
    {
        var (cut, activity, _) = Edit("Reconnect.NavigatorTask", "due", variables: ["ReleaseDate", "SupportUntil"]);

        cut.Find("#syntax-due").Change(Expression.Variable);
        cut.Find("#input-due").Change("SupportUntil");

        cut.WaitForAssertion(() => Assert.Equal((Expression.Variable, "SupportUntil"), (activity.GetInput("due")!.Type, activity.GetInput("due")!.Text)));
    }

    [Fact]
    public void OutcomeList_AddsAndRemovesOutcomes_AndSaysThePortsMayChange()
    {
        var (cut, activity, changes) = Edit("Reconnect.NavigatorTask", "outcomes",
            a => a.SetInput("outcomes", "String[]", new Expression(Expression.Literal, new JsonArray("Done"))));

        cut.Find("#input-outcomes-new").Input("Reached");
        cut.Find("#input-outcomes-new").KeyDown("Enter");
        cut.WaitForAssertion(() => Assert.Equal("""["Done","Reached"]""", activity.GetInput("outcomes")!.Value!.ToJsonString()));
        cut.Find("button[aria-label='Remove Done']").Click();

        cut.WaitForAssertion(() => Assert.Equal("""["Reached"]""", activity.GetInput("outcomes")!.Value!.ToJsonString()));
        Assert.Equal([true, true], changes);
        Assert.Equal(["Reached"], cut.FindAll("#input-outcomes li").Select(li => li.GetAttribute("data-item")));
    }

    [Fact]
    public void OutcomeList_StoredAsJsonText_StaysJsonText()
    {
        var (cut, activity, _) = Edit("Elsa.FlowFork", "branches",
            a => a.SetInput("branches", "String[]", new Expression(Expression.Object, JsonValue.Create("[\"Main\", \"Events\"]"))));
        Assert.Equal(["Main", "Events"], cut.FindAll("#input-branches li").Select(li => li.GetAttribute("data-item")));

        cut.Find("button[aria-label='Remove Events']").Click();

        cut.WaitForAssertion(() => Assert.Equal(Expression.Object, activity.GetInput("branches")!.Type));
        Assert.Equal("[\"Main\"]", activity.GetInput("branches")!.Text);
    }

    [Fact]
    public void JavaScript_SyntaxErrors_ShowAsTyped()
    {
        var (cut, activity, _) = Edit("Elsa.FlowDecision", "condition");

        cut.Find("#input-condition").Input("variables.Released &&");
        cut.WaitForAssertion(() => Assert.StartsWith("JavaScript:", Problem(cut, "condition")));
        Assert.Equal(Expression.JavaScript, activity.GetInput("condition")!.Type);

        cut.Find("#input-condition").Input("variables.Released && variables.Stage === 'Engaged'");
        cut.WaitForAssertion(() => Assert.Equal("", Problem(cut, "condition")));
        Assert.Equal("variables.Released && variables.Stage === 'Engaged'", activity.GetInput("condition")!.Text);
    }

    [Fact]
    public void Liquid_SyntaxErrors_ShowAsTyped()
    {
        var (cut, _, _) = Edit("Reconnect.NavigatorTask", "title");

        cut.Find("#input-title").Input("Call {{ Variables.Site ");
        cut.WaitForAssertion(() => Assert.StartsWith("Liquid:", Problem(cut, "title")));

        cut.Find("#input-title").Input("Call {{ Variables.Site }}");
        cut.WaitForAssertion(() => Assert.Equal("", Problem(cut, "title")));
    }

    [Fact]
    public void RequiredInput_LeftEmpty_IsSaid_AndRemovedFromTheActivity()
    {
        var (cut, activity, _) = Edit("Elsa.Delay", "timeSpan",
            a => a.SetInput("timeSpan", "TimeSpan", Expression.OfLiteral("P1D")));

        cut.Find("#input-timeSpan").Input("");

        cut.WaitForAssertion(() => Assert.Equal("Duration is required.", Problem(cut, "timeSpan")));
        Assert.Null(activity.GetInputRaw("timeSpan"));
    }
}
