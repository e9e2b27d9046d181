using System.Net;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>
/// The default pathway (SPEC §3) driven only through the HTTP API (SPEC §7), as its users would: a referrer creates
/// the referral, the Leeds navigator works their inbox and sends events, an admin moves the test clock, a manager reads
/// the measures. Nothing is read from or written to the database; the only server-side read is the start date
/// (<c>ReferralService.Today</c>) to choose the release date.
/// </summary>
public class PathwayHttpTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(PathwayKit.Postgres)]
    public async Task PathwayHttp_ReleaseInThirtyDays_EveryStageThroughTheApi_ClosesNeedsMetAndCountsInEngagement(string provider)
    {
        await using var users = await Users.StartAsync(provider);
        var today = users.App.Today();
        var release = today.AddDays(30);

        // The referrer: 201 with the window (release − 12 weeks … release + 4 weeks).
        var created = await users.Referrer.CreateReferralAsync(Body(today, PrisonNumber(1), releaseDate: release));
        var id = created["id"].Str();
        Assert.Equal("Triage", created["stage"].Str());
        Assert.False(string.IsNullOrEmpty(created["workflowInstanceId"].Str()));
        Assert.Equal(D(release.AddDays(-84)), created["window"]!["opens"].Str());
        Assert.Equal(D(release.AddDays(28)), created["window"]!["closes"].Str());

        // The navigator's inbox: first contact, due referral date + 2 days, for them.
        var first = await users.InboxTaskAsync(id, "First contact");
        Assert.Equal(D(today.AddDays(2)), first["dueDate"].Str());
        Assert.Equal(await users.App.UserIdAsync(ReconnectApp.NavigatorLeeds), first["assignee"].Str());
        Assert.Equal(["Engaged", "Declined", "UnableToContact"], first["outcomes"]!.AsArray().Select(o => o.Str()));
        var done = await users.CompleteAsync(first, "Engaged", "Spoke on the wing; wants help with GP and medication.");
        Assert.Equal("Spoke on the wing; wants help with GP and medication.", done["notes"].Str());

        // Pre-release: the needs assessment, due release − 28 days (sooner than today + 5).
        var referral = await users.Navigator.GetReferralAsync(id);
        Assert.Equal("PreRelease", referral["stage"].Str());
        var assessment = Assert.Single(referral["openTasks"]!.AsArray())!;
        Assert.Equal("Needs assessment and support plan", assessment["title"].Str());
        Assert.Equal(D(release.AddDays(-28)), assessment["dueDate"].Str());
        Assert.Equal(["Done"], assessment["outcomes"]!.AsArray().Select(o => o.Str()));
        Assert.Contains(referral["timers"]!.AsArray(), t => t!["activityId"].Str() == "weekBefore");
        await users.CompleteAsync(assessment.AsObject(), "Done", "GP registration started.");
        Assert.Empty(await users.InboxAsync(id));

        // Release − 7 days (09:00): confirm the release-day arrangements, not a day earlier.
        await users.ClockToAsync(release.AddDays(-8), 10);
        Assert.Empty(await users.InboxAsync(id));
        await users.ClockToAsync(release.AddDays(-7), 10);
        var confirm = await users.InboxTaskAsync(id, "Confirm release-day arrangements");
        Assert.Equal(D(release.AddDays(-1)), confirm["dueDate"].Str());
        await users.CompleteAsync(confirm, "Done");

        // Release day (08:00): release-day support; done → post-release. Then the navigator records the release.
        await users.ClockToAsync(release, 7);
        Assert.Empty(await users.InboxAsync(id));
        await users.ClockToAsync(release, 9);
        var releaseDay = await users.InboxTaskAsync(id, "Release-day support");
        Assert.Equal(D(release), releaseDay["dueDate"].Str());
        await users.CompleteAsync(releaseDay, "Done", "Met at the gate.");
        Assert.Equal("PostRelease", (await users.Navigator.GetReferralAsync(id))["stage"].Str());
        var released = await (await users.Navigator.EventAsync(id, "released", new JsonObject { ["date"] = D(release) })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("PostRelease", released["stage"].Str());
        Assert.Equal(D(release), (await users.Navigator.GetReferralAsync(id))["releasedOn"].Str());

        // Follow-up checks at release + 2, + 7 and + 21 days (09:00), one at a time, each due two days after it appears.
        foreach (var days in new[] { 2, 7, 21 })
        {
            var title = $"Follow-up check (release + {days} days)";
            await users.ClockToAsync(release.AddDays(days), 8);
            Assert.Empty(await users.InboxAsync(id));
            await users.ClockToAsync(release.AddDays(days), 10);
            var check = await users.InboxTaskAsync(id, title);
            Assert.Equal(D(release.AddDays(days + 2)), check["dueDate"].Str());
            Assert.Equal(["Engaged", "NotEngaged", "UnableToContact"], check["outcomes"]!.AsArray().Select(o => o.Str()));
            await users.CompleteAsync(check, "Engaged");
            Assert.Empty(await users.InboxAsync(id));
        }

        // Monthly reviews, 30 days after the last outcome: Continue, then NeedsMet → closed.
        await users.ClockByAsync(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));
        Assert.Empty(await users.InboxAsync(id));
        await users.ClockByAsync(TimeSpan.FromMinutes(2));
        await users.CompleteAsync(await users.InboxTaskAsync(id, "Monthly review"), "Continue", "Settled; keep in touch.");
        await users.ClockByAsync(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var review = await users.InboxTaskAsync(id, "Monthly review");
        Assert.Equal(["NeedsMet", "Continue", "Extend"], review["outcomes"]!.AsArray().Select(o => o.Str()));
        await users.CompleteAsync(review, "NeedsMet");

        // Closed, needs met: the stages and the release in the history, nothing left open.
        var closed = await users.Navigator.GetReferralAsync(id);
        Assert.Equal("Closed", closed["stage"].Str());
        Assert.Equal("NeedsMet", closed["closureReason"].Str());
        Assert.NotNull(closed["closedAt"]);
        Assert.Empty(closed["openTasks"]!.AsArray());
        Assert.Empty(closed["timers"]!.AsArray());
        var history = closed["history"]!.AsArray().Select(h => h!.AsObject()).ToList();
        Assert.Equal("created", history[0]["kind"].Str());
        Assert.Equal(["Stage: Triage", "Stage: PreRelease", "Stage: PostRelease"], history.Where(h => h["kind"].Str() == "stage").Select(h => h["summary"].Str()));
        Assert.Contains(history, h => h["kind"].Str() == "event" && h["summary"].Str() == $"Released on {D(release)}");
        Assert.Contains(history, h => h["kind"].Str() == "closed" && h["summary"].Str() == "Closed: NeedsMet");
        Assert.Empty(await users.InboxAsync(id));
        var completed = (await users.ListAsync("?assignee=me&status=completed")).Where(t => t!["referralId"].Str() == id).ToList();
        Assert.Equal(4 + 3 + 2, completed.Count);
        Assert.All(completed, t => Assert.Equal("Completed", t!["status"].Str()));

        // The referrer sees the status only: closed, needs met.
        var status = await users.Referrer.GetReferralAsync(id);
        Assert.Equal(("Closed", "NeedsMet"), (status["stage"].Str(), status["closureReason"].Str()));

        // The manager's measures: this referral, released in the period, engaged at + 21 days.
        var measures = await (await users.Manager.GetAsync($"/api/measures?from={D(release.AddDays(-1))}&to={D(release.AddDays(1))}")).JsonAsync(HttpStatusCode.OK);
        var engagement = measures["engagement21"]!;
        Assert.Equal((1, 1), (engagement["numerator"].Int(), engagement["denominator"].Int()));
        Assert.Equal(1.0, engagement["share"]!.GetValue<double>());
        var byDefault = (await (await users.Manager.GetAsync("/api/measures")).JsonAsync(HttpStatusCode.OK))["engagement21"]!;
        Assert.Equal((1, 1), (byDefault["numerator"].Int(), byDefault["denominator"].Int()));
        var before = (await (await users.Manager.GetAsync($"/api/measures?from={D(today.AddDays(-90))}&to={D(release.AddDays(-1))}")).JsonAsync(HttpStatusCode.OK))["engagement21"]!;
        Assert.Equal((0, 0), (before["numerator"].Int(), before["denominator"].Int()));
        Assert.Equal(0, measures["openReferralsTotal"].Int());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(PathwayKit.Postgres)]
    public async Task PathwayHttp_FirstContactDeclined_ClosedDeclinedSupport(string provider)
    {
        await using var users = await Users.StartAsync(provider);
        var today = users.App.Today();
        var id = (await users.Referrer.CreateReferralAsync(Body(today, PrisonNumber(2))))["id"].Str();

        var first = await users.InboxTaskAsync(id, "First contact");
        await users.CompleteAsync(first, "Declined", "Does not want support.");

        var referral = await users.Navigator.GetReferralAsync(id);
        Assert.Equal("Closed", referral["stage"].Str());
        Assert.Equal("DeclinedSupport", referral["closureReason"].Str());
        Assert.Empty(referral["openTasks"]!.AsArray());
        Assert.Empty(referral["timers"]!.AsArray());
        Assert.Contains(referral["history"]!.AsArray(), h => h!["kind"].Str() == "closed" && h["summary"].Str() == "Closed: DeclinedSupport");
        Assert.Empty(await users.InboxAsync(id));
        var task = await (await users.Navigator.GetAsync($"/api/tasks/{first["id"].Str()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("Completed", "Declined"), (task["status"].Str(), task["outcome"].Str()));
        await (await users.Navigator.PostJsonAsync($"/api/tasks/{first["id"].Str()}/complete", new JsonObject { ["outcome"] = "Engaged" })).ProblemAsync(HttpStatusCode.Conflict);
        // A closed referral takes no events; a new referral for the same person is no longer a duplicate.
        await (await users.Navigator.EventAsync(id, "consent-withdrawn")).ProblemAsync(HttpStatusCode.Conflict);
        await users.Referrer.CreateReferralAsync(Body(today, PrisonNumber(2)));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(PathwayKit.Postgres)]
    public async Task PathwayHttp_ConsentWithdrawnBeforeRelease_ClosedAndOpenTaskCancelled(string provider)
    {
        await using var users = await Users.StartAsync(provider);
        var today = users.App.Today();
        var release = today.AddDays(30);
        var id = (await users.Referrer.CreateReferralAsync(Body(today, PrisonNumber(3), releaseDate: release)))["id"].Str();
        await users.CompleteAsync(await users.InboxTaskAsync(id, "First contact"), "Engaged");
        var assessment = await users.InboxTaskAsync(id, "Needs assessment and support plan");
        var assessmentId = assessment["id"].Str();

        var withdrawn = await (await users.Navigator.EventAsync(id, "consent-withdrawn")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Closed", withdrawn["stage"].Str());

        var referral = await users.Navigator.GetReferralAsync(id);
        Assert.Equal(("Closed", "ConsentWithdrawn"), (referral["stage"].Str(), referral["closureReason"].Str()));
        Assert.Empty(referral["openTasks"]!.AsArray());
        Assert.Empty(referral["timers"]!.AsArray());
        Assert.Contains(referral["history"]!.AsArray(), h => h!["kind"].Str() == "event" && h["summary"].Str() == "Consent withdrawn");
        Assert.Empty(await users.InboxAsync(id));
        var task = await (await users.Navigator.GetAsync($"/api/tasks/{assessmentId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Cancelled", task["status"].Str());
        Assert.False(task["overdue"]!.GetValue<bool>());
        Assert.Contains(await users.ListAsync("?assignee=me&status=cancelled"), t => t!["id"].Str() == assessmentId);
        await (await users.Navigator.PostJsonAsync($"/api/tasks/{assessmentId}/complete", new JsonObject { ["outcome"] = "Done" })).ProblemAsync(HttpStatusCode.Conflict);
        await (await users.Navigator.PostAsync($"/api/tasks/{assessmentId}/claim", null)).ProblemAsync(HttpStatusCode.Conflict);

        // Nothing is left waiting: the week-before and release-day timers are gone.
        await users.ClockToAsync(release, 10);
        Assert.Empty(await users.InboxAsync(id));
        Assert.Equal("Closed", (await users.Navigator.GetReferralAsync(id))["stage"].Str());
    }

    /// <summary>Issue 15: an early release recorded through the API moves the case at once, from the actual date.</summary>
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(PathwayKit.Postgres)]
    public async Task PathwayHttp_EarlyRelease_PostReleaseAtOnceFollowUpsFromTheActualDate(string provider)
    {
        await using var users = await Users.StartAsync(provider);
        var today = users.App.Today();
        var id = (await users.Referrer.CreateReferralAsync(Body(today, PrisonNumber(4), releaseDate: today.AddDays(30))))["id"].Str();
        await users.CompleteAsync(await users.InboxTaskAsync(id, "First contact"), "Engaged");
        var assessmentId = (await users.InboxTaskAsync(id, "Needs assessment and support plan"))["id"].Str();

        var answer = await (await users.Navigator.EventAsync(id, "released", new JsonObject { ["date"] = D(today) })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("PostRelease", answer["stage"].Str());
        var referral = await users.Navigator.GetReferralAsync(id);
        Assert.Equal(("PostRelease", D(today)), (referral["stage"].Str(), referral["releasedOn"].Str()));
        Assert.Empty(referral["openTasks"]!.AsArray());
        var timers = referral["timers"]!.AsArray().Select(t => t!["activityId"].Str()).ToList();
        Assert.Contains("followUp2Timer", timers);
        Assert.Contains("supportEnds", timers);
        Assert.DoesNotContain("weekBefore", timers);
        Assert.DoesNotContain("releaseDay", timers);
        Assert.Contains(referral["history"]!.AsArray(), h => h!["kind"].Str() == "task-cancelled"
            && h["summary"].Str() == "Cancelled: Needs assessment and support plan. The person was released: pre-release work is no longer needed.");
        var cancelled = await (await users.Navigator.GetAsync($"/api/tasks/{assessmentId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Cancelled", cancelled["status"].Str());

        // A second release message is a correction, not lost: the listener waits again.
        var again = await (await users.Navigator.EventAsync(id, "released", new JsonObject { ["date"] = D(today.AddDays(-1)) })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("PostRelease", again["stage"].Str());
        Assert.Equal(D(today.AddDays(-1)), (await users.Navigator.GetReferralAsync(id))["releasedOn"].Str());

        await users.ClockToAsync(today.AddDays(1), 10); // release (corrected) + 2 days, 09:00
        Assert.Equal(D(today.AddDays(3)), (await users.InboxTaskAsync(id, "Follow-up check (release + 2 days)"))["dueDate"].Str());
    }

    /// <summary>The pathway's users, each signed in with a bearer token: referrer, Leeds navigator, manager, admin (the test clock).</summary>
    private sealed class Users(ReconnectApp app, HttpClient referrer, HttpClient navigator, HttpClient manager, HttpClient admin) : IAsyncDisposable
    {
        public ReconnectApp App { get; } = app;
        public HttpClient Referrer { get; } = referrer;
        public HttpClient Navigator { get; } = navigator;
        public HttpClient Manager { get; } = manager;

        public static async Task<Users> StartAsync(string provider)
        {
            var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows);
            try
            {
                return new Users(app, await app.LoginAsync(ReconnectApp.Referrer), await app.LoginAsync(ReconnectApp.NavigatorLeeds),
                    await app.LoginAsync(ReconnectApp.Manager), await app.LoginAsync(ReconnectApp.Admin));
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }

        /// <summary><c>GET /api/tasks{query}</c> as the navigator (one page of 200).</summary>
        public async Task<JsonArray> ListAsync(string query)
        {
            var page = await (await Navigator.GetAsync($"/api/tasks{query}&pageSize=200")).JsonAsync(HttpStatusCode.OK);
            Assert.False(page["hasMore"]!.GetValue<bool>());
            return page["items"]!.AsArray();
        }

        /// <summary>The navigator's open tasks (<c>assignee=me&amp;status=open</c>) for the referral.</summary>
        public async Task<List<JsonObject>> InboxAsync(string referralId) =>
            (await ListAsync("?assignee=me&status=open")).Where(t => t!["referralId"].Str() == referralId).Select(t => t!.AsObject()).ToList();

        /// <summary>The one open task with this title in the navigator's inbox for the referral (and the only one).</summary>
        public async Task<JsonObject> InboxTaskAsync(string referralId, string title)
        {
            var inbox = await InboxAsync(referralId);
            Assert.True(inbox.Count == 1 && inbox[0]["title"].Str() == title,
                $"Expected only '{title}' in the inbox; found: {string.Join(", ", inbox.Select(t => t["title"].Str()))}");
            Assert.Equal("Open", inbox[0]["status"].Str());
            Assert.False(inbox[0]["overdue"]!.GetValue<bool>());
            return inbox[0];
        }

        /// <summary><c>POST /api/tasks/{id}/complete</c> as the navigator; asserts 200 Completed with the outcome.</summary>
        public async Task<JsonObject> CompleteAsync(JsonObject task, string outcome, string? notes = null)
        {
            var body = new JsonObject { ["outcome"] = outcome };
            if (notes is not null) body["notes"] = notes;
            var done = await (await Navigator.PostJsonAsync($"/api/tasks/{task["id"].Str()}/complete", body)).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(("Completed", outcome), (done["status"].Str(), done["outcome"].Str()));
            return done;
        }

        public async Task<DateTimeOffset> NowAsync() =>
            DateTimeOffset.Parse((await (await admin.GetAsync("/api/testing/clock")).JsonAsync(HttpStatusCode.OK))["now"].Str(), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Moves the test clock to this London date and hour (<c>POST /api/testing/clock</c> as admin).</summary>
        public async Task ClockToAsync(DateOnly date, int hour)
        {
            var by = LondonTime.AtLondonTime(date, new TimeOnly(hour, 0)) - await NowAsync();
            Assert.True(by > TimeSpan.Zero, $"The clock is already past {date} {hour}:00.");
            await ClockByAsync(by);
        }

        public async Task ClockByAsync(TimeSpan by)
        {
            var before = await NowAsync();
            var seconds = (long)Math.Ceiling(by.TotalSeconds);
            var moved = await (await admin.PostJsonAsync("/api/testing/clock", new JsonObject { ["advanceBy"] = $"PT{seconds}S" })).JsonAsync(HttpStatusCode.OK);
            Assert.True(DateTimeOffset.Parse(moved["now"].Str(), System.Globalization.CultureInfo.InvariantCulture) >= before.AddSeconds(seconds));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { Referrer, Navigator, Manager, admin }) client.Dispose();
            await App.DisposeAsync();
        }
    }
}
