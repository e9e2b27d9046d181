using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary>Its own server: these tests move the clock forward.</summary>
public sealed class AbsenceServer : IAsyncLifetime
{
    public ReconnectApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary><c>/api/users/{id}/absences</c> and the start and end of cover (issue #12; docs/tasks.md, "Absence and cover").</summary>
public class AbsencesApiTests(AbsenceServer server) : IClassFixture<AbsenceServer>
{
    private const string Pass = "Navigator-pass-2027";
    private ReconnectApp App => server.App;
    private static int _next;

    private async Task<(string Id, string Email, HttpClient Client)> NavigatorAsync(string site = "LEI")
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        var email = $"absence.{Interlocked.Increment(ref _next)}.{Guid.NewGuid():N}"[..36] + "@reconnect.test";
        var id = (await (await admin.PostJsonAsync("/api/users", new JsonObject
        {
            ["email"] = email, ["roles"] = new JsonArray("Navigator"), ["site"] = site, ["password"] = Pass,
        })).JsonAsync(HttpStatusCode.Created))["id"].Str();
        return (id, email, await App.LoginAsync(email, Pass));
    }

    /// <summary>A LEI referral whose navigator is <paramref name="navigatorId"/>, and its open task (First contact).</summary>
    private async Task<(string Referral, string Task)> ReferralOfAsync(string navigatorId, int prison)
    {
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var referral = (await manager.CreateReferralAsync(Body(App.Today(), PrisonNumber(prison), site: "LEI", releaseDate: App.Today().AddDays(60))))["id"].Str();
        await (await manager.PostJsonAsync($"/api/referrals/{referral}/navigator", new JsonObject { ["navigatorId"] = navigatorId })).JsonAsync(HttpStatusCode.OK);
        await using var db = await App.DbAsync();
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral && t.Status == "Open");
        Assert.Equal(navigatorId, task.Assignee);
        return (referral, task.Id);
    }

