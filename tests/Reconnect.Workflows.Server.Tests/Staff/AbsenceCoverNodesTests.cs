using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Testing;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary>The start and end of cover happen once with two nodes on one PostgreSQL database, each running its dispatcher.</summary>
public class AbsenceCoverNodesTests
{
    [Fact]
    public async Task Cover_TwoNodesOnePostgresDatabase_StartsAndEndsOnce()
    {
        await using var database = await TestDatabase.CreateAsync("PostgreSql");
        await using var first = ReconnectApp.StartOn(database, ReconnectApp.RepositoryWorkflows);
        var admin = await first.LoginAsync(ReconnectApp.Admin);
        async Task<string> NavigatorAsync(string email) =>
            (await (await admin.PostJsonAsync("/api/users", new JsonObject
            {
                ["email"] = email, ["roles"] = new JsonArray("Navigator"), ["site"] = "LEI", ["password"] = "Navigator-pass-2027",
            })).JsonAsync(HttpStatusCode.Created))["id"].Str();
        var away = await NavigatorAsync("nodes.away@reconnect.test");
        var cover = await NavigatorAsync("nodes.cover@reconnect.test");
        var manager = await first.LoginAsync(ReconnectApp.Manager);
        var today = first.Today();
        var referral = (await manager.CreateReferralAsync(Body(today, PrisonNumber(7401), site: "LEI", releaseDate: today.AddDays(60))))["id"].Str();
        await (await manager.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = away })).JsonAsync(HttpStatusCode.OK);
        await (await manager.PostJsonAsync($"/api/users/{away}/absences", new JsonObject
        {
            ["from"] = D(today.AddDays(1)), ["to"] = D(today.AddDays(1)), ["coverUserId"] = cover,
        })).JsonAsync(HttpStatusCode.Created);

        await using var second = ReconnectApp.StartOn(database, ReconnectApp.RepositoryWorkflows);
        var nodes = new[] { first, second };
        async Task<CoverRun[]> RunEverywhereAsync() =>
            await Task.WhenAll(nodes.SelectMany(n => new[] { n.Service<Absences>().RunDueAsync(), n.Service<Absences>().RunDueAsync() }));
        async Task<(string? Assignee, int Started, int Ended)> StateAsync()
        {
            await using var db = await second.DbAsync();
            var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral && t.Status == "Open");
            var kinds = await db.ReferralHistory.AsNoTracking().Where(h => h.ReferralId == referral).Select(h => h.Kind).ToListAsync();
            return (task.Assignee, kinds.Count(k => k == "cover-started"), kinds.Count(k => k == "cover-ended"));
        }

        foreach (var node in nodes) node.Service<ControllableTimeProvider>().Advance(TimeSpan.FromDays(1));
        Assert.True((await RunEverywhereAsync()).Sum(r => r.Started) <= 1);
        Assert.Equal((cover, 1, 0), await StateAsync());

        foreach (var node in nodes) node.Service<ControllableTimeProvider>().Advance(TimeSpan.FromDays(1));
        Assert.True((await RunEverywhereAsync()).Sum(r => r.Ended) <= 1);
        Assert.Equal((away, 1, 1), await StateAsync());
    }
}
