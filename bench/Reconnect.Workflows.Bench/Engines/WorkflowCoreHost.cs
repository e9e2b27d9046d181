using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Bench.Harness;
using WorkflowCore.Interface;
using WorkflowCore.Models;
using WorkflowCore.Models.LifeCycleEvents;

namespace Reconnect.Workflows.Bench.Engines;

/// <summary>
/// WorkflowCore 3.22 as its README sets it up (<c>services.AddWorkflow()</c>: in-memory persistence, single-node queue,
/// lock and event hub), with the sleeps tuned down so that it is not handicapped by waiting (see <see cref="Configure"/>).
/// Completion is counted from its own lifecycle events (<see cref="WorkflowCompleted"/>), pushed to us as they happen,
/// so the measurement does not depend on any polling interval of ours.
/// </summary>
public sealed class WorkflowCoreHost : IDisposable
{
    private readonly ServiceProvider _services;
    private int _completed;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IWorkflowHost Host { get; }
    public IWorkflowRegistry Registry { get; }

    private WorkflowCoreHost(ServiceProvider services)
    {
        _services = services;
        Host = services.GetRequiredService<IWorkflowHost>();
        Registry = services.GetRequiredService<IWorkflowRegistry>();
        Host.OnLifeCycleEvent += OnLifeCycleEvent;
    }

    /// <summary>The settings applied on top of WorkflowCore's defaults. Kept in one place so bench/README.md can quote them.</summary>
    public static void Configure(WorkflowOptions options, WorkflowCoreSettings settings)
    {
        // The consumers sleep IdleTime whenever MaxConcurrentWorkflows items are in flight: keep that sleep short.
        options.UseIdleTime(settings.IdleTime);
        options.UseMaxConcurrentWorkflows(settings.MaxConcurrentWorkflows);
        // The poller only picks up work that missed the queues (e.g. an event that met a locked instance).
        options.UsePollInterval(settings.PollInterval);
    }

    public static WorkflowCoreHost Create(WorkflowCoreSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(); // no providers: nothing is written
        services.AddWorkflow(o => Configure(o, settings));
        return new WorkflowCoreHost(services.BuildServiceProvider());
    }

    public void Start() => Host.Start();

    /// <summary>Counting starts from zero; <see cref="WaitForCompletionsAsync"/> returns once <paramref name="count"/> instances completed.</summary>
    public void ExpectCompletions(int count)
    {
        Volatile.Write(ref _completed, 0);
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, count);
        if (count <= 0) _reached.TrySetResult();
    }

    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Waits until the expected number completed, or the timeout; returns how many completed.</summary>
    public async Task<int> WaitForCompletionsAsync(TimeSpan timeout)
    {
        await Task.WhenAny(_reached.Task, Task.Delay(timeout));
        return Completed;
    }

    private void OnLifeCycleEvent(LifeCycleEvent evt)
    {
        if (evt is WorkflowCompleted && Interlocked.Increment(ref _completed) >= Volatile.Read(ref _target)) _reached.TrySetResult();
    }

    public void Dispose()
    {
        Host.OnLifeCycleEvent -= OnLifeCycleEvent;
        try { Host.Stop(); } catch (Exception) { /* a host that never started */ }
        _services.Dispose();
    }

    /// <summary>The option values in effect (read from WorkflowCore's options object), for the log and the README.</summary>
    /// <remarks>With <paramref name="settings"/> null: WorkflowCore's own defaults.</remarks>
    public static string DescribeSettings(WorkflowCoreSettings? settings)
    {
        using var services = new ServiceCollection().AddLogging()
            .AddWorkflow(o => { if (settings is not null) Configure(o, settings); }).BuildServiceProvider();
        var options = services.GetRequiredService<WorkflowOptions>();
        var parts = new List<string>();
        foreach (var member in typeof(WorkflowOptions).GetMembers(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            object? value = member switch
            {
                FieldInfo f when !f.Name.Contains('<') => f.GetValue(options),
                PropertyInfo p when p.GetIndexParameters().Length == 0 && p.CanRead => p.GetValue(options),
                _ => null,
            };
            if (value is TimeSpan or int or bool)
                parts.Add($"{member.Name}={Convert.ToString(value, CultureInfo.InvariantCulture)}");
        }
        return string.Join(", ", parts.Distinct());
    }
}
