using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Composite;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.Composite;

/// <summary>Workflows calling workflows: child instances through the outbox, the parent resumed exactly once, across a restart.</summary>
public class CompositionTests
{
    private static string Line(string id, string text) =>
        "{\"type\": \"Elsa.WriteLine\", \"id\": \"" + id + "\", \"text\": {\"typeName\": \"String\", \"expression\": {\"type\": \"JavaScript\", \"value\": " + JsonValue.Create(text)!.ToJsonString() + "}}}";

    private static WorkflowDefinition Child(string extra = "", string options = "") => WorkflowJson.Parse("""
        {"definitionId": "child", "name": "Follow-up check", "version": 1, "isPublished": true,
         "inputs": [{"name": "Message", "type": "String"}], "outputs": [{"name": "Result", "type": "Object"}], "outcomes": ["Reached", "NotReached"],
         OPTIONS
         "root": {"type": "Elsa.Sequence", "id": "cs", "activities": [
           LINE, EXTRA
           {"type": "Elsa.SetOutput", "id": "out", "outputName": "Result", "outputValue": {"typeName": "Object", "expression": {"type": "Literal", "value": 42}}}]}}
        """.Replace("LINE", Line("cw", "'Child received: ' + getInput('Message')")).Replace("EXTRA", extra).Replace("OPTIONS", options));

    private static WorkflowDefinition Parent(string wait) => WorkflowJson.Parse("""
        {"definitionId": "parent", "name": "Parent", "version": 1, "isPublished": true,
         "variables": [{"id": "ChildResult", "name": "ChildResult", "typeName": "Object"}],
         "root": {"type": "Elsa.Sequence", "id": "ps", "activities": [
           BEFORE,
           {"type": "Elsa.ExecuteWorkflow", "id": "exec",
            "workflowDefinitionId": {"typeName": "String", "expression": {"type": "Literal", "value": "child"}},
            "waitForCompletion": {"typeName": "Boolean", "expression": {"type": "Literal", "value": WAIT}},
            "correlationId": {"typeName": "String", "expression": {"type": "Literal", "value": "case-7"}},
            "input": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "({ Message: 'Hello from parent' })"}},
            "result": {"typeName": "ExecuteWorkflowResult", "memoryReference": {"id": "ChildResult"}}},
           AFTER]}}
        """.Replace("BEFORE", Line("before", "'Parent: before child'")).Replace("WAIT", wait)
           .Replace("AFTER", Line("after", "'Parent: after child ' + (getChildResult() ? getChildResult().output.Result : 'none')")));

    private static List<string> Lines(WorkflowState state) =>
        state.Journal.Where(j => j.Kind == TraceKinds.Log).Select(j => j.Detail!["text"]!.GetValue<string>()).ToList();

    private static string ChildId(WorkflowState parent) =>
        parent.Journal.Single(j => j.Kind == "child-started").Detail!["childInstanceId"]!.GetValue<string>();

    [Fact]
    public async Task ExecuteWorkflow_WaitForCompletion_ParentResumesWithTheChildsOutput()
    {
        var t = new TestRuntime();
        await t.PublishAsync(Child());
        await t.PublishAsync(Parent("true"));

        var started = await t.Runtime.StartAsync("parent");

        var parent = (await t.Store.LoadAsync(started.State!.Id))!;
        var child = (await t.Store.LoadAsync(ChildId(parent)))!;
        Assert.Equal(["Parent: before child", "Parent: after child 42"], Lines(parent));
        Assert.Equal(WorkflowStatus.Finished, parent.Status);
        Assert.Equal(["Child received: Hello from parent"], Lines(child));
        Assert.Equal(parent.Id, child.ParentInstanceId);
        Assert.Equal("exec", child.ParentActivityId);
        Assert.Equal("case-7", child.CorrelationId);
        Assert.Equal(42, parent.Variables["ChildResult"]!["output"]!["Result"]!.GetValue<int>());
    }

    [Fact]
    public async Task ExecuteWorkflow_NoWait_ParentGoesOnAndChildRunsOnItsOwn()
    {
        var t = new TestRuntime();
        await t.PublishAsync(Child());
        await t.PublishAsync(Parent("false"));

        var started = await t.Runtime.StartAsync("parent");

        var parent = (await t.Store.LoadAsync(started.State!.Id))!;
        Assert.Equal(["Parent: before child", "Parent: after child none"], Lines(parent));
        Assert.Equal(WorkflowStatus.Finished, parent.Status);
        Assert.Equal(WorkflowStatus.Finished, (await t.Store.LoadAsync(ChildId(parent)))!.Status);
    }

