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
/// SPEC §11: start → wait for an event → resume on the event → finish, in memory, ours ≥ 10× WorkflowCore 3.22.
/// The rate is full cycles per second: N starts (each to its bookmark), then N events, each to a distinct correlation
/// id, all inside the timed section.
/// </summary>
public sealed class EventResumeScenario : IScenario
{
    public const double GoalRatio = 10;

    public string Name => "event-resume";

    public string Description => "start -> wait for event -> resume -> finish, in memory: ours vs WorkflowCore 3.22 (goal >= 10x)";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var runner = new WorkflowRunner();
        var definition = OursDefinitions.EventResume().Validated(runner);

        var ours = await Measure.ThroughputAsync("ours", options.OursN, options.WarmupRounds, options.Rounds,
            n => OursRoundAsync(runner, definition, n, options.Workers), log);
        var workflowCore = await Measure.ThroughputAsync("WorkflowCore", options.WorkflowCoreN, options.WarmupRounds, options.Rounds,
            n => WorkflowCoreRoundAsync(n, options.WorkflowCore, options.RoundTimeout), log);

        return ScenarioResult.Ratio(Name, ours, "WorkflowCore", workflowCore, GoalRatio);
    }

    private static string Key(int i) => "bench-" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<RoundOutcome> OursRoundAsync(WorkflowRunner runner, WorkflowDefinition definition, int n, int workers)
    {
        var host = await OursHost.CreateInMemoryAsync(runner, definition);
        var keys = Enumerable.Range(0, n).Select(Key).ToArray();
        var instanceIds = new string[n];
        Measure.Settle();

        var sw = Stopwatch.StartNew();
        var waiting = await Measure.ForEachAsync(n, workers, async i =>
        {
            var result = await host.Runtime.StartAsync(OursDefinitions.EventResumeId, correlationId: keys[i]);
            instanceIds[i] = result.State?.Id ?? "";
            return result.Succeeded && result.State!.Status == WorkflowStatus.Suspended;
        });
        var started = sw.Elapsed;
        var resumed = await Measure.ForEachAsync(n, workers, async i =>
            await host.Runtime.PublishEventAsync(OursDefinitions.EventName, keys[i]) == 1);
        sw.Stop();

        // Outside the clock: every instance really finished.
        var finished = 0;
        foreach (var id in instanceIds)
            if ((await host.Store.LoadAsync(id))?.Status == WorkflowStatus.Finished) finished++;
        return new RoundOutcome(n, Math.Min(Math.Min(waiting, resumed), finished), sw.Elapsed,
            $"starts {Ms(started)}, events {Ms(sw.Elapsed - started)}");
    }

    internal static async Task<RoundOutcome> WorkflowCoreRoundAsync(int n, WorkflowCoreSettings settings, TimeSpan timeout)
    {
        using var wc = WorkflowCoreHost.Create(settings);
        var arrivals = new Arrivals(n);
        wc.Registry.RegisterWorkflow(new EventResumeWorkflow(arrivals));
        wc.Start();
        var data = new EventData[n];
        for (var i = 0; i < n; i++) data[i] = new EventData { Key = Key(i) };
        wc.ExpectCompletions(n);
        Measure.Settle();

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await wc.Host.StartWorkflow(EventResumeWorkflow.DefinitionId, 1, data[i]);
        // Every instance reached its wait (signalled by the step before it, no polling); then one event per instance.
        // Events go out in the order the instances arrived, so the first are surely subscribed; WaitFor subscribes as of
        // DateTime.MinValue, so an event that overtakes its subscription is still delivered when the subscription is made.
        var started = sw.Elapsed;
        await Task.WhenAny(arrivals.All, Task.Delay(timeout));
        var waiting = sw.Elapsed;
        foreach (var key in arrivals.Keys) await wc.Host.PublishEvent(EventResumeWorkflow.EventName, key, null);
        var completed = await wc.WaitForCompletionsAsync(timeout);
        sw.Stop();
        return new RoundOutcome(n, completed, sw.Elapsed,
            $"starts {Ms(started)}, all waiting at {Ms(waiting)}, events to finish {Ms(sw.Elapsed - waiting)}");
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " ms";

    public sealed class EventData
    {
        public string Key { get; set; } = "";
        public object? Payload { get; set; }
    }

    /// <summary>Counts instances that reached the step before their wait; completes when all of them did.</summary>
    public sealed class Arrivals(int expected)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _keys = new();
        private int _count;

        public Task All => _all.Task;
        public IEnumerable<string> Keys => _keys;

        public void Arrive(string key)
        {
            _keys.Enqueue(key);
            if (Interlocked.Increment(ref _count) == expected) _all.TrySetResult();
        }
    }

    /// <summary>Start step → <c>WaitFor("go", data =&gt; data.Key)</c> → final step, as WorkflowCore's README writes it.</summary>
    public sealed class EventResumeWorkflow(Arrivals arrivals) : IWorkflow<EventData>
    {
        public const string DefinitionId = "bench-event-resume";
        public const string EventName = OursDefinitions.EventName;

        public string Id => DefinitionId;
        public int Version => 1;

        public void Build(IWorkflowBuilder<EventData> builder) => builder
            .StartWith(c =>
            {
                arrivals.Arrive(((EventData)c.Workflow.Data).Key);
                return ExecutionResult.Next();
            })
            .WaitFor(EventName, data => data.Key)
                .Output(data => data.Payload, step => step.EventData)
            .Then(_ => ExecutionResult.Next());
    }
}
