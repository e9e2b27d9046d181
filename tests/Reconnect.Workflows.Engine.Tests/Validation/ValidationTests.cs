using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.Validation;

public class ValidationTests
{
    private static readonly WorkflowValidator Validator = new(ActivityRegistry.CreateDefault(), new ExpressionEvaluator());

    private static ValidationMessage SingleError(WorkflowDefinition definition) => Assert.Single(Validator.Validate(definition).Errors);

    [Fact]
    public void Valid_HasNoErrors() =>
        Assert.True(Validator.Validate(new TestFlow().Add("s", "Elsa.Start").WriteLine("w", "x").Chain("s", "w").Build()).IsValid);

    [Fact]
    public void UnknownElsaType_IsNamed()
    {
        var error = SingleError(new TestFlow().Add("h", "Elsa.BulkDispatchWorkflows").Build());
        Assert.Equal("h", error.ActivityId);
        Assert.Contains("'Elsa.BulkDispatchWorkflows' is an Elsa activity this engine does not support", error.Message);
        Assert.StartsWith("activity 'h' (Elsa.BulkDispatchWorkflows): ", error.ToString());
    }

    [Fact]
    public void UnknownType_IsNamed() => Assert.Contains("'Acme.Thing' is not known", SingleError(new TestFlow().Add("x", "Acme.Thing").Build()).Message);

    [Fact]
    public void DanglingConnection_IsReported()
    {
        var error = SingleError(new TestFlow().WriteLine("a", "a").Connect("a", "ghost").Build());
        Assert.Equal("a", error.ActivityId);
        Assert.Contains("'ghost', which does not exist", error.Message);
    }

    [Fact]
    public void UnknownPort_IsReported() =>
        Assert.Contains("port 'Maybe'", SingleError(new TestFlow().Add("d", "Elsa.FlowDecision", ("condition", Lit("true"))).WriteLine("a", "a").Connect("d", "a", "Maybe").Build()).Message);

    [Fact]
    public void UnreachableActivity_IsReported()
    {
        var error = SingleError(new TestFlow().Add("s", "Elsa.Start").WriteLine("a", "a").WriteLine("island", "x").Chain("s", "a").Build());
        Assert.Equal("island", error.ActivityId);
        Assert.Contains("cannot be reached", error.Message);
    }

    [Fact]
    public void MissingRequiredInput_IsReported() =>
        Assert.Contains("required input 'eventName' is missing", SingleError(new TestFlow().Add("e", "Elsa.Event").Build()).Message);

    [Fact]
    public void ExpressionThatDoesNotParse_IsReported() =>
        Assert.Contains("input 'condition'", SingleError(new TestFlow().Add("d", "Elsa.FlowDecision", ("condition", Js("1 +"))).Build()).Message);

    [Fact]
    public void LoopWithoutWaitingOrExit_IsAnError() =>
        Assert.Contains("no way out", SingleError(new TestFlow().WriteLine("a", "a").WriteLine("b", "b").Chain("a", "b").Connect("b", "a").Build()).Message);

    [Fact]
    public void LoopWithExit_IsAWarningOnly()
    {
        var result = Validator.Validate(new TestFlow().WriteLine("a", "a").Add("d", "Elsa.FlowDecision", ("condition", Lit("true"))).WriteLine("out", "o")
            .Chain("a", "d").Connect("d", "a", "False").Connect("d", "out", "True").Build());
        Assert.True(result.IsValid);
        Assert.Contains(result.Warnings, w => w.Message.Contains("relies on its exit condition"));
    }

    [Fact]
    public void LoopThroughWaitingActivity_IsFine()
    {
        var result = Validator.Validate(new TestFlow().Add("d", "Elsa.Delay", ("timeSpan", Lit("P30D"))).WriteLine("a", "a").Chain("d", "a").Connect("a", "d").Build());
        Assert.Empty(result.Messages);
    }

    [Fact]
    public void BadCron_IsReported() =>
        Assert.Contains("not a cron expression", SingleError(new TestFlow().Add("c", "Elsa.Cron", ("cronExpression", Lit("BadCronExpression"))).Build()).Message);

    [Fact]
    public void BadDuration_IsReported() =>
        Assert.Contains("not a duration", SingleError(new TestFlow().Add("d", "Elsa.Delay", ("timeSpan", Lit("soon"))).Build()).Message);

    [Fact]
    public void SetVariable_Undeclared_IsReported() =>
        Assert.Contains("'Nope' is not declared", SingleError(new TestFlow().SetVariable("s", "Nope", Lit("1")).Build()).Message);

    [Fact]
    public void DuplicateIds_AreReported()
    {
        var result = Validator.Validate(new TestFlow().WriteLine("a", "1").WriteLine("a", "2").Build());
        Assert.Contains(result.Errors, e => e.Message.Contains("same id"));
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var result = Validator.Validate(new TestFlow()
            .Add("s", "Elsa.Start").Add("h", "Elsa.BulkDispatchWorkflows").Add("e", "Elsa.Event")
            .Add("d", "Elsa.FlowDecision", ("condition", Js("((")))
            .Chain("s", "e", "d").Connect("d", "ghost", "True").Build());
        Assert.Equal(["d", "d", "e", "h", "h"], result.Errors.Select(e => e.ActivityId!).Order());
        Assert.Contains(result.Errors, e => e.ActivityId == "h" && e.Message.Contains("Elsa.BulkDispatchWorkflows"));
        Assert.Contains(result.Errors, e => e.ActivityId == "h" && e.Message.Contains("cannot be reached"));
    }

    [Fact]
    public void EveryBuiltInActivity_HasADescriptorWithPortsAndCategory()
    {
        var registry = ActivityRegistry.CreateDefault();
        string[] expected =
        [
            "Elsa.Start", "Elsa.Finish", "Elsa.End", "Elsa.FlowDecision", "Elsa.FlowSwitch", "Elsa.FlowFork", "Elsa.FlowJoin",
            "Elsa.SetVariable", "Elsa.WriteLine", "Elsa.Delay", "Elsa.StartAt", "Elsa.Timer", "Elsa.Cron", "Elsa.Event",
            "Elsa.PublishEvent", "Elsa.Correlate", "Elsa.RunTask", "Reconnect.CancelActivities",
            "Elsa.Sequence", "Elsa.Flowchart", "Elsa.FlowNode", "Elsa.If", "Elsa.ForEach", "Elsa.For", "Elsa.While", "Elsa.Fork",
            "Elsa.Switch", "Elsa.Break", "Elsa.Complete", "Elsa.Fault", "Elsa.SetName", "Elsa.SetOutput", "Elsa.RunJavaScript",
            "Elsa.ExecuteWorkflow", "Elsa.DispatchWorkflow", "Elsa.ParallelForEach", "Elsa.HttpEndpoint", "Elsa.WriteHttpResponse",
            "Elsa.SendHttpRequest", "Elsa.FlowSendHttpRequest", "Elsa.SendEmail",
        ];
        Assert.Equal(expected.Order(), registry.Descriptors.Select(d => d.Type).Order());
        Assert.All(registry.Descriptors, d => Assert.False(string.IsNullOrEmpty(d.Category)));
    }
}
