using Reconnect.Workflows.Application.Schedules;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Scheduling;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Scheduling.SchedulingKit;

namespace Reconnect.Workflows.Server.Tests.Scheduling;

/// <summary>Cron triggers derived from published definitions: one per definition, none after retract, across restarts (LESSONS.md).</summary>
public class CronScheduleTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task List_FreshServer_ShowsTimerDispatcher(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var client = await app.LoginAsync(ReconnectApp.Scheduler);
        var schedules = await SchedulesAsync(client);
        var dispatcher = Assert.Single(schedules.OfType<JsonObject>());
        Assert.Equal("timer-dispatcher", dispatcher["name"]!.GetValue<string>());
        Assert.Equal("timer-dispatcher", dispatcher["kind"]!.GetValue<string>());
        Assert.Equal("PT5S", dispatcher["interval"]!.GetValue<string>());
        Assert.True(dispatcher["state"]!.GetValue<string>() is "Normal" or "Blocked" or "Executing", dispatcher["state"]!.ToJsonString());
        Assert.NotNull(dispatcher["nextFireTime"]);
        Assert.Equal(1, await QuartzTriggerCountAsync(app, Schedules.TimerDispatcher));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Publish_CronWorkflow_ExactlyOneTriggerAtSevenLondon(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));

        Assert.Equal(1, await QuartzJobCountAsync(app, DailyCheck));
        Assert.Equal(1, await QuartzTriggerCountAsync(app, DailyCheck));
        var schedule = await ScheduleAsync(await app.LoginAsync(ReconnectApp.Scheduler), DailyCheck);
        Assert.NotNull(schedule);
        Assert.Equal("workflow", schedule!["kind"]!.GetValue<string>());
        Assert.Equal(DailyCheck, schedule["definitionId"]!.GetValue<string>());
        Assert.Equal("0 0 7 * * ?", schedule["cron"]!.GetValue<string>());
        Assert.Equal("Normal", schedule["state"]!.GetValue<string>());
        var next = Instant(schedule["nextFireTime"]);
        Assert.Equal(7, TimeZoneInfo.ConvertTime(next, Engine.Time.LondonTime.TimeZoneInfo).Hour);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task PublishAgain_NewVersionsAndRepeatedNotices_NeverTwoTriggers(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        await NotifyAsync(app, DailyCheck);
        await NotifyAsync(app, DailyCheck);
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 6 * * *", "v2"));
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => NotifyAsync(app, DailyCheck)));

        Assert.Equal(1, await QuartzJobCountAsync(app, DailyCheck));
        Assert.Equal(1, await QuartzTriggerCountAsync(app, DailyCheck));
        var schedule = await ScheduleAsync(await app.LoginAsync(ReconnectApp.Scheduler), DailyCheck);
        Assert.Equal("0 0 6 * * ?", schedule!["cron"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Retract_CronWorkflow_RemovesSchedule(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        await RetractAsync(app, DailyCheck);

        Assert.Equal(0, await QuartzJobCountAsync(app, DailyCheck));
        Assert.Equal(0, await QuartzTriggerCountAsync(app, DailyCheck));
        Assert.Null(await ScheduleAsync(await app.LoginAsync(ReconnectApp.Scheduler), DailyCheck));

        // Published again: back to exactly one.
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        Assert.Equal(1, await QuartzTriggerCountAsync(app, DailyCheck));
    }

    [Fact]
    public async Task Publish_NewVersionWithoutCron_RemovesSchedule()
    {
        await using var app = await ReconnectApp.StartAsync();
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        await PublishAsync(app, PlainWorkflow(DailyCheck));

        Assert.Equal(0, await QuartzJobCountAsync(app, DailyCheck));
        Assert.Null(await ScheduleAsync(await app.LoginAsync(ReconnectApp.Scheduler), DailyCheck));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Restart_SameDatabase_KeepsOneTriggerAndDropsWhatWasRetracted(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = ReconnectApp.NewWorkflowsFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, DailyCheck + ".json"), CronWorkflow(DailyCheck, "0 7 * * *"));

        await using (var first = ReconnectApp.StartOn(database, folder))
        {
            Assert.Equal(1, await QuartzTriggerCountAsync(first, DailyCheck));
            await PublishAsync(first, CronWorkflow("weekly-review", "0 9 * * 1"));
            Assert.Equal(1, await QuartzTriggerCountAsync(first, "weekly-review"));
            // Retracted while nobody reconciled (as if the node died right after the commit): start-up must catch it.
            await RetractAsync(first, "weekly-review", notify: false);
            Assert.Equal(1, await QuartzTriggerCountAsync(first, "weekly-review"));
        }

        await using (var second = ReconnectApp.StartOn(database, folder))
        {
            Assert.Equal(1, await QuartzJobCountAsync(second, DailyCheck));
            Assert.Equal(1, await QuartzTriggerCountAsync(second, DailyCheck));
            Assert.Equal(1, await QuartzTriggerCountAsync(second, Schedules.TimerDispatcher));
            Assert.Equal(0, await QuartzJobCountAsync(second, "weekly-review"));
            var names = (await SchedulesAsync(await second.LoginAsync(ReconnectApp.Scheduler))).Select(s => s!["name"]!.GetValue<string>()).ToList();
            Assert.Equal(["timer-dispatcher", DailyCheck], names);
        }
    }

    [Fact]
    public async Task TwoNodes_SamePostgresDatabase_OneTriggerEach()
    {
        await using var database = await TestDatabase.CreateAsync("PostgreSql");
        var folder = ReconnectApp.NewWorkflowsFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, DailyCheck + ".json"), CronWorkflow(DailyCheck, "0 7 * * *"));
        await using var first = ReconnectApp.StartOn(database, folder);
        await using var second = ReconnectApp.StartOn(database, folder);
        await Task.WhenAll(NotifyAsync(first, DailyCheck), NotifyAsync(second, DailyCheck));

        Assert.Equal(1, await QuartzTriggerCountAsync(second, DailyCheck));
        Assert.Equal(1, await QuartzTriggerCountAsync(second, Schedules.TimerDispatcher));
        Assert.NotEqual(
            (await first.Service<ScheduleManager>().GetSchedulerAsync()).SchedulerInstanceId,
            (await second.Service<ScheduleManager>().GetSchedulerAsync()).SchedulerInstanceId);
    }

    [Fact]
    public async Task TwoServers_DifferentDatabases_DoNotShareSchedules()
    {
        await using var a = await ReconnectApp.StartAsync();
        await using var b = await ReconnectApp.StartAsync();
        await PublishAsync(a, CronWorkflow(DailyCheck, "0 7 * * *"));

        Assert.Equal(1, await QuartzTriggerCountAsync(a, DailyCheck));
        Assert.Equal(0, await QuartzTriggerCountAsync(b, DailyCheck));
        Assert.Null(await ScheduleAsync(await b.LoginAsync(ReconnectApp.Scheduler), DailyCheck));
        Assert.NotEqual(a.Database.ConnectionString, b.Database.ConnectionString);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Trigger_CronWorkflow_StartsOneInstanceAndRecordsRun(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        var client = await app.LoginAsync(ReconnectApp.Scheduler);

        var response = await client.PostAsync($"/api/schedules/{DailyCheck}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await EventuallyAsync(async () => (await RunsAsync(client, DailyCheck)).Count > 0, "a recorded run");

        var run = Assert.Single(await RunsAsync(client, DailyCheck))!;
        Assert.True(run["succeeded"]!.GetValue<bool>(), run["message"]?.GetValue<string>());
        Assert.Equal(1, run["itemsTouched"]!.GetValue<int>());
        Assert.NotNull(run["finishedAt"]);
        Assert.Equal(1, await InstanceCountAsync(app, DailyCheck));
        var schedule = await ScheduleAsync(client, DailyCheck);
        Assert.Equal(1, schedule!["lastRun"]!["itemsTouched"]!.GetValue<int>());
    }

    [Fact]
    public async Task PauseResume_CronWorkflow_ChangesState()
    {
        await using var app = await ReconnectApp.StartAsync();
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        var client = await app.LoginAsync(ReconnectApp.Scheduler);

        var paused = await client.PostAsync($"/api/schedules/{DailyCheck}/pause", null);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("Paused", (await paused.Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());
        Assert.Equal("Paused", (await ScheduleAsync(client, DailyCheck))!["state"]!.GetValue<string>());

        // A re-deploy of the same version keeps it paused; so does a new version.
        await NotifyAsync(app, DailyCheck);
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 8 * * *", "v2"));
        Assert.Equal("Paused", (await ScheduleAsync(client, DailyCheck))!["state"]!.GetValue<string>());

        var resumed = await client.PostAsync($"/api/schedules/{DailyCheck}/resume", null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal("Normal", (await ScheduleAsync(client, DailyCheck))!["state"]!.GetValue<string>());

        var dispatcher = await client.PostAsync("/api/schedules/timer-dispatcher/pause", null);
        Assert.Equal("Paused", (await dispatcher.Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());
        await client.PostAsync("/api/schedules/timer-dispatcher/resume", null);
        Assert.NotEqual("Paused", (await ScheduleAsync(client, "timer-dispatcher"))!["state"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Put_ValidCron_NextFiveTimesAndKeptUntilNewVersion(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var folder = ReconnectApp.NewWorkflowsFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, DailyCheck + ".json"), CronWorkflow(DailyCheck, "0 7 * * *"));
        await using (var app = ReconnectApp.StartOn(database, folder))
        {
            var client = await app.LoginAsync(ReconnectApp.Scheduler);
            var response = await client.PutAsJsonAsync($"/api/schedules/{DailyCheck}", new { cron = "30 8 * * 1-5" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("0 30 8 ? * MON-FRI", body["schedule"]!["cron"]!.GetValue<string>());
            var times = body["nextFireTimes"]!.AsArray().Select(Instant).ToList();
            Assert.Equal(5, times.Count);
            Assert.All(times, t =>
            {
                var london = TimeZoneInfo.ConvertTime(t, Engine.Time.LondonTime.TimeZoneInfo);
                Assert.Equal((8, 30), (london.Hour, london.Minute));
                Assert.InRange((int)london.DayOfWeek, (int)DayOfWeek.Monday, (int)DayOfWeek.Friday);
            });
            Assert.Equal(times.Order().ToList(), times);

            // The same version re-announced (a re-deploy, another node's start-up) leaves the scheduler's choice alone.
            await NotifyAsync(app, DailyCheck);
            Assert.Equal("0 30 8 ? * MON-FRI", (await ScheduleAsync(client, DailyCheck))!["cron"]!.GetValue<string>());
        }
        await using (var restarted = ReconnectApp.StartOn(database, folder))
        {
            var client = await restarted.LoginAsync(ReconnectApp.Scheduler);
            Assert.Equal("0 30 8 ? * MON-FRI", (await ScheduleAsync(client, DailyCheck))!["cron"]!.GetValue<string>());
            Assert.Equal(1, await QuartzTriggerCountAsync(restarted, DailyCheck));

            // A new published version wins again.
            await PublishAsync(restarted, CronWorkflow(DailyCheck, "0 6 * * *", "v2"));
            Assert.Equal("0 0 6 * * ?", (await ScheduleAsync(client, DailyCheck))!["cron"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("not a cron")]
    [InlineData("0 25 * * *")]
    [InlineData("")]
    public async Task Put_BadCron_Is400WithCronError(string cron)
    {
        await using var app = await ReconnectApp.StartAsync();
        await PublishAsync(app, CronWorkflow(DailyCheck, "0 7 * * *"));
        var client = await app.LoginAsync(ReconnectApp.Scheduler);

        var response = await client.PutAsJsonAsync($"/api/schedules/{DailyCheck}", new { cron });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEmpty(problem["errors"]!["cron"]!.AsArray());
        Assert.Equal("0 0 7 * * ?", (await ScheduleAsync(client, DailyCheck))!["cron"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_EdgeCases_NoServerErrors()
    {
        await using var app = await ReconnectApp.StartAsync();
        var client = await app.LoginAsync(ReconnectApp.Scheduler);

        var unknown = await client.PutAsJsonAsync("/api/schedules/no-such-thing", new { cron = "0 7 * * *" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);

        var dispatcher = await client.PutAsJsonAsync("/api/schedules/timer-dispatcher", new { cron = "0 7 * * *" });
        Assert.Equal(HttpStatusCode.BadRequest, dispatcher.StatusCode);
        Assert.Contains("cron", (await dispatcher.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));

        var noBody = await client.PutAsync("/api/schedules/timer-dispatcher", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);

        foreach (var path in new[] { "/api/schedules/no-such-thing/trigger", "/api/schedules/no-such-thing/pause", "/api/schedules/no-such-thing/resume" })
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync(path, null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/schedules/no-such-thing/runs")).StatusCode);
    }

    [Fact]
    public async Task NextFireTimes_Preview_FiveTimesOrProblem()
    {
        await using var app = await ReconnectApp.StartAsync();
        var client = await app.LoginAsync(ReconnectApp.Manager);

        var ok = (await client.GetFromJsonAsync<JsonObject>("/api/schedules/next-fire-times?cron=" + Uri.EscapeDataString("0 7 * * *")))!;
        Assert.Equal("0 0 7 * * ?", ok["cron"]!.GetValue<string>());
        Assert.Equal(5, ok["nextFireTimes"]!.AsArray().Count);

        foreach (var query in new[] { "", "?cron=", "?cron=" + Uri.EscapeDataString("7am daily") })
        {
            var bad = await client.GetAsync("/api/schedules/next-fire-times" + query);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.NotEmpty((await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["cron"]!.AsArray());
        }
    }

    [Fact]
    public async Task Roles_Schedules_AnonymousNavigatorSchedulerManagerAdmin()
    {
        await using var app = await ReconnectApp.StartAsync();
        var anonymous = app.CreateClient();
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var referrer = await app.LoginAsync(ReconnectApp.Referrer);
        var scheduler = await app.LoginAsync(ReconnectApp.Scheduler);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        const string name = "timer-dispatcher";

        async Task<HttpStatusCode> Get(HttpClient c, string path) => (await c.GetAsync(path)).StatusCode;
        async Task<HttpStatusCode> Post(HttpClient c, string action) => (await c.PostAsync($"/api/schedules/{name}/{action}", null)).StatusCode;
        async Task<HttpStatusCode> Put(HttpClient c) => (await c.PutAsJsonAsync($"/api/schedules/{name}", new { cron = "0 7 * * *" })).StatusCode;

        foreach (var path in new[] { "/api/schedules", $"/api/schedules/{name}/runs", "/api/schedules/next-fire-times?cron=0+7+*+*+*" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await Get(anonymous, path));
            Assert.Equal(HttpStatusCode.Forbidden, await Get(navigator, path));
            Assert.Equal(HttpStatusCode.Forbidden, await Get(referrer, path));
            Assert.Equal(HttpStatusCode.OK, await Get(scheduler, path));
            Assert.Equal(HttpStatusCode.OK, await Get(manager, path));
            Assert.Equal(HttpStatusCode.OK, await Get(admin, path));
        }
        foreach (var action in new[] { "pause", "resume", "trigger" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await Post(anonymous, action));
            Assert.Equal(HttpStatusCode.Forbidden, await Post(navigator, action));
            Assert.Equal(HttpStatusCode.Forbidden, await Post(manager, action));
        }
        Assert.Equal(HttpStatusCode.OK, await Post(scheduler, "pause"));
        Assert.Equal(HttpStatusCode.OK, await Post(admin, "resume"));
        Assert.Equal(HttpStatusCode.Accepted, await Post(scheduler, "trigger"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Put(anonymous));
        Assert.Equal(HttpStatusCode.Forbidden, await Put(navigator));
        Assert.Equal(HttpStatusCode.Forbidden, await Put(manager));
        Assert.Equal(HttpStatusCode.BadRequest, await Put(scheduler)); // allowed, but the dispatcher has no cron
    }
}
