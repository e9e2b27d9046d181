using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary><c>GET /api/measures</c> on a small scenario driven through the API, the runtime and the test clock.</summary>
public class MeasuresApiTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Measures_SeededScenario_OpenByStageOverdueAndEngagement21(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        var runtime = app.Service<WorkflowRuntime>();
        // From noon, London time, whatever the hour the suite runs: the follow-ups fall due in the morning, and each of the
        // 22 days below must find that day's task open (from 00:00 to 09:00 the + 21 day one was not there yet).
        var clock = app.Service<ControllableTimeProvider>();
        var noon = LondonTime.AtLondonTime(LondonTime.Today(clock.GetUtcNow()), new TimeOnly(12, 0));
        if (clock.GetUtcNow() < noon) clock.Advance(noon - clock.GetUtcNow());
        var t0 = app.Today();

        // A: released today at LEI; engages at every follow-up, so its + 21 day check is Engaged.
        var a = (await manager.CreateReferralAsync(Body(t0, PrisonNumber(1), "LEI", releaseDate: t0)))["id"].Str();
        // B: at NHI, release planned t0 − 3, confirmed released t0 − 2; never contacted.
        var b = (await manager.CreateReferralAsync(Body(t0, PrisonNumber(2), "NHI", releaseDate: t0.AddDays(-3))))["id"].Str();
        await (await manager.EventAsync(b, "released", new JsonObject { ["date"] = D(t0.AddDays(-2)) })).JsonAsync(HttpStatusCode.OK);
        // C: at WEI, released in 60 days: not in any period.
        await manager.CreateReferralAsync(Body(t0, PrisonNumber(3), "WEI", releaseDate: t0.AddDays(60)));
        // D: at WEI, closed (consent withdrawn): not open.
        var d = (await manager.CreateReferralAsync(Body(t0, PrisonNumber(4), "WEI")))["id"].Str();
        await (await manager.EventAsync(d, "consent-withdrawn")).JsonAsync(HttpStatusCode.OK);

        var start = await Measures(manager, null);
        Assert.Equal(3, start["openReferralsTotal"]!.GetValue<int>());
        Assert.Equal(0, start["overdueTasks"]!["count"]!.GetValue<int>());
        Assert.Equal(D(t0.AddDays(-90)), start["engagement21"]!["from"].Str());
        Assert.Equal(D(t0), start["engagement21"]!["to"].Str());
        // A (planned date today) and B (released two days ago) are released, but their 21 days are not over: not counted yet.
        Assert.Equal(0, start["engagement21"]!["denominator"]!.GetValue<int>());
        Assert.Equal(0, start["engagement21"]!["numerator"]!.GetValue<int>());
        Assert.Null(start["engagement21"]!["share"]);
        // England's figure and the target beside ours.
        var national = start["engagement21"]!["national"]!;
        Assert.Equal(0.53, national["rate"]!.GetValue<double>());
        Assert.Equal(0.75, national["target"]!.GetValue<double>());
        Assert.Equal("2023-24", national["period"].Str());
        Assert.Equal("OHID Public Health Outcomes Framework C20", national["source"].Str());

        // 22 days, one at a time; A's navigator completes every task of A as Engaged (Continue for a monthly review).
        for (var day = 0; day < 22; day++)
        {
            await using (var db = await app.DbAsync())
            {
                var open = await db.Tasks.AsNoTracking().Where(t => t.SubjectId == a && t.Status == TaskStatuses.Open).ToListAsync();
                foreach (var task in open)
                {
                    var outcomes = JsonSerializer.Deserialize<List<string>>(task.OutcomesJson)!;
                    var outcome = outcomes.Contains("Engaged") ? "Engaged" : outcomes.Contains("Continue") ? "Continue" : outcomes[0];
                    Assert.True((await runtime.CompleteTaskAsync(task.Id, outcome)).Succeeded, task.Title);
                }
            }
            await (await admin.PostJsonAsync("/api/testing/clock", new JsonObject { ["advanceBy"] = "P1D" })).JsonAsync(HttpStatusCode.OK);
        }
        await using (var db = await app.DbAsync())
        {
            var engagement = await db.Tasks.AsNoTracking().Where(t => t.SubjectId == a && t.Title.Contains("21")).ToListAsync();
            Assert.Contains(engagement, t => t.Status == TaskStatuses.Completed && t.Outcome == "Engaged" && t.DataJson!.Contains("engagement-21", StringComparison.Ordinal));
        }

        var now = app.Service<ControllableTimeProvider>().GetUtcNow();
        var today = app.Today();
        var measures = await Measures(manager, $"?from={D(t0.AddDays(-10))}&to={D(today)}");
        var engagement21 = measures["engagement21"]!;
        // A engaged; B (released t0 − 2, never contacted, its 21 days now over) counts, not engaged.
        Assert.Equal(1, engagement21["numerator"]!.GetValue<int>());
        Assert.Equal(2, engagement21["denominator"]!.GetValue<int>());
        Assert.Equal(0.5, engagement21["share"]!.GetValue<double>());
        // Only A was released on t0 itself.
        var onT0 = (await Measures(manager, $"?from={D(t0)}&to={D(t0)}"))["engagement21"]!;
        Assert.Equal(1, onT0["numerator"]!.GetValue<int>());
        Assert.Equal(1, onT0["denominator"]!.GetValue<int>());
        Assert.Equal(1.0, onT0["share"]!.GetValue<double>());
        var before = (await Measures(manager, $"?from={D(t0.AddDays(-100))}&to={D(t0.AddDays(-50))}"))["engagement21"]!;
        Assert.Equal(0, before["denominator"]!.GetValue<int>());
        Assert.Null(before["share"]);

        // Open referrals and overdue tasks agree with the rows.
        await using (var db = await app.DbAsync())
        {
            var referrals = await db.Referrals.AsNoTracking().Where(r => r.ClosedAt == null).Select(r => new { r.Site, r.Stage }).ToListAsync();
            var open = measures["openReferrals"]!.AsArray();
            Assert.Equal(referrals.Count, measures["openReferralsTotal"]!.GetValue<int>());
            foreach (var group in referrals.GroupBy(r => (r.Site, r.Stage)))
                Assert.Contains(open, o => o!["site"].Str() == group.Key.Site && o["stage"].Str() == group.Key.Stage && o["count"]!.GetValue<int>() == group.Count());
            Assert.Contains(open, o => o!["site"].Str() == "LEI" && o["stage"].Str() == "PostRelease" && o["count"]!.GetValue<int>() == 1);
            Assert.DoesNotContain(open, o => o!["site"].Str() == "WEI" && o["stage"].Str() == "Closed");

            var tasks = await db.Tasks.AsNoTracking().Where(t => t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed).ToListAsync();
            var overdue = tasks.Where(t => t.DueAt is { } due && due < now).ToList();
            Assert.NotEmpty(overdue); // B's first contact, due t0 + 2, among them
            Assert.Equal(overdue.Count, measures["overdueTasks"]!["count"]!.GetValue<int>());
            foreach (var group in overdue.GroupBy(t => t.Site))
                Assert.Contains(measures["overdueTasks"]!["bySite"]!.AsArray(), s => s!["site"]?.GetValue<string>() == group.Key && s["count"]!.GetValue<int>() == group.Count());
            Assert.Contains(measures["overdueTasks"]!["bySite"]!.AsArray(), s => s!["site"]?.GetValue<string>() == "NHI");
            Assert.DoesNotContain(overdue, t => t.SubjectId == a);
        }

        await (await manager.GetAsync("/api/measures?from=yesterday")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.GetAsync($"/api/measures?from={D(today)}&to={D(today.AddDays(-1))}")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    private static async Task<JsonObject> Measures(HttpClient client, string? query) =>
        await (await client.GetAsync("/api/measures" + query)).JsonAsync(HttpStatusCode.OK);
}