    [Fact]
    public async Task ExecuteWorkflow_ChildWaitsAcrossARestart_ParentResumedExactlyOnce()
    {
        var store = new InMemoryWorkflowStore();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var child = Child(extra: """{"type": "Elsa.Event", "id": "wait", "eventName": "Reached"},""");
        child.IsPublished = true;
        await store.SaveAsync(child);
        var parentDefinition = Parent("true");
        await store.SaveAsync(parentDefinition);
        var before = new WorkflowRuntime(new WorkflowRunner(), store, store, clock);
        var started = await before.StartAsync("parent");
        var childId = ChildId(started.State!);
        Assert.Equal(WorkflowStatus.Suspended, (await store.LoadAsync(childId))!.Status);
        Assert.Equal(WorkflowStatus.Suspended, (await store.LoadAsync(started.State!.Id))!.Status);

        // A new process: a new runner and runtime over the same stores; nothing kept in memory.
        var after = new WorkflowRuntime(new WorkflowRunner(), store, store, clock);
        Assert.Equal(1, await after.PublishEventAsync("Reached", "case-7"));
        // The child's end cannot be forged from outside (and was delivered once already).
        Assert.Equal(0, await after.PublishEventAsync(ChildWorkflows.FinishedEventName(childId), null, new JsonObject { ["status"] = "Finished" }));
        Assert.Equal(0, await after.DeliverOutboxAsync());

        var parent = (await store.LoadAsync(started.State.Id))!;
        Assert.Equal(WorkflowStatus.Finished, parent.Status);
        Assert.Single(Lines(parent), l => l.StartsWith("Parent: after child", StringComparison.Ordinal));
        Assert.Equal("Parent: after child 42", Lines(parent)[^1]);
    }

    [Fact]
    public async Task ExecuteWorkflow_UnpublishedChild_FaultsTheParentActivity()
    {
        var t = new TestRuntime();
        await t.PublishAsync(Parent("true"));

        var started = await t.Runtime.StartAsync("parent");

        var parent = (await t.Store.LoadAsync(started.State!.Id))!;
        Assert.Equal(WorkflowStatus.Faulted, parent.Status);
        Assert.Contains("No published workflow 'child'", Assert.Single(parent.Incidents).Message);
    }

    [Fact]
    public async Task DispatchWorkflow_FireAndForget_StartsALinkedChild()
    {
        var t = new TestRuntime();
        await t.PublishAsync(Child());
        await t.PublishAsync(WorkflowJson.Parse("""
            {"definitionId": "dispatcher", "version": 1, "isPublished": true, "root": {"type": "Elsa.DispatchWorkflow", "id": "d",
             "workflowDefinitionId": {"typeName": "String", "expression": {"type": "Literal", "value": "child"}},
             "input": {"typeName": "Object", "expression": {"type": "Object", "value": "{\"Message\": \"dispatched\"}"}}}}
            """));

        var started = await t.Runtime.StartAsync("dispatcher");

        var child = (await t.Store.LoadAsync(ChildId(started.State!)))!;
        Assert.Equal(["Child received: dispatched"], Lines(child));
        Assert.Equal(started.State!.Id, child.ParentInstanceId);
    }

    [Theory]
    [InlineData("Subworkflow test", "SubworkflowTest")]
    [InlineData("CacheInvalidation_Child", "CacheInvalidationChild")]
    [InlineData("follow-up check 2", "FollowUpCheck2")]
    public void TypeName_DefinitionName_IsElsasPascalCase(string name, string expected) =>
        Assert.Equal(expected, WorkflowDefinitionActivity.TypeName(name));

    [Fact]
    public async Task WorkflowAsActivity_UsableAsActivity_RunsAsAChildWithInputsOutputsAndOutcomes()
    {
        var child = Child(
            extra: """{"type": "Elsa.Complete", "id": "c", "outcomes": "Reached"},""",
            options: """ "options": {"usableAsActivity": true}, """);
        var runner = new WorkflowRunner();
        Assert.Equal("FollowUpCheck", runner.Registry.AddWorkflowActivity(child));
        var descriptor = runner.Registry.Find("FollowUpCheck")!.Descriptor;
        Assert.Equal(["Done", "Reached", "NotReached"], descriptor.Ports);
        Assert.Equal("Message", Assert.Single(descriptor.Inputs).Name);

        var parent = WorkflowJson.Parse("""
            {"definitionId": "uses", "version": 1, "isPublished": true,
             "variables": [{"id": "r", "name": "R", "typeName": "Object"}],
             "root": {"type": "Elsa.Flowchart", "id": "f", "activities": [
               {"type": "FollowUpCheck", "id": "check", "workflowDefinitionId": "child",
                "message": {"typeName": "String", "expression": {"type": "Literal", "value": "as an activity"}},
                "result": {"typeName": "Object", "memoryReference": {"id": "r"}}},
               {"type": "Elsa.WriteLine", "id": "reached", "text": "reached"},
               {"type": "Elsa.WriteLine", "id": "not", "text": "not reached"}],
              "connections": [
                {"source": {"activity": "check", "port": "Reached"}, "target": {"activity": "reached", "port": "In"}},
                {"source": {"activity": "check", "port": "NotReached"}, "target": {"activity": "not", "port": "In"}}]}}
            """);
        Assert.True(new WorkflowValidator(runner.Registry, new ExpressionEvaluator()).Validate(parent).IsValid);
        var t = new TestRuntime(runner);
        await t.PublishAsync(child);
        await t.PublishAsync(parent);

        var started = await t.Runtime.StartAsync("uses");

        var state = (await t.Store.LoadAsync(started.State!.Id))!;
        Assert.Equal(["reached"], Lines(state));
        Assert.Equal(WorkflowStatus.Finished, state.Status);
        Assert.Equal(["Child received: as an activity"], Lines((await t.Store.LoadAsync(ChildId(state)))!));
    }

    [Fact]
    public void Validate_WorkflowActivityNotRegistered_IsNamedAsUnknown()
    {
        var parent = WorkflowJson.Parse("""{"definitionId": "uses", "root": {"type": "FollowUpCheck", "id": "check"}}""");
        var error = Assert.Single(new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(parent).Errors);
        Assert.Contains("'FollowUpCheck' is not known", error.Message);
    }
}
