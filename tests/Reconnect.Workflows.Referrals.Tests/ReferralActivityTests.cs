using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Referrals.Tests;

public class ReferralActivityTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static WorkflowDefinition Flow(Action<WorkflowDefinition> build)
    {
        var definition = new WorkflowDefinition { Id = "t:v1", DefinitionId = "t", Version = 1, Root = ActivityNode.EmptyFlowchart() };
        definition.Variables.Add(new VariableDefinition { Id = "Site", Name = "Site", TypeName = "String", Value = "LEI" });
        definition.Variables.Add(new VariableDefinition { Id = "ReleaseDate", Name = "ReleaseDate", TypeName = "String", Value = "2027-04-01" });
        build(definition);
        return definition;
    }

    private static ActivityNode Node(WorkflowDefinition d, string id, string type, params (string Name, Expression Value)[] inputs)
    {
        var node = new ActivityNode { Id = id, Type = type, Name = id };
        foreach (var (name, value) in inputs) node.SetInput(name, "Object", value);
        d.Root.Activities!.Add(node);
        return node;
    }

    private static (WorkflowRunner Runner, WorkflowState State, StepResult Step) Start(WorkflowDefinition definition)
    {
        var runner = new WorkflowRunner(ReferralActivities.CreateRegistry());
        var state = runner.CreateInstance(definition, Now, "i1");
        var step = runner.Step(definition, state, new Stimulus.Start(null, "referral-1"), Now);
        return (runner, step.State, step);
    }

    [Fact]
    public void NavigatorTask_Start_CreatesInboxTaskWithSiteAssigneeAndDueEndOfLondonDay()
    {
        var definition = Flow(d => Node(d, "contact", "Reconnect.NavigatorTask",
            ("title", Expression.OfLiquid("First contact ({{ Variables.Site }})")),
            ("due", Expression.OfJavaScript("addDays('2027-03-01', 2)")),
            ("outcomes", Expression.OfLiteral(new JsonArray("Engaged", "Declined", "UnableToContact")))));
        var (_, state, step) = Start(definition);
        var task = Assert.IsType<CreateTaskEffect>(Assert.Single(step.Effects));
        Assert.Equal("First contact (LEI)", task.Title);
        Assert.Equal(["Engaged", "Declined", "UnableToContact"], task.Outcomes);
        Assert.Equal(new DateTimeOffset(2027, 3, 3, 23, 59, 59, TimeSpan.Zero), task.DueAt);
        Assert.Equal("LEI", task.Data!["site"]!.GetValue<string>());
        Assert.Equal(AssigneeRules.ReferralNavigator, task.Assignment!.Rule);
        Assert.Equal("referral-1", task.Data["subjectId"]!.GetValue<string>());
        Assert.Equal(WorkflowStatus.Suspended, state.Status);
    }

    [Theory]
    [InlineData("Engaged", "engaged")]
    [InlineData("Declined", "declined")]
    public void NavigatorTask_Outcome_ContinuesOnItsPort(string outcome, string expected)
    {
        var definition = Flow(d =>
        {
            Node(d, "contact", "Reconnect.NavigatorTask", ("title", Expression.OfLiteral("First contact")),
                ("outcomes", Expression.OfLiteral(new JsonArray("Engaged", "Declined"))));
            Node(d, "engaged", "Elsa.WriteLine", ("text", Expression.OfLiteral("engaged")));
            Node(d, "declined", "Elsa.WriteLine", ("text", Expression.OfLiteral("declined")));
            d.Root.Connections!.Add(new Connection("contact", "Engaged", "engaged"));
            d.Root.Connections!.Add(new Connection("contact", "Declined", "declined"));
        });
        var (runner, state, _) = Start(definition);
        var resumed = runner.Step(definition, state, new Stimulus.Resume(state.Bookmarks.Single().Id, new JsonObject { ["outcome"] = outcome }), Now);
        Assert.Equal([expected], resumed.State.Journal.Where(j => j.Kind == TraceKinds.Log).Select(j => j.Detail!["text"]!.GetValue<string>()));
    }

    [Fact]
    public void NavigatorTask_DueFromReleaseDate_FollowsWhenReleaseDateChanges()
    {
        var definition = Flow(d => Node(d, "assess", "Reconnect.NavigatorTask", ("title", Expression.OfLiteral("Needs assessment")),
            ("due", Expression.OfJavaScript("addDays(variables.ReleaseDate, -28)")), ("outcomes", Expression.OfLiteral(new JsonArray("Done")))));
        var (runner, state, start) = Start(definition);
        var taskId = start.Effects.OfType<CreateTaskEffect>().Single().TaskId;

        var moved = runner.Step(definition, state, new Stimulus.SetVariables(new JsonObject { ["ReleaseDate"] = "2027-05-01" }), Now);

        var reschedule = Assert.IsType<RescheduleTaskEffect>(Assert.Single(moved.Effects));
        Assert.Equal(taskId, reschedule.TaskId);
        // 2027-04-03 23:59:59 in London is BST.
        Assert.Equal(new DateTimeOffset(2027, 4, 3, 22, 59, 59, TimeSpan.Zero), reschedule.DueAt);
        Assert.Equal(state.Bookmarks.Single().Id, moved.State.Bookmarks.Single().Id);
    }

    [Fact]
    public void SetStageAndClose_EmitEffectsForTheReferral()
    {
        var definition = Flow(d =>
        {
            Node(d, "assign", "Reconnect.AssignNavigator");
            Node(d, "stage", "Reconnect.SetStage", ("stage", Expression.OfLiteral("PreRelease")));
            Node(d, "close", "Reconnect.CloseReferral", ("reason", Expression.OfLiteral("NeedsMet")));
            d.Root.Connections!.Add(new Connection("assign", "Done", "stage"));
            d.Root.Connections!.Add(new Connection("stage", "Done", "close"));
        });
        var (_, state, step) = Start(definition);
        Assert.Equal(new AssignNavigatorEffect("referral-1", "LEI"), step.Effects[0]);
        Assert.Equal(new SetStageEffect("referral-1", ReferralStage.PreRelease), step.Effects[1]);
        Assert.Equal(new CloseReferralEffect("referral-1", ClosureReason.NeedsMet, null), step.Effects[2]);
        Assert.Equal("Closed", state.Variables["Stage"]!.GetValue<string>());
    }

    [Fact]
    public void QueryReferrals_EmitsCheckWithParameters()
    {
        var definition = Flow(d => Node(d, "q", "Reconnect.QueryReferrals", ("check", Expression.OfLiteral(ReferralChecks.EscalateOverdueTasks)), ("days", Expression.OfLiteral("3"))));
        var (_, _, step) = Start(definition);
        Assert.Empty(step.State.Incidents.Select(i => i.Message));
        var check = Assert.IsType<RunCheckEffect>(Assert.Single(step.Effects));
        Assert.Equal(ReferralChecks.EscalateOverdueTasks, check.Check);
        Assert.Equal(3, check.Parameters["days"]!.GetValue<long>());
    }

    [Fact]
    public void Validation_TaskOutcomesAndEnums_AreChecked()
    {
        var validator = new WorkflowValidator(ReferralActivities.CreateRegistry(), new ExpressionEvaluator());
        var definition = Flow(d =>
        {
            Node(d, "task", "Reconnect.NavigatorTask", ("title", Expression.OfLiteral("T")), ("outcomes", Expression.OfLiteral(new JsonArray("A", "A"))),
                ("assignee", Expression.OfLiteral("Nobody")));
            Node(d, "stage", "Reconnect.SetStage", ("stage", Expression.OfLiteral("Limbo")));
            Node(d, "close", "Reconnect.CloseReferral", ("reason", Expression.OfLiteral("Bored")));
            d.Root.Connections!.Add(new Connection("task", "A", "stage"));
            d.Root.Connections!.Add(new Connection("stage", "Done", "close"));
        });
        var messages = validator.Validate(definition).Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(messages, m => m.Contains("activity 'task'") && m.Contains("appears twice"));
        Assert.Contains(messages, m => m.Contains("activity 'task'") && m.Contains("'Nobody'"));
        Assert.Contains(messages, m => m.Contains("activity 'stage'") && m.Contains("'Limbo'"));
        Assert.Contains(messages, m => m.Contains("activity 'close'") && m.Contains("'Bored'"));
    }

    [Fact]
    public void Registry_HasEveryReconnectActivityWithDescriptors()
    {
        var registry = ReferralActivities.CreateRegistry();
        foreach (var type in new[] { "Reconnect.NavigatorTask", "Reconnect.ManagerTask", "Reconnect.AssignNavigator", "Reconnect.SetStage", "Reconnect.CloseReferral", "Reconnect.QueryReferrals" })
            Assert.Equal("Referrals", registry.Find(type)!.Descriptor.Category);
    }
}
