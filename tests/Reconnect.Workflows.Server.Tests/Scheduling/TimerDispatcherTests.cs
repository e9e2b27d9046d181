using Reconnect.Workflows.Application.Schedules;
using System.Net;
using System.Net.Http.Json;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Scheduling;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Scheduling.SchedulingKit;

namespace Reconnect.Workflows.Server.Tests.Scheduling;

/// <summary>The <c>timer-dispatcher</c> schedule resumes due timers exactly once, and says what it did.</summary>
public class TimerDispatcherTests
{
    // Long enough that only the runs a test asks for happen after start-up (the first fires when the scheduler starts).
    private static readonly Dictionary<string, string?> Hourly = new() { ["Scheduling:TimerDispatchIntervalSeconds"] = "3600" };

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Trigger_DelayDue_FiresOnceAndRecordsItemsTouched(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, settings: Hourly);
        var client = await app.LoginAsync(ReconnectApp.Scheduler);
        await EventuallyAsync(async () => (await RunsAsync(client, Schedules.TimerDispatcher)).Count >= 1, "the dispatcher's first run at start-up");
        await PublishAsync(app, DelayWorkflow("delay-one-hour", "PT1H"));
        var started = await app.Service<WorkflowRuntime>().StartAsync("delay-one-hour");
        Assert.Equal(WorkflowStatus.Suspended, started.State!.Status);
        var instanceId = started.State.Id;

        // The workflow clock moves on; nothing else fires the timer here.
        app.Service<ControllableTimeProvider>().Advance(TimeSpan.FromHours(2));
        var before = (await RunsAsync(client, Schedules.TimerDispatcher)).Count;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/schedules/timer-dispatcher/trigger", null)).StatusCode);
        await EventuallyAsync(async () => (await RunsAsync(client, Schedules.TimerDispatcher)).Count > before, "the triggered run");

        var run = (await RunsAsync(client, Schedules.TimerDispatcher))[0]!;
        Assert.True(run["succeeded"]!.GetValue<bool>(), run["message"]?.GetValue<string>());
        Assert.Equal(1, run["itemsTouched"]!.GetValue<int>());
        Assert.Equal(1, await JournalCountAsync(app, instanceId, TraceKinds.TimerFired));

        // Again: nothing is due any more, the timer does not fire twice.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/schedules/timer-dispatcher/trigger", null)).StatusCode);
        await EventuallyAsync(async () => (await RunsAsync(client, Schedules.TimerDispatcher)).Count > before + 1, "the second triggered run");
        Assert.Equal(0, (await RunsAsync(client, Schedules.TimerDispatcher))[0]!["itemsTouched"]!.GetValue<int>());
        Assert.Equal(1, await JournalCountAsync(app, instanceId, TraceKinds.TimerFired));
        Assert.Equal(WorkflowStatus.Finished, (await app.Service<IWorkflowInstanceStore>().LoadAsync(instanceId))!.Status);
    }

    [Fact]
    public async Task TestClock_ThenDispatcher_TimerFiresExactlyOnce()
    {
        await using var app = await ReconnectApp.StartAsync();
        await PublishAsync(app, DelayWorkflow("delay-one-hour", "PT1H"));
        var started = await app.Service<WorkflowRuntime>().StartAsync("delay-one-hour");
        var admin = await app.LoginAsync(ReconnectApp.Admin);

        (await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "PT2H" })).EnsureSuccessStatusCode();
        var before = (await RunsAsync(admin, Schedules.TimerDispatcher)).Count;
        await admin.PostAsync("/api/schedules/timer-dispatcher/trigger", null);
        await EventuallyAsync(async () => (await RunsAsync(admin, Schedules.TimerDispatcher)).Count > before, "a dispatcher run after the clock moved");

        Assert.Equal(1, await JournalCountAsync(app, started.State!.Id, TraceKinds.TimerFired));
    }

    [Fact]
    public async Task Dispatcher_OnItsOwn_FiresDueTimerWithinSeconds()
    {
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?> { ["Scheduling:TimerDispatchIntervalSeconds"] = "1" });
        await PublishAsync(app, DelayWorkflow("delay-one-hour", "PT1H"));
        var started = await app.Service<WorkflowRuntime>().StartAsync("delay-one-hour");
        app.Service<ControllableTimeProvider>().Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        await EventuallyAsync(async () => await JournalCountAsync(app, started.State!.Id, TraceKinds.TimerFired) == 1, "the dispatcher firing the timer by itself");
        await Task.Delay(2500); // a few more runs
        Assert.Equal(1, await JournalCountAsync(app, started.State!.Id, TraceKinds.TimerFired));
    }

    [Fact]
    public async Task Runs_ManyRuns_KeepsOnlyTheLastHundred()
    {
        await using var app = await ReconnectApp.StartAsync(settings: Hourly);
        var recorder = app.Service<ScheduleRunRecorder>();
        for (var i = 0; i < 130; i++) await recorder.RecordAsync("some-schedule", recorder.Now, true, i, null);

        var kept = await recorder.LastRunsAsync("some-schedule", 1000);
        Assert.Equal(100, kept.Count);
        Assert.Equal(129, kept[0].ItemsTouched);
        Assert.Equal(30, kept[^1].ItemsTouched);
    }

    [Fact]
    public async Task Health_SchedulerInStandby_IsUnhealthy()
    {
        await using var app = await ReconnectApp.StartAsync();
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        var scheduler = await app.Service<ScheduleManager>().GetSchedulerAsync();
        await scheduler.Standby();
        try
        {
            var response = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            await scheduler.Start();
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Options_BadInterval_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            ReconnectApp.StartAsync(settings: new Dictionary<string, string?> { ["Scheduling:TimerDispatchIntervalSeconds"] = "0" }));
        Assert.Contains("TimerDispatchIntervalSeconds", error.Message);
    }
}
