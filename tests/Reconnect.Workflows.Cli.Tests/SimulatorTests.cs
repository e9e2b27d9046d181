using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Simulation;
using Reconnect.Workflows.Cli.Tests.Support;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Cli.Tests;

/// <summary>The <see cref="Simulator"/> on its own: the real runtime, an in-memory store and a clock that jumps.</summary>
public sealed class SimulatorTests
{
    private static readonly DateTimeOffset Start = new(2027, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static async Task<(SimulationResult Result, List<TraceEvent> Trace)> RunAsync(ElsaWorkflow workflow, SimulationOptions options, ActivityRegistry? registry = null)
    {
        var definition = WorkflowJson.Parse(workflow.ToJson());
        var trace = new List<TraceEvent>();
        var simulator = new Simulator(new WorkflowRunner(registry ?? ActivityRegistry.CreateDefault()));
        var result = await simulator.RunAsync(definition, options, trace.Add);
        return (result, trace);
    }

    [Fact]
    public async Task RunAsync_TwoTimers_FinishesAtTheLastDueTimeWithTwoStimuli()
    {
        var workflow = new ElsaWorkflow("two").Start().Delay("a", "P90D").Delay("b", "P90D").Chain("start", "a", "b");

        var (result, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start });

        Assert.Equal(WorkflowStatus.Finished, result.Status);
        Assert.Equal(Start.AddDays(180), result.EndedAt);
        Assert.Equal(2, result.Stimuli);
        Assert.Equal([Start.AddDays(90), Start.AddDays(180)], trace.Where(t => t.Kind == TraceKinds.TimerFired).Select(t => t.At));
        Assert.Equal(TraceKinds.Started, trace[0].Kind);
        Assert.Equal(TraceKinds.Finished, trace[^1].Kind);
    }

    [Fact]
    public async Task RunAsync_UntilBeforeTheFirstTimer_LeavesTheInstanceSuspended()
    {
        var workflow = new ElsaWorkflow("wait").Start().Delay("a", "P10D").WriteLine("w", "x").Chain("start", "a", "w");

        var (result, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start, Until = Start.AddDays(9) });

        Assert.Equal(WorkflowStatus.Suspended, result.Status);
        Assert.Equal(0, result.Stimuli);
        Assert.Equal(Start, result.EndedAt);
        Assert.DoesNotContain(trace, t => t.Kind == TraceKinds.Log);
    }

    [Fact]
    public async Task RunAsync_RepeatingTimer_StopsAtMaxStimuli()
    {
        var workflow = new ElsaWorkflow("tick").Start().Timer("tick", "PT1H").WriteLine("w", "tick").Chain("start", "tick", "w", "tick");

        var (result, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start, MaxStimuli = 5 });

        Assert.Equal(WorkflowStatus.Suspended, result.Status);
        Assert.Equal(5, result.Stimuli);
        Assert.Equal(Start.AddHours(5), result.EndedAt);
        Assert.Equal(5, trace.Count(t => t.Kind == TraceKinds.Log));
    }

    [Fact]
    public async Task RunAsync_NothingToWaitFor_FinishesAtTheStart()
    {
        var workflow = new ElsaWorkflow("now").Start().WriteLine("w", "now").Chain("start", "w");

        var (result, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start });

        Assert.Equal(WorkflowStatus.Finished, result.Status);
        Assert.Equal(Start, result.EndedAt);
        Assert.All(trace, t => Assert.Equal(Start, t.At));
    }

    [Fact]
    public async Task RunAsync_EventWithNobodyWaiting_EmitsMatchedZeroAndKeepsGoing()
    {
        var workflow = new ElsaWorkflow("ev").Start().Event("ev", "go").WriteLine("w", "went").Chain("start", "ev", "w");
        var answers = Answers.Parse("""{"events": [{"after": "P1D", "name": "stop"}, {"after": "P2D", "name": "go", "payload": {"n": 1}}]}""");

        var (result, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start, Answers = answers });

        Assert.Equal(WorkflowStatus.Finished, result.Status);
        Assert.Equal(Start.AddDays(2), result.EndedAt);
        var received = trace.Where(t => t.Kind == TraceKinds.EventReceived).ToList();
        Assert.Equal(2, received.Count);
        Assert.Equal(Start.AddDays(1), received[0].At);
        Assert.Equal(0, (int)received[0].Detail!["matched"]!);
        Assert.Equal("ev", received[1].ActivityId);
        Assert.Equal(Start.AddDays(2), received[1].At);
    }

    [Fact]
    public async Task RunAsync_EventsOutOfOrderInTheFile_ArriveInTimeOrder()
    {
        var workflow = new ElsaWorkflow("ev").Start().Event("first", "one").Event("second", "two").Chain("start", "first", "second");
        var answers = Answers.Parse("""{"events": [{"after": "P2D", "name": "two"}, {"after": "P1D", "name": "one"}]}""");

        var (result, _) = await RunAsync(workflow, new SimulationOptions { Start = Start, Answers = answers });

        Assert.Equal(WorkflowStatus.Finished, result.Status);
        Assert.Equal(Start.AddDays(2), result.EndedAt);
    }

    [Fact]
    public async Task RunAsync_TaskAnswers_RouteByOutcome()
    {
        var workflow = new ElsaWorkflow("task").Start()
            .Activity("t", ChoiceTaskActivity.TypeName, "Decide", ("title", ElsaWorkflow.Lit("Decide")))
            .WriteLine("yes", "yes").WriteLine("no", "no")
            .Connect("start", "t").Connect("t", "yes", "Approve").Connect("t", "no", "Reject");
        var answers = Answers.Parse("""{"tasks": {"Decide": "Reject"}}""");

        var (result, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start, Answers = answers }, CliRunner.RegistryWithChoiceTask());

        Assert.Equal(WorkflowStatus.Finished, result.Status);
        Assert.Equal(["no"], trace.Where(t => t.Kind == TraceKinds.Log).Select(t => (string)t.Detail!["text"]!));
    }

    [Fact]
    public async Task RunAsync_Input_IsVisibleToScripts()
    {
        var workflow = new ElsaWorkflow("in").Start().WriteLineJs("w", "'n=' + getInput('n')").Chain("start", "w");

        var (_, trace) = await RunAsync(workflow, new SimulationOptions { Start = Start, Input = new JsonObject { ["n"] = 7 } });

        Assert.Equal("n=7", (string)trace.Single(t => t.Kind == TraceKinds.Log).Detail!["text"]!);
    }

    [Fact]
    public async Task RunAsync_DoesNotChangeTheDefinitionItIsGiven()
    {
        var json = new ElsaWorkflow("draft").Start().WriteLine("w", "x").Chain("start", "w").ToJson();
        var definition = WorkflowJson.Parse(json);
        definition.IsPublished = false;

        await new Simulator(new WorkflowRunner()).RunAsync(definition, new SimulationOptions { Start = Start }, _ => { });

        Assert.False(definition.IsPublished);
    }
}
