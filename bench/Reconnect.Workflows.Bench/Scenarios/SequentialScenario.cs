using System.Diagnostics;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Engine.Execution;
using WorkflowDefinition = Reconnect.Workflows.Engine.Model.WorkflowDefinition;
using WorkflowStatus = Reconnect.Workflows.Engine.Execution.WorkflowStatus;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// SPEC §11: a 10-step sequential workflow run to completion in memory, N instances, ours ≥ 10× WorkflowCore 3.22.
/// Ours: <see cref="Engine.Runtime.WorkflowRuntime.StartAsync(string, System.Text.Json.Nodes.JsonObject?, string?, CancellationToken)"/>
/// (find the published definition, create, step, commit to <see cref="Engine.Runtime.InMemoryWorkflowStore"/>).
/// WorkflowCore: <c>StartWorkflow</c> N times, then wait for N <c>WorkflowCompleted</c> lifecycle events.
/// </summary>
public sealed class SequentialScenario : IScenario
{
    public const double GoalRatio = 10;

    public string Name => "sequential-10";

    public string Description => "10-step sequential workflow to completion, in memory: ours vs WorkflowCore 3.22 (goal >= 10x)";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var runner = new WorkflowRunner();
        var definition = OursDefinitions.Sequential10().Validated(runner);

        var ours = await Measure.ThroughputAsync("ours", options.OursN, options.WarmupRounds, options.Rounds,
            n => OursRoundAsync(runner, definition, n, options.Workers), log);
        var workflowCore = await Measure.ThroughputAsync("WorkflowCore", options.WorkflowCoreN, options.WarmupRounds, options.Rounds,
            n => WorkflowCoreRoundAsync(n, options.WorkflowCore, options.RoundTimeout), log);

        return ScenarioResult.Ratio(Name, ours, "WorkflowCore", workflowCore, GoalRatio);
    }

    private static async Task<RoundOutcome> OursRoundAsync(WorkflowRunner runner, WorkflowDefinition definition, int n, int workers)
    {
        var host = await OursHost.CreateInMemoryAsync(runner, definition);
        Measure.Settle();

        var sw = Stopwatch.StartNew();
        var finished = await Measure.ForEachAsync(n, workers, async _ =>
        {
            var result = await host.Runtime.StartAsync(OursDefinitions.SequentialId);
            return result.Succeeded && result.State!.Status == WorkflowStatus.Finished;
        });
        sw.Stop();

        if (host.Store.InstanceCount != n) finished = Math.Min(finished, host.Store.InstanceCount);
        return new RoundOutcome(n, finished, sw.Elapsed);
    }

    private static async Task<RoundOutcome> WorkflowCoreRoundAsync(int n, WorkflowCoreSettings settings, TimeSpan timeout)
    {
        using var wc = WorkflowCoreHost.Create(settings);
        wc.Registry.RegisterWorkflow(new Sequential10Workflow());
        wc.Start();
        var data = new SequentialData[n];
        for (var i = 0; i < n; i++) data[i] = new SequentialData();
        wc.ExpectCompletions(n);
        Measure.Settle();

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await wc.Host.StartWorkflow(Sequential10Workflow.DefinitionId, 1, data[i]);
        var completed = await wc.WaitForCompletionsAsync(timeout);
        sw.Stop();
        return new RoundOutcome(n, completed, sw.Elapsed);
    }

    public sealed class SequentialData
    {
        public string? V1 { get; set; }
        public string? V2 { get; set; }
        public string? V3 { get; set; }
        public string? V4 { get; set; }
        public List<string> Lines { get; set; } = [];
    }

    /// <summary>
    /// The same ten steps on WorkflowCore: a start step, four "set variable" and four "write line" steps alternating, an end
    /// step. Inline step bodies writing the data object directly: the cheapest form WorkflowCore offers (its
    /// <c>.Input/.Output</c> mappings would cost it more), so the ratio errs in its favour.
    /// </summary>
    public sealed class Sequential10Workflow : IWorkflow<SequentialData>
    {
        public const string DefinitionId = "bench-sequential-10";

        public string Id => DefinitionId;
        public int Version => 1;

        public void Build(IWorkflowBuilder<SequentialData> builder) => builder
            .StartWith(_ => ExecutionResult.Next())
            .Then(c => Set(c, d => d.V1 = "value 1"))
            .Then(c => Write(c, "line 1"))
            .Then(c => Set(c, d => d.V2 = "value 2"))
            .Then(c => Write(c, "line 2"))
            .Then(c => Set(c, d => d.V3 = "value 3"))
            .Then(c => Write(c, "line 3"))
            .Then(c => Set(c, d => d.V4 = "value 4"))
            .Then(c => Write(c, "line 4"))
            .Then(_ => ExecutionResult.Next());

        private static ExecutionResult Set(IStepExecutionContext context, Action<SequentialData> set)
        {
            set((SequentialData)context.Workflow.Data);
            return ExecutionResult.Next();
        }

        private static ExecutionResult Write(IStepExecutionContext context, string line)
        {
            ((SequentialData)context.Workflow.Data).Lines.Add(line);
            return ExecutionResult.Next();
        }
    }
}