    private async Task<string?> AssigneeAsync(string taskId)
    {
        await using var db = await App.DbAsync();
        return (await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId)).Assignee;
    }

    private static JsonObject Absence(DateOnly from, DateOnly to, string? cover) =>
        new() { ["from"] = D(from), ["to"] = D(to), ["coverUserId"] = cover };

    [Fact]
    public async Task Absence_StartAndEnd_MoveTasksToCoverAndBack_OnceAcrossConcurrentRuns()
    {
        var away = await NavigatorAsync();
        var cover = await NavigatorAsync();
        var (referral, firstContact) = await ReferralOfAsync(away.Id, 7301);
        var today = App.Today();

        var created = await (await away.Client.PostJsonAsync($"/api/users/{away.Id}/absences", Absence(today.AddDays(1), today.AddDays(3), cover.Id)))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(D(today.AddDays(1)), created["from"].Str());
        Assert.Equal(D(today.AddDays(3)), created["to"].Str());
        Assert.Equal(cover.Id, created["coverUserId"].Str());
        var listed = await (await away.Client.GetAsync($"/api/users/{away.Id}/absences")).ArrayAsync();
        Assert.Equal(created["id"].Str(), Assert.Single(listed)!["id"].Str());
        Assert.Equal(away.Id, await AssigneeAsync(firstContact)); // not begun yet
        Assert.Contains(await App.AuditAsync(), a => a.Action == "absence-create" && a.EntityType == "User" && a.EntityId == away.Id && a.UserName == away.Email);

        // The absence begins: two runs at once (two nodes), the cover starts once.
        var clock = App.Service<ControllableTimeProvider>();
        var absences = App.Service<Absences>();
        clock.Advance(TimeSpan.FromDays(1));
        var runs = await Task.WhenAll(absences.RunDueAsync(), absences.RunDueAsync());
        Assert.True(runs.Sum(r => r.Started) <= 1);
        Assert.Equal(cover.Id, await AssigneeAsync(firstContact));
        await using (var db = await App.DbAsync())
        {
            Assert.Single(await db.ReferralHistory.AsNoTracking().Where(h => h.ReferralId == referral && h.Kind == "cover-started").ToListAsync());
            Assert.NotNull((await db.StaffAbsences.AsNoTracking().SingleAsync(a => a.UserId == away.Id)).CoverStartedAt);
        }
        Assert.Equal(0, (await absences.RunDueAsync()).Started);

        // While away, the next task of their referral goes to the cover.
        await (await cover.Client.PostAsync($"/api/tasks/{firstContact}/claim", null)).JsonAsync(HttpStatusCode.OK);
        await (await cover.Client.PostJsonAsync($"/api/tasks/{firstContact}/complete", new JsonObject { ["outcome"] = "Engaged" })).JsonAsync(HttpStatusCode.OK);
        string assessment;
        await using (var db = await App.DbAsync())
        {
            var next = await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == referral && t.Status == "Open" && t.AssigneeRole == "Navigator");
            Assert.Equal(cover.Id, next.Assignee);
            assessment = next.Id;
        }

        // The absence ends (the day after its last day): the open task of their referral comes back to them, once.
        clock.Advance(TimeSpan.FromDays(3));
        runs = await Task.WhenAll(absences.RunDueAsync(), absences.RunDueAsync());
        Assert.True(runs.Sum(r => r.Ended) <= 1);
        Assert.Equal(away.Id, await AssigneeAsync(assessment));
        await using (var db = await App.DbAsync())
        {
            Assert.Single(await db.ReferralHistory.AsNoTracking().Where(h => h.ReferralId == referral && h.Kind == "cover-ended").ToListAsync());
            Assert.NotNull((await db.StaffAbsences.AsNoTracking().SingleAsync(a => a.UserId == away.Id)).CoverEndedAt);
        }
        Assert.Equal(0, (await absences.RunDueAsync()).Ended);

        // Over: it stays on the record.
        await (await away.Client.DeleteAsync($"/api/users/{away.Id}/absences/{created["id"].Str()}")).ProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Create_AbsenceBegunAlready_MovesTasksAtOnce_DeleteBringsThemBack_AndIsAudited()
    {
        var away = await NavigatorAsync();
        var (_, task) = await ReferralOfAsync(away.Id, 7302);
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var today = App.Today();

        // A manager records it, from yesterday, without cover: the task goes to the site's queue at once.
        var created = await (await manager.PostJsonAsync($"/api/users/{away.Id}/absences", Absence(today.AddDays(-1), today.AddDays(5), null))).JsonAsync(HttpStatusCode.Created);
        Assert.Null(created["coverUserId"]);
        Assert.True(created.ContainsKey("coverUserId"));
        Assert.Null(await AssigneeAsync(task));

        var deleted = await manager.DeleteAsync($"/api/users/{away.Id}/absences/{created["id"].Str()}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(away.Id, await AssigneeAsync(task));
        Assert.Empty(await (await away.Client.GetAsync($"/api/users/{away.Id}/absences")).ArrayAsync());
        Assert.Contains(await App.AuditAsync(), a => a.Action == "absence-delete" && a.EntityId == away.Id && a.UserName == ReconnectApp.Manager);
        await (await manager.DeleteAsync($"/api/users/{away.Id}/absences/{created["id"].Str()}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Create_BadRequests_AnswerProblemDetailsWithFieldErrors_AndWriteNothing()
    {
        var away = await NavigatorAsync();
        var other = await NavigatorAsync();
        var newHall = await NavigatorAsync("NHI");
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var today = App.Today();
        var url = $"/api/users/{away.Id}/absences";

        // someone else's: another navigator may not; nor a scheduler (the route's roles)
        await (await other.Client.PostJsonAsync(url, Absence(today.AddDays(1), today.AddDays(2), null))).ProblemAsync(HttpStatusCode.Forbidden);
        await (await other.Client.GetAsync(url)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.LoginAsync(ReconnectApp.Scheduler)).GetAsync(url)).StatusCode);

        async Task<string[]> ErrorsAsync(JsonObject body, HttpStatusCode status = HttpStatusCode.BadRequest) =>
            [.. (await (await away.Client.PostJsonAsync(url, body)).ProblemAsync(status))["errors"]!.AsObject().Select(e => e.Key)];
        Assert.Equal(["from", "to"], (await ErrorsAsync(new JsonObject())).Order());
        Assert.Equal(["from"], await ErrorsAsync(new JsonObject { ["from"] = "31/02/2027", ["to"] = D(today) }));
        Assert.Equal(["to"], await ErrorsAsync(Absence(today.AddDays(3), today.AddDays(1), null)));
        Assert.Equal(["to"], await ErrorsAsync(Absence(today.AddDays(-5), today.AddDays(-2), null)));
        Assert.Equal(["to"], await ErrorsAsync(Absence(today, today.AddDays(400), null)));
        Assert.Equal(["from"], await ErrorsAsync(Absence(today.AddDays(-60), today, null)));
        Assert.Equal(["coverUserId"], await ErrorsAsync(Absence(today.AddDays(1), today.AddDays(2), newHall.Id), HttpStatusCode.UnprocessableEntity));
        Assert.Equal(["coverUserId"], await ErrorsAsync(Absence(today.AddDays(1), today.AddDays(2), away.Id), HttpStatusCode.UnprocessableEntity));
        await (await away.Client.PostJsonAsync(url, new JsonObject { ["from"] = D(today), ["to"] = D(today), ["reason"] = "x" })).ProblemAsync(HttpStatusCode.BadRequest);

        // overlapping another of theirs: 409; an unknown account: 404; not a navigator: 409
        await (await away.Client.PostJsonAsync(url, Absence(today.AddDays(10), today.AddDays(12), other.Id))).JsonAsync(HttpStatusCode.Created);
        await (await away.Client.PostJsonAsync(url, Absence(today.AddDays(12), today.AddDays(14), null))).ProblemAsync(HttpStatusCode.Conflict);
        await (await manager.PostJsonAsync("/api/users/nobody/absences", Absence(today.AddDays(1), today.AddDays(2), null))).ProblemAsync(HttpStatusCode.NotFound);
        var schedulerId = await App.UserIdAsync(ReconnectApp.Scheduler);
        await (await manager.PostJsonAsync($"/api/users/{schedulerId}/absences", Absence(today.AddDays(1), today.AddDays(2), null))).ProblemAsync(HttpStatusCode.Conflict);

        await using var db = await App.DbAsync();
        Assert.Single(await db.StaffAbsences.AsNoTracking().Where(a => a.UserId == away.Id).ToListAsync());
    }

    [Fact]
    public async Task Caseloads_Manager_SeesEachActiveNavigatorsReferralsTasksAndAbsence_OthersAreRefused()
    {
        var navigator = await NavigatorAsync();
        await ReferralOfAsync(navigator.Id, 7303);
        var manager = await App.LoginAsync(ReconnectApp.Manager);
        var today = App.Today();

        var before = (await (await manager.GetAsync("/api/caseloads")).ArrayAsync()).Single(c => c!["userId"].Str() == navigator.Id)!;
        Assert.Equal(navigator.Email, before["email"].Str());
        Assert.Equal("LEI", before["site"].Str());
        Assert.Equal(1, before["openReferrals"].Int());
        Assert.Equal(1, before["openTasks"].Int());
        Assert.Equal(0, before["overdueTasks"].Int());
        Assert.Null(before["absentUntil"]);
        Assert.True(before.AsObject().ContainsKey("absentUntil"));
        Assert.Equal(25, before["max"].Int());

        // Away from today without cover: the task went to the queue; the referral stays theirs.
        await (await manager.PostJsonAsync($"/api/users/{navigator.Id}/absences", Absence(today, today.AddDays(2), null))).JsonAsync(HttpStatusCode.Created);
        var during = (await (await manager.GetAsync("/api/caseloads")).ArrayAsync()).Single(c => c!["userId"].Str() == navigator.Id)!;
        Assert.Equal(1, during["openReferrals"].Int());
        Assert.Equal(0, during["openTasks"].Int());
        Assert.Equal(D(today.AddDays(2)), during["absentUntil"].Str());

        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.Client.GetAsync("/api/caseloads")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.LoginAsync(ReconnectApp.Admin)).GetAsync("/api/caseloads")).StatusCode);
    }
}
