using System.Text.Json.Nodes;
using Reconnect.Workflows.Persistence;
using static Reconnect.Workflows.Server.Tests.Pathway.PathwayKit;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>
/// The actual release as one fact that moves the case (issues 15 and 16): each reproduction from the issues, on the real
/// server, on SQLite and PostgreSQL. Follow-ups and the end of support are computed from the actual release date;
/// approved extensions are kept as their own decisions.
/// </summary>
public class PathwayReleaseTests
{
    private const string FirstContact = "First contact";
    private const string Assessment = "Needs assessment and support plan";
    private const string Confirm = "Confirm release-day arrangements";
    private const string ReleaseDay = "Release-day support";
    private const string FollowUp2 = "Follow-up check (release + 2 days)";
    private const string FollowUp7 = "Follow-up check (release + 7 days)";
    private const string FollowUp21 = "Follow-up check (release + 21 days)";

    private static JsonObject Released(DateOnly? date) => date is { } d ? new JsonObject { ["date"] = Iso(d) } : [];

    /// <summary>Released before the planned date (HDC, from court): post-release at once, from the actual date.</summary>
    [Theory]
    [InlineData("Sqlite", true)]
    [InlineData("Sqlite", false)]
    [InlineData(Postgres, true)]
    public async Task Released_EarlyInPreRelease_PostReleaseAtOnceWithFollowUpsFromTheActualDate(string provider, bool withDate)
    {
        await using var kit = await StartAsync(provider);
        var today = kit.Today;
        var id = await kit.CreateAsync(releaseInDays: 30);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        Assert.Equal("PreRelease", (await kit.ReferralAsync(id)).Stage);

        var stage = await kit.SendAsync(id, "released", Released(withDate ? today : null));

        Assert.Equal("PostRelease", stage);
        var referral = await kit.ReferralAsync(id);
        Assert.Equal(today, referral.ReleasedOn);
        Assert.Equal(today.AddDays(30), referral.ReleaseDate); // the planned date is kept as it was
        var tasks = await kit.TasksAsync(id);
        var assessment = tasks.Single(t => t.Title == Assessment);
        Assert.Equal(TaskStatuses.Cancelled, assessment.Status);
        Assert.Equal("The person was released: pre-release work is no longer needed.", assessment.Notes);
        Assert.Empty(await kit.OpenTasksAsync(id));
        var history = await kit.HistoryAsync(id);
        Assert.Contains(history, h => h.Kind == "task-cancelled" && h.Summary == $"Cancelled: {Assessment}. The person was released: pre-release work is no longer needed.");
        Assert.Equal(["Stage: Triage", "Stage: PreRelease", "Stage: PostRelease"], history.Where(h => h.Kind == "stage").Select(h => h.Summary));
        var bookmarks = await kit.BookmarksAsync(id);
        Assert.DoesNotContain(bookmarks, b => b.ActivityId is "weekBefore" or "releaseDay" or "assessment");
        Assert.Equal(London(today.AddDays(2), 9), await kit.TimerDueAsync(id, "followUp2Timer"));
        Assert.Equal(London(today.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Contains(bookmarks, b => b.ActivityId == "onReleased"); // still listening: a correction can follow
        Assert.Equal(PathwayKit.Iso(today), await kit.VariableAsync(id, "ReleasedOn"));
        Assert.Equal(PathwayKit.Iso(today.AddMonths(6)), await kit.VariableAsync(id, "SupportUntil"));

        // The week-before timer is gone: nothing about arrangements appears on its old day; the + 2 day check comes.
        await kit.AdvanceToAsync(today.AddDays(2), 10);
        await kit.OpenTaskAsync(id, FollowUp2);
        Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title is Confirm or ReleaseDay);
    }

    /// <summary>Issue 16 (1): an approved extension is not undone by a later date event with the same date.</summary>
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Extension_Approved_SurvivesReleaseDateChangedAndReleasedWithTheSameDate(string provider)
    {
        await using var kit = await StartAsync(provider);
        var release = kit.Today.AddDays(3);
        var id = await kit.CreateAsync(releaseInDays: 3);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        await kit.CompleteAsync(id, Assessment, "Done");
        await kit.CompleteAsync(id, Confirm, "Done"); // release − 7 days had passed already: asked at once
        await kit.AdvanceToAsync(release, 9);
        await kit.CompleteAsync(id, ReleaseDay, "Done");
        Assert.Equal("PostRelease", await kit.SendAsync(id, "released", Released(release)));
        Assert.Equal(release, (await kit.ReferralAsync(id)).ReleasedOn);
        foreach (var (days, title) in new[] { (2, FollowUp2), (7, FollowUp7), (21, FollowUp21) })
        {
            await kit.AdvanceToAsync(release.AddDays(days), 10);
            await kit.CompleteAsync(id, title, "Engaged");
        }
        await kit.AdvanceByAsync(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await kit.CompleteAsync(id, "Monthly review", "Extend");
        await kit.CompleteAsync(id, "Approve extension of support", "Approve");
        var extended = release.AddMonths(9);
        Assert.Equal(Iso(extended), await kit.VariableAsync(id, "SupportUntil"));
        Assert.Equal(London(extended, 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Contains(await kit.HistoryAsync(id), h => h.Kind == "extension" && h.Summary == $"Support extended by 3 months (approved): it now ends on {Iso(extended)}.");

        Assert.Equal("PostRelease", await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(release) }));
        Assert.Equal(Iso(extended), await kit.VariableAsync(id, "SupportUntil"));
        Assert.Equal(London(extended, 9), await kit.TimerDueAsync(id, "supportEnds"));

        Assert.Equal("PostRelease", await kit.SendAsync(id, "released", Released(release)));
        Assert.Equal(Iso(extended), await kit.VariableAsync(id, "SupportUntil"));
        Assert.Equal(London(extended, 9), await kit.TimerDueAsync(id, "supportEnds"));

        await kit.AdvanceToAsync(release.AddMonths(6).AddDays(1));
        Assert.Null((await kit.ReferralAsync(id)).ClosedAt);
    }

    /// <summary>Issue 16 (2): the person was still inside when release-day support was answered; the real release restarts the follow-ups.</summary>
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Released_LaterThanReleaseDaySupportRecorded_FollowUpsStartAgainFromTheActualDate(string provider)
    {
        await using var kit = await StartAsync(provider);
        var planned = kit.Today.AddDays(3);
        var id = await kit.CreateAsync(releaseInDays: 3);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        await kit.CompleteAsync(id, Confirm, "Done");
        await kit.AdvanceToAsync(planned, 9);
        await kit.CompleteAsync(id, ReleaseDay, "Done");
        Assert.Equal(planned, (await kit.ReferralAsync(id)).ReleasedOn);
        Assert.Contains(await kit.HistoryAsync(id), h => h.Kind == "released" && h.Summary.StartsWith("Released on ", StringComparison.Ordinal) && h.Summary.EndsWith("(release-day support done)", StringComparison.Ordinal));
        await kit.AdvanceToAsync(planned.AddDays(2), 10);
        await kit.CompleteAsync(id, FollowUp2, "NotEngaged");
        await kit.AdvanceToAsync(planned.AddDays(7), 10);
        await kit.OpenTaskAsync(id, FollowUp7);

        var actual = planned.AddDays(7);
        Assert.Equal("PostRelease", await kit.SendAsync(id, "released", Released(actual)));

        Assert.Equal(actual, (await kit.ReferralAsync(id)).ReleasedOn);
        Assert.Empty(await kit.OpenTasksAsync(id)); // the + 7 check made while the person was inside is withdrawn
        var history = await kit.HistoryAsync(id);
        Assert.Contains(history, h => h.Kind == "released" && h.Summary.StartsWith("Release date corrected from ", StringComparison.Ordinal));
        Assert.Contains(history, h => h.Kind == "follow-ups" && h.Summary == $"Follow-up checks start again from the release on {Iso(actual)}.");
        Assert.Contains(history, h => h.Kind == "task-cancelled" && h.Summary.StartsWith($"Cancelled: {FollowUp7}.", StringComparison.Ordinal));
        Assert.Equal(London(actual.AddDays(2), 9), await kit.TimerDueAsync(id, "followUp2Timer"));
        Assert.Equal(London(actual.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));

        await kit.AdvanceToAsync(actual.AddDays(2), 10);
        await kit.CompleteAsync(id, FollowUp2, "Engaged");
        Assert.Equal(London(actual.AddDays(7), 9), await kit.TimerDueAsync(id, "followUp7Timer"));
        await kit.AdvanceToAsync(actual.AddDays(7), 10);
        await kit.CompleteAsync(id, FollowUp7, "Engaged");
        Assert.Equal(London(actual.AddDays(21), 9), await kit.TimerDueAsync(id, "followUp21Timer"));
    }

    /// <summary>Issue 16 (3): a release date moved into the past asks for release-day support now, not arrangements for a day gone.</summary>
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task ReleaseDateChanged_IntoThePast_ReleaseDaySupportNowThenFollowUpsFromThatDate(string provider)
    {
        await using var kit = await StartAsync(provider);
        var today = kit.Today;
        var id = await kit.CreateAsync(releaseInDays: 45);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        var past = today.AddDays(-5);

        Assert.Equal("PreRelease", await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(past) }));
        // The release-day timer moved into the past: the timer dispatcher fires it on its next round.
        await kit.AdvanceByAsync(TimeSpan.FromMinutes(1));

        Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title == Confirm);
        var support = await kit.OpenTaskAsync(id, ReleaseDay);
        Assert.Equal(today, DueDate(support)); // asked today, not already overdue
        await kit.CompleteAsync(id, ReleaseDay, "Done");

