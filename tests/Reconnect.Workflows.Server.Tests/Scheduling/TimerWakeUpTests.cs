using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Scheduling;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Scheduling.SchedulingKit;

namespace Reconnect.Workflows.Server.Tests.Scheduling;

/// <summary>Timers on time: the dispatcher wakes at the next timer's due instant, not at its next poll (docs/scheduling.md).</summary>
public class TimerWakeUpTests
{
    // The safety poll an hour apart: only the wake-up can fire the timer within the test.
    private static readonly Dictionary<string, string?> Hourly = new() { ["Scheduling:TimerDispatchIntervalSeconds"] = "3600" };

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task EarlierTimerCommitted_ReArms_AndFiresWithinASecondOfDue(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, settings: Hourly);
        var client = await app.LoginAsync(ReconnectApp.Scheduler);
        await EventuallyAsync(async () => (await RunsAsync(client, Schedules.TimerDispatcher)).Count >= 1, "the dispatcher's first run at start-up");
        await PublishAsync(app, DelayWorkflow("delay-one-hour", "PT1H"));
        await PublishAsync(app, DelayWorkflow("delay-three-seconds", "PT3S"));
        var runtime = app.Service<WorkflowRuntime>();

        // First a timer an hour away (the wake-up is armed for it), then one three seconds away: its commit re-arms.
        var later = await runtime.StartAsync("delay-one-hour");
        var soon = await runtime.StartAsync("delay-three-seconds");
        var due = soon.State!.Bookmarks.Single().DueAt!.Value;

        await EventuallyAsync(async () => await JournalCountAsync(app, soon.State.Id, TraceKinds.TimerFired) == 1, "the three-second timer, fired by the wake-up", 20);
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var firedAt = await db.JournalEntries.Where(j => j.InstanceId == soon.State.Id && j.Kind == TraceKinds.TimerFired).Select(j => j.At).SingleAsync();
        Assert.InRange(firedAt - due, TimeSpan.Zero, TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, await JournalCountAsync(app, later.State!.Id, TraceKinds.TimerFired));

        // The run re-armed for the hour-away timer: the dispatcher's poll trigger and the wake-up, nothing more.
        await EventuallyAsync(async () => await QuartzTriggerCountAsync(app, Schedules.TimerDispatcher) == 2, "the wake-up re-armed for the next timer");
        Assert.Equal(1, await JournalCountAsync(app, soon.State.Id, TraceKinds.TimerFired));
    }
}
