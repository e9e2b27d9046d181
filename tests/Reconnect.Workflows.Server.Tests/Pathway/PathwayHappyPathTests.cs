using System.Text.Json.Nodes;
using Reconnect.Workflows.Persistence;
using static Reconnect.Workflows.Server.Tests.Pathway.PathwayKit;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>The whole default pathway (SPEC §3) for one referral, from referral to the six-month close, on the real server.</summary>
public class PathwayHappyPathTests
{
    private static readonly string[] Stages = ["Stage: Triage", "Stage: PreRelease", "Stage: PostRelease"];

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Pathway_ReleaseInThirtyDays_RunsEveryStageAndClosesAtSixMonthLimit(string provider)
    {
        await using var kit = await StartAsync(provider);
        var today = kit.Today;
        var release = today.AddDays(30);
        var id = await kit.CreateAsync(releaseInDays: 30);
        var navigator = await kit.UserIdAsync(Infrastructure.ReconnectApp.NavigatorLeeds);

        // Referral: triage, assigned to the Leeds navigator, first contact due referral date + 2 days.
        var referral = await kit.ReferralAsync(id);
        Assert.Equal("Triage", referral.Stage);
        Assert.Equal(navigator, referral.NavigatorId);
        var firstContact = await kit.OpenTaskAsync(id, "First contact");
        Assert.Equal(today.AddDays(2), DueDate(firstContact));
        Assert.Equal(navigator, firstContact.Assignee);

        // Engaged → pre-release; the assessment is due release − 28 days (sooner than today + 5).
        await kit.CompleteAsync(id, "First contact", "Engaged");
        Assert.Equal("PreRelease", (await kit.ReferralAsync(id)).Stage);
        var assessment = await kit.OpenTaskAsync(id, "Needs assessment and support plan");
        Assert.Equal(release.AddDays(-28), DueDate(assessment));
        Assert.Equal(navigator, assessment.Assignee);
        Assert.Equal(London(release.AddDays(-7), 9), await kit.TimerDueAsync(id, "weekBefore"));
        await kit.CompleteAsync(id, "Needs assessment and support plan", "Done");

        // Release − 7 days: confirm release-day arrangements (not a day earlier).
        await kit.AdvanceToAsync(release.AddDays(-8));
        Assert.False(await kit.HasOpenTaskAsync(id, "Confirm release-day arrangements"));
        await kit.AdvanceToAsync(release.AddDays(-7));
        var confirm = await kit.OpenTaskAsync(id, "Confirm release-day arrangements");
        Assert.Equal(release.AddDays(-1), DueDate(confirm));
        await kit.CompleteAsync(id, "Confirm release-day arrangements", "Done");
        Assert.Equal(London(release, 8), await kit.TimerDueAsync(id, "releaseDay"));

        // Release day: release-day support; done → post-release.
        await kit.AdvanceToAsync(release, 9);
        var releaseDay = await kit.OpenTaskAsync(id, "Release-day support");
        Assert.Equal(release, DueDate(releaseDay));
        Assert.Equal("PreRelease", (await kit.ReferralAsync(id)).Stage);
        await kit.CompleteAsync(id, "Release-day support", "Done");
        Assert.Equal("PostRelease", (await kit.ReferralAsync(id)).Stage);
        var supportEnds = release.AddMonths(6);
        Assert.Equal(London(supportEnds, 9), await kit.TimerDueAsync(id, "supportEnds"));

        // Follow-up checks at release + 2, + 7, + 21 days, each created only when its timer fires.
        foreach (var (days, title, timer) in new[]
        {
            (2, "Follow-up check (release + 2 days)", "followUp2Timer"),
            (7, "Follow-up check (release + 7 days)", "followUp7Timer"),
            (21, "Follow-up check (release + 21 days)", "followUp21Timer"),
        })
        {
            Assert.Equal(London(release.AddDays(days), 9), await kit.TimerDueAsync(id, timer));
            Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title == title);
            await kit.AdvanceToAsync(release.AddDays(days), 8);
            Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title == title);
            await kit.AdvanceToAsync(release.AddDays(days), 10);
            var followUp = await kit.OpenTaskAsync(id, title);
            Assert.Equal(navigator, followUp.Assignee);
            Assert.Equal(days == 21 ? "engagement-21" : null, JsonNode.Parse(followUp.DataJson!)!["tag"]?.GetValue<string>());
            await kit.CompleteAsync(id, title, "Engaged");
        }

        // Monthly reviews every 30 days (from the last outcome) until release + 6 months, then close SixMonthLimit.
        var reviews = 0;
        var end = London(supportEnds, 9);
        while ((await kit.ReferralAsync(id)).ClosedAt is null)
        {
            var next = kit.Now.AddDays(30).AddMinutes(1);
            await kit.AdvanceToAsync(next < end ? next : end.AddMinutes(1));
            if (await kit.HasOpenTaskAsync(id, "Monthly review"))
            {
                reviews++;
                await kit.CompleteAsync(id, "Monthly review", "Continue");
            }
            Assert.True(reviews < 10, "runaway reviews");
        }
        Assert.Equal(5, reviews);
        await kit.AssertClosedAsync(id, "SixMonthLimit");
        Assert.Equal(supportEnds, Engine.Time.LondonTime.ToLondonDate((await kit.ReferralAsync(id)).ClosedAt!.Value));

        var history = await kit.HistoryAsync(id);
        Assert.Equal(Stages, history.Where(h => h.Kind == "stage").Select(h => h.Summary));
        Assert.Equal("created", history[0].Kind);
        var tasks = await kit.TasksAsync(id);
        Assert.Equal(4 + 3 + reviews, tasks.Count(t => t.Status == TaskStatuses.Completed));
        var journal = await kit.JournalAsync(id);
        Assert.Equal("started", journal[0].Kind);
        Assert.Equal("finished", journal[^1].Kind);
        Assert.Equal(2 + 3 + reviews + 1, journal.Count(j => j.Kind == "timer-fired"));
    }
}