        var referral = await kit.ReferralAsync(id);
        Assert.Equal("PostRelease", referral.Stage);
        Assert.Equal(past, referral.ReleasedOn);
        Assert.Equal(TaskStatuses.Cancelled, (await kit.TasksAsync(id)).Single(t => t.Title == Assessment).Status);
        // + 2 days from the actual release is already past: its check comes at once; + 7 waits for its day.
        await kit.CompleteAsync(id, FollowUp2, "Engaged");
        Assert.Equal(London(past.AddDays(7), 9), await kit.TimerDueAsync(id, "followUp7Timer"));
        Assert.Equal(London(past.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
    }

    /// <summary>Issue 16 (3), remand: released from court with no date known.</summary>
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Released_RemandFromCourtWithoutDate_PostReleaseFromToday(string provider)
    {
        await using var kit = await StartAsync(provider);
        var today = kit.Today;
        var id = await kit.CreateAsync(Request(null, today, releaseType: "Remand"));
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        Assert.Equal("PreRelease", (await kit.ReferralAsync(id)).Stage);

        Assert.Equal("PostRelease", await kit.SendAsync(id, "released"));

        var referral = await kit.ReferralAsync(id);
        Assert.Equal(today, referral.ReleasedOn);
        Assert.Equal(today, referral.ReleaseDate);
        Assert.Empty(await kit.OpenTasksAsync(id));
        Assert.Equal(London(today.AddDays(2), 9), await kit.TimerDueAsync(id, "followUp2Timer"));
        Assert.Equal(London(today.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
    }

    /// <summary>A release day that came and went without a release: release-day support is withdrawn and asked again on the new day.</summary>
    [Fact]
    public async Task ReleaseDateChanged_AfterReleaseDayCame_ReleaseDaySupportAskedAgainOnTheNewDay()
    {
        await using var kit = await StartAsync();
        var planned = kit.Today.AddDays(3);
        var id = await kit.CreateAsync(releaseInDays: 3);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        await kit.AdvanceToAsync(planned, 9);
        await kit.OpenTaskAsync(id, ReleaseDay);

        var postponed = planned.AddDays(10);
        Assert.Equal("PreRelease", await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(postponed) }));

        Assert.False(await kit.HasOpenTaskAsync(id, ReleaseDay));
        Assert.Equal(London(postponed, 8), await kit.TimerDueAsync(id, "releaseDay"));
        Assert.Null((await kit.ReferralAsync(id)).ReleasedOn);
        await kit.AdvanceToAsync(postponed, 9);
        Assert.Equal(postponed, DueDate(await kit.OpenTaskAsync(id, ReleaseDay)));
    }

    /// <summary>The daily check's "Confirm release" is answered by a release however it becomes known.</summary>
    [Fact]
    public async Task DailyCheckConfirmRelease_ReleaseRecordedByReleaseDaySupport_IsCancelled()
    {
        await using var kit = await StartAsync();
        var planned = kit.Today.AddDays(3);
        var id = await kit.CreateAsync(releaseInDays: 3);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        await kit.AdvanceToAsync(planned.AddDays(1));
        // The check runs: the release date has passed and nothing is recorded (release-day support is still open).
        await DailyCheckTests.RunCheckAsync(await kit.App.LoginAsync(Infrastructure.ReconnectApp.Scheduler));
        var ask = await kit.OpenTaskAsync(id, "Confirm release");

        await kit.CompleteAsync(id, ReleaseDay, "Done");

        Assert.Equal(planned, (await kit.ReferralAsync(id)).ReleasedOn);
        Assert.Equal(TaskStatuses.Cancelled, (await kit.TasksAsync(id)).Single(t => t.Id == ask.Id).Status);
    }
}
