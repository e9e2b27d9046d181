using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Web.Components.Designer;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui.Designer;

/// <summary>The validation list (each problem leads to its node) and the test run's timeline.</summary>
public class DesignerValidationAndTestRunTests : MudTestContext
{
    private static readonly Engine.Activities.ActivityRegistry Registry = ReferralActivities.CreateRegistry();
    private static readonly ExpressionEvaluator Evaluator = new();

    public DesignerValidationAndTestRunTests()
    {
        // The test run panel's services; the clock says it is the morning of 4 January 2027 in London.
        Services.AddSingleton(Registry);
        Services.AddSingleton(Evaluator);
        Services.AddSingleton(new Reconnect.Workflows.Application.Time.ControllableTimeProvider(
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2027-01-04T08:00:00Z"))));
    }

    private static WorkflowDefinition Pathway() =>
        WorkflowJson.ParseFile(Path.Combine(ReconnectApp.RepositoryWorkflows, "reconnect-referral-pathway.json"));

    [Fact]
    public void ValidationProblems_OfTheDiagram_LinkToTheirNodes()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        // Break the diagram the way a designer user could: an unconnected activity and a bad script.
        var orphan = document.AddActivity("Elsa.Delay", document.FreeSpot());
        var decision = document.Nodes.First(n => n.Activity.Type == "Elsa.FlowDecision");
        decision.Activity.SetInput("condition", "Boolean", Expression.OfJavaScript("variables.Released &&"));
        var problems = new WorkflowValidator(Registry, Evaluator).Validate(document.ToDefinition()).Messages;
        var labels = document.Nodes.ToDictionary(n => n.Activity.Id, n => n.Label);

        var selected = new List<string>();
        var cut = Render<ValidationList>(p => p
            .Add(v => v.Problems, problems)
            .Add(v => v.Labels, labels)
            .Add(v => v.OnSelect, (string id) => selected.Add(id)));

        Assert.Contains(problems, p => p.ActivityId == orphan.Activity.Id);
        Assert.Contains(problems, p => p.ActivityId == decision.Activity.Id);
        var items = cut.FindAll("li.rw-problem");
        Assert.Equal(problems.Count, items.Count);
        foreach (var item in items.Where(i => i.GetAttribute("data-activity-id") is { Length: > 0 }))
            Assert.NotNull(item.QuerySelector("button.rw-problem__link")); // every problem about an activity is a link to it

        cut.Find($"li[data-activity-id='{decision.Activity.Id}'] button").Click();
        cut.Find($"li[data-activity-id='{orphan.Activity.Id}'] button").Click();
        Assert.Equal([decision.Activity.Id, orphan.Activity.Id], selected);
        Assert.NotNull(document.FindNode(selected[0]));
        Assert.Contains(decision.Label, cut.Find($"li[data-activity-id='{decision.Activity.Id}']").TextContent);
    }

    [Fact]
    public void NoProblems_SaysSo()
    {
        var cut = Render<ValidationList>(p => p.Add(v => v.Problems, Array.Empty<ValidationMessage>()));
        Assert.NotNull(cut.Find("#validation-ok"));
    }

    [Fact]
    public async Task TestRun_OfTheReferralPathway_ShowsWhenTasksAndTimersAppear()
    {
        var pathway = Pathway();
        var start = DateTimeOffset.Parse("2027-01-04T09:00:00Z");
        var input = TestRun.SampleInput(pathway, start);
        input["releaseDate"] = "2027-02-01";

        var result = await TestRun.RunAsync(pathway, Registry, Evaluator, input, start, TimeSpan.FromDays(60));

        Assert.Null(result.Error);
        Assert.Equal("2027-01-04", input["referralDate"]); // the sample referral is made today
        var entries = result.Entries;
        Assert.Equal(entries.OrderBy(e => e.At).Select(e => e.At), entries.Select(e => e.At)); // a timeline, in order
        var firstContact = entries.First(e => e.Kind == "task");
        Assert.Equal("firstContact", firstContact.ActivityId);
        Assert.Equal(start, firstContact.At);
        Assert.Equal(DateTimeOffset.Parse("2027-01-06T23:59:59Z"), firstContact.Due); // referral date + 2 days, end of day
        var weekBefore = entries.Single(e => e.Kind == "timer" && e.ActivityId == "weekBefore");
        Assert.Equal(DateTimeOffset.Parse("2027-01-25T09:00:00Z"), weekBefore.Due); // release − 7 days at 09:00 London
        Assert.Contains(entries, e => e.Kind == "timer-fired" && e.ActivityId == "weekBefore" && e.At == weekBefore.Due);
        Assert.Contains(entries, e => e.Kind == "task-completed" && e.ActivityId == "firstContact" && e.At == firstContact.Due);
        Assert.True(result.Status is WorkflowStatus.Suspended or WorkflowStatus.Finished);
    }

    [Fact]
    public async Task TestRun_RunsTheDiagramAsDrawn_UnsavedChangesIncluded()
    {
        var document = DesignerDocument.Load(Pathway(), Registry);
        var days = document.FindNode("firstContact")!;
        days.Activity.SetInput("due", "DateTimeOffset", Expression.OfJavaScript("addDays(variables.ReferralDate, 5)"));
        var start = DateTimeOffset.Parse("2027-01-04T09:00:00Z");
        var input = TestRun.SampleInput(document.Original, start);

        var result = await TestRun.RunAsync(document.ToDefinition(), Registry, Evaluator, input, start, TimeSpan.FromDays(10));

        Assert.Equal(DateTimeOffset.Parse("2027-01-09T23:59:59Z"), result.Entries.First(e => e.Kind == "task").Due);
    }

    [Fact]
    public void TestRunPanel_RendersTheTimeline()
    {
        var pathway = Pathway();
        var cut = Render<TestRunPanel>(p => p.Add(t => t.Definition, () => pathway));
        Assert.Equal("2027-01-04", cut.Find("#run-referralDate").GetAttribute("value"));
        Assert.Equal("2027-02-01", cut.Find("#run-releaseDate").GetAttribute("value"));

        cut.Find("#test-run-form").Submit();

        cut.WaitForElement("#timeline", TimeSpan.FromSeconds(30));
        var first = cut.FindAll("#timeline li").First(li => li.GetAttribute("data-kind") == "task");
        Assert.Equal("firstContact", first.GetAttribute("data-activity-id"));
        Assert.Contains("Day 0", first.TextContent);
        Assert.Contains("due Wed 6 Jan 2027 23:59 (day 2)", first.TextContent);
    }

    [Fact]
    public async Task TestRun_WithAnswers_TakesTheAnsweredOutcome_AndSaysThePathTaken()
    {
        var pathway = Pathway();
        var start = DateTimeOffset.Parse("2027-01-04T09:00:00Z");
        var file = TestRun.AnswersFile(new Dictionary<string, string> { ["firstContact"] = "Declined" }, []);
        Assert.Equal("""{"tasks":{"firstContact":"Declined"},"events":[]}""", file.ToJsonString());

        var result = await TestRun.RunAsync(pathway, Registry, Evaluator, TestRun.SampleInput(pathway, start), start, TimeSpan.FromDays(60),
            answers: Engine.Simulation.Answers.Parse(file.ToJsonString()));

        Assert.Contains(result.Entries, e => e.Kind == "task-completed" && e.ActivityId == "firstContact" && e.Text.Contains("Declined"));
        var path = result.Path!.Select(p => p.ActivityId).ToList();
        Assert.Contains(result.Path!, p => p.ActivityId == "firstContact" && p.Outcomes.SequenceEqual(["Declined"]));
        Assert.Contains("closeDeclined", path);
        Assert.DoesNotContain("releasedAlready", path); // Engaged's way was not taken
        Assert.True(path.IndexOf("firstContact") < path.IndexOf("closeDeclined"));
    }

    [Fact]
    public void TestRun_AnswersFile_ListsRepeatedTasks_AndEventsWithTheirDelay()
    {
        var file = TestRun.AnswersFile(
            new Dictionary<string, string> { ["review"] = "Continue, Continue, Close", ["blank"] = " " },
            [new TestRunEvent("3", "released", """{"date": "2027-01-07"}"""), new TestRunEvent("PT6H", "transferred", null)]);

        Assert.Equal("""{"tasks":{"review":["Continue","Continue","Close"]},"events":[{"after":"P3D","name":"released","payload":{"date":"2027-01-07"}},{"after":"PT6H","name":"transferred"}]}""",
            file.ToJsonString());
        var answers = Engine.Simulation.Answers.Parse(file.ToJsonString());
        Assert.Equal("Close", answers.OutcomeFor("review", null, 2));
        Assert.Equal(TimeSpan.FromDays(3), answers.Events[0].After);
        Assert.Throws<FormatException>(() => TestRun.AnswersFile(new Dictionary<string, string>(), [new TestRunEvent("1", "released", "{not json")]));
    }

    [Fact]
    public void TestRun_AsksForEachTask_AndKnowsTheEvents()
    {
        var pathway = Pathway();

        var tasks = TestRun.Tasks(pathway, Registry);

        Assert.Contains(tasks, t => t.ActivityId == "firstContact" && t.Outcomes.SequenceEqual(["Engaged", "Declined", "UnableToContact"]));
        Assert.Equal(11, tasks.Count); // 9 navigator tasks, 2 manager tasks
        Assert.Equal(["consent-withdrawn", "recalled-to-custody", "release-date-changed", "released", "transferred"], TestRun.EventNames(pathway).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TestRunPanel_AnswersATask_AndShowsThePathTaken()
    {
        var pathway = Pathway();
        var cut = Render<TestRunPanel>(p => p.Add(t => t.Definition, () => pathway));
        Assert.Equal("Engaged", cut.Find("#answer-firstContact").GetAttribute("placeholder"));

        cut.Find("#answer-firstContact").Change("Declined");
        cut.Find("#add-event").Click();
        cut.Find("#event-after-0").Change("40");
        cut.Find("#test-run-form").Submit();

        cut.WaitForElement("#test-run-path", TimeSpan.FromSeconds(30));
        Assert.Contains(cut.FindAll("#test-run-path li"), li => li.GetAttribute("data-activity-id") == "firstContact" && li.TextContent.Contains("→ Declined"));
        Assert.Contains("\"firstContact\": \"Declined\"", cut.Find("#test-run-answers-file pre").TextContent);
        Assert.Contains("\"after\": \"P40D\"", cut.Find("#test-run-answers-file pre").TextContent);
    }

    [Fact]
    public void CompareValues_SayOldAndNew()
    {
        var before = new ActivityNode { Id = "a", Type = "Elsa.Delay" };
        before.SetInput("timeSpan", "TimeSpan", Expression.OfLiteral("P7D"));
        before.SetInput("due", "DateTimeOffset", Expression.OfJavaScript("addDays(variables.ReleaseDate, 7)"));
        var after = new ActivityNode { Id = "a", Type = "Elsa.Delay" };
        after.SetInput("timeSpan", "TimeSpan", Expression.OfLiteral("P10D"));

        var changes = CompareValues.Inputs(before, after, ["timeSpan", "due"]);

        Assert.Equal("P7D → P10D", CompareValues.Describe(changes[0]));
        Assert.Equal("JavaScript: addDays(variables.ReleaseDate, 7) → (not set)", CompareValues.Describe(changes[1]));
    }
}
