using System.Text.Json.Nodes;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Pathway.PathwayKit;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>The pathway's branches and listeners (SPEC §2, §3) on SQLite.</summary>
public class PathwayBranchTests
{
    private const string FirstContact = "First contact";
    private const string SecondAttempt = "First contact: second attempt";
    private const string Assessment = "Needs assessment and support plan";
    private const string MonthlyReview = "Monthly review";

    /// <summary>Referred 10 days after release, engaged, the three follow-ups done: the first monthly review is 30 days after the last.</summary>
    private static async Task<string> ReachMonthlyReviewAsync(PathwayKit kit, string prisonNumber = "A1234BC")
    {
        var release = kit.Today.AddDays(-10);
        var id = await kit.CreateAsync(releaseInDays: -10, prisonNumber);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        await kit.CompleteAsync(id, "Follow-up check (release + 2 days)", "Engaged");
        await kit.CompleteAsync(id, "Follow-up check (release + 7 days)", "NotEngaged");
        await kit.AdvanceToAsync(release.AddDays(21));
        await kit.CompleteAsync(id, "Follow-up check (release + 21 days)", "Engaged");
        await kit.AdvanceByAsync(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await kit.OpenTaskAsync(id, MonthlyReview);
        return id;
    }

    [Fact]
    public async Task Create_ReferredTenDaysAfterRelease_SkipsPreReleaseAndFollowsUpFromTheReleaseDate()
    {
        await using var kit = await StartAsync();
        var release = kit.Today.AddDays(-10);
        var id = await kit.CreateAsync(releaseInDays: -10);

        await kit.CompleteAsync(id, FirstContact, "Engaged");

        Assert.Equal("PostRelease", (await kit.ReferralAsync(id)).Stage);
        Assert.DoesNotContain(await kit.HistoryAsync(id), h => h.Summary == "Stage: PreRelease");
        Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title is Assessment or "Confirm release-day arrangements" or "Release-day support");
        // The + 2 and + 7 day timers are already past: their checks come at once, one after the other; + 21 waits for its day.
        await kit.CompleteAsync(id, "Follow-up check (release + 2 days)", "Engaged");
        await kit.CompleteAsync(id, "Follow-up check (release + 7 days)", "Engaged");
        Assert.Equal(London(release.AddDays(21), 9), await kit.TimerDueAsync(id, "followUp21Timer"));
        Assert.Equal(London(release.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        await kit.AdvanceToAsync(release.AddDays(21));
        var engagement = await kit.OpenTaskAsync(id, "Follow-up check (release + 21 days)");
        Assert.Equal("engagement-21", JsonNode.Parse(engagement.DataJson!)!["tag"]!.GetValue<string>());
    }

    [Fact]
    public async Task MonthlyReview_NeedsMet_ClosesNeedsMet()
    {
        await using var kit = await StartAsync();
        var id = await ReachMonthlyReviewAsync(kit);

        await kit.CompleteAsync(id, MonthlyReview, "NeedsMet");

        await kit.AssertClosedAsync(id, "NeedsMet");
    }

    [Fact]
    public async Task MonthlyReview_ExtendApproved_MovesSixMonthCloseLater()
    {
        await using var kit = await StartAsync();
        var release = kit.Today.AddDays(-10);
        var id = await ReachMonthlyReviewAsync(kit);
        Assert.Equal(London(release.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));

        await kit.CompleteAsync(id, MonthlyReview, "Extend");
        var approval = await kit.OpenTaskAsync(id, "Approve extension of support");
        Assert.Equal(Roles.Manager, approval.AssigneeRole);
        Assert.Null(approval.Assignee);
        await kit.CompleteAsync(id, "Approve extension of support", "Approve");

        Assert.Equal(London(release.AddMonths(9), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Contains(await kit.JournalAsync(id), j => j.Kind == "timer-rescheduled" && j.ActivityId == "supportEnds");
        await kit.AdvanceToAsync(release.AddMonths(6).AddDays(1));
        Assert.Null((await kit.ReferralAsync(id)).ClosedAt);
        await kit.AdvanceToAsync(release.AddMonths(9));
        await kit.AssertClosedAsync(id, "SixMonthLimit");
    }

    [Fact]
    public async Task MonthlyReview_ExtendRejected_KeepsSixMonthClose()
    {
        await using var kit = await StartAsync();
        var release = kit.Today.AddDays(-10);
        var id = await ReachMonthlyReviewAsync(kit);

        await kit.CompleteAsync(id, MonthlyReview, "Extend");
        await kit.CompleteAsync(id, "Approve extension of support", "Reject");

        Assert.Equal(London(release.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Contains(await kit.BookmarksAsync(id), b => b.ActivityId == "monthlyWait");
    }

    [Fact]
    public async Task FirstContact_Declined_ClosesDeclinedSupport()
    {
        await using var kit = await StartAsync();
        var id = await kit.CreateAsync();

        await kit.CompleteAsync(id, FirstContact, "Declined");

        await kit.AssertClosedAsync(id, "DeclinedSupport");
    }

    [Fact]
    public async Task FirstContact_UnableToContactTwiceThenClose_RaisesManagerReviewAndClosesUnableToContact()
    {
        await using var kit = await StartAsync();
        var id = await kit.CreateAsync();

        await kit.CompleteAsync(id, FirstContact, "UnableToContact");
        var second = await kit.OpenTaskAsync(id, SecondAttempt);
        Assert.Equal(kit.Today.AddDays(2), DueDate(second));
        Assert.Equal(Roles.Navigator, second.AssigneeRole);
        Assert.False(await kit.HasOpenTaskAsync(id, "Review: unable to contact"));
        await kit.CompleteAsync(id, SecondAttempt, "UnableToContact");

        var review = await kit.OpenTaskAsync(id, "Review: unable to contact");
        Assert.Equal(Roles.Manager, review.AssigneeRole);
        Assert.Null(review.Assignee);
        Assert.Equal("Triage", (await kit.ReferralAsync(id)).Stage);
        await kit.CompleteAsync(id, "Review: unable to contact", "Close");

        await kit.AssertClosedAsync(id, "UnableToContact");
    }

    [Fact]
    public async Task ReviewUnableToContact_KeepTrying_GivesAnotherAttempt()
    {
        await using var kit = await StartAsync();
        var id = await kit.CreateAsync();
        await kit.CompleteAsync(id, FirstContact, "UnableToContact");
        await kit.CompleteAsync(id, SecondAttempt, "UnableToContact");

        await kit.CompleteAsync(id, "Review: unable to contact", "KeepTrying");

        Assert.Single(await kit.OpenTasksAsync(id));
        await kit.OpenTaskAsync(id, SecondAttempt);
        Assert.Equal(2, (await kit.TasksAsync(id)).Count(t => t.Title == SecondAttempt));
        await kit.CompleteAsync(id, SecondAttempt, "Engaged");
        Assert.Equal("PreRelease", (await kit.ReferralAsync(id)).Stage);
        await kit.OpenTaskAsync(id, Assessment);
    }

    [Fact]
    public async Task ReviewUnableToContact_KeepTryingThenDeclined_ClosesDeclinedSupport()
    {
        await using var kit = await StartAsync();
        var id = await kit.CreateAsync();
        await kit.CompleteAsync(id, FirstContact, "UnableToContact");
        await kit.CompleteAsync(id, SecondAttempt, "UnableToContact");
        await kit.CompleteAsync(id, "Review: unable to contact", "KeepTrying");

        await kit.CompleteAsync(id, SecondAttempt, "Declined");

        await kit.AssertClosedAsync(id, "DeclinedSupport");
    }

    [Fact]
    public async Task ReleaseDateChanged_ForwardAndBack_PendingTimersAndAssessmentDueFollow()
    {
        await using var kit = await StartAsync();
        var today = kit.Today;
        var id = await kit.CreateAsync(releaseInDays: 30);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        var assessment = await kit.OpenTaskAsync(id, Assessment);
        Assert.Equal(today.AddDays(2), DueDate(assessment));
        Assert.Equal(London(today.AddDays(23), 9), await kit.TimerDueAsync(id, "weekBefore"));

        // Later: the assessment is due five days from now (sooner than release − 28), the timer moves with the date.
        Assert.Equal("PreRelease", await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(today.AddDays(60)) }));
        Assert.Equal(today.AddDays(60), (await kit.ReferralAsync(id)).ReleaseDate);
        Assert.Equal(London(today.AddDays(53), 9), await kit.TimerDueAsync(id, "weekBefore"));
        var moved = await kit.OpenTaskAsync(id, Assessment);
        Assert.Equal(assessment.Id, moved.Id);
        Assert.Equal(today.AddDays(5), DueDate(moved));

        // Sooner: release − 28 days is in the past, so the assessment is due today (never before).
        await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(today.AddDays(20)) });
        Assert.Equal(London(today.AddDays(13), 9), await kit.TimerDueAsync(id, "weekBefore"));
        Assert.Equal(today, DueDate(await kit.OpenTaskAsync(id, Assessment)));
        Assert.Equal(2, (await kit.JournalAsync(id)).Count(j => j.Kind == "timer-rescheduled" && j.ActivityId == "weekBefore"));
        Assert.Equal(2, (await kit.HistoryAsync(id)).Count(h => h.Summary.StartsWith("Release date changed to", StringComparison.Ordinal)));

        // The moved timer fires on the new date, not the old one.
        await kit.AdvanceToAsync(today.AddDays(13));
        await kit.OpenTaskAsync(id, "Confirm release-day arrangements");
        await kit.CompleteAsync(id, "Confirm release-day arrangements", "Done");
        Assert.Equal(London(today.AddDays(20), 8), await kit.TimerDueAsync(id, "releaseDay"));
    }

    [Fact]
    public async Task ConsentWithdrawn_MidWay_ClosesAtOnceCancelsOpenTasksAndRemovesBookmarks()
    {
        await using var kit = await StartAsync();
        var release = kit.Today.AddDays(30);
        var id = await kit.CreateAsync(releaseInDays: 30);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        await kit.AdvanceToAsync(release.AddDays(-7));
        Assert.Equal(2, (await kit.OpenTasksAsync(id)).Count); // assessment and release-day arrangements

        Assert.Equal("Closed", await kit.SendAsync(id, "consent-withdrawn"));

        await kit.AssertClosedAsync(id, "ConsentWithdrawn");
        Assert.Equal(2, (await kit.TasksAsync(id)).Count(t => t.Status == TaskStatuses.Cancelled));
        Assert.Contains(await kit.HistoryAsync(id), h => h.Summary == "Consent withdrawn");
    }

    [Fact]
    public async Task Transferred_ToAnotherServiceSite_ReassignsReferralAndOpenTasksToThatSitesNavigator()
    {
        await using var kit = await StartAsync();
        var release = kit.Today.AddDays(30);
        var id = await kit.CreateAsync(releaseInDays: 30);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        var leeds = await kit.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var newHall = await kit.UserIdAsync(ReconnectApp.NavigatorNewHall);
        Assert.Equal(leeds, (await kit.OpenTaskAsync(id, Assessment)).Assignee);

        Assert.Equal("PreRelease", await kit.SendAsync(id, "transferred", new JsonObject { ["site"] = "NHI" }));

        var referral = await kit.ReferralAsync(id);
        Assert.Equal("NHI", referral.Site);
        Assert.Equal(newHall, referral.NavigatorId);
        var assessment = await kit.OpenTaskAsync(id, Assessment);
        Assert.Equal(newHall, assessment.Assignee);
        Assert.Equal("NHI", assessment.Site);
        Assert.Equal(leeds, (await kit.TasksAsync(id)).Single(t => t.Title == FirstContact).Assignee); // done tasks keep their history
        // Tasks raised later go to the new navigator too, and the listener waits for another transfer.
        await kit.AdvanceToAsync(release.AddDays(-7));
        var confirm = await kit.OpenTaskAsync(id, "Confirm release-day arrangements");
        Assert.Equal(newHall, confirm.Assignee);
        Assert.Equal("NHI", confirm.Site);
        Assert.Contains(await kit.BookmarksAsync(id), b => b.ActivityId == "onTransferred");
    }

    [Fact]
    public async Task Transferred_OutOfArea_ClosesOutOfArea()
    {
        await using var kit = await StartAsync();
        var id = await kit.CreateAsync();
        await kit.CompleteAsync(id, FirstContact, "Engaged");

        Assert.Equal("Closed", await kit.SendAsync(id, "transferred", new JsonObject { ["site"] = "HMP Durham" }));

        await kit.AssertClosedAsync(id, "OutOfArea");
        Assert.Equal("LEI", (await kit.ReferralAsync(id)).Site);
    }

    [Fact]
    public async Task RecalledToCustody_AfterRelease_ClosesRecalled()
    {
        await using var kit = await StartAsync();
        var id = await kit.CreateAsync(releaseInDays: -10);
        await kit.CompleteAsync(id, FirstContact, "Engaged");

        Assert.Equal("Closed", await kit.SendAsync(id, "recalled-to-custody"));

        await kit.AssertClosedAsync(id, "Recalled");
    }

    [Fact]
    public async Task Remand_NoDateThenDateOutsideWindow_WaitsThenClosesIneligible()
    {
        await using var kit = await StartAsync();
        var referralDate = kit.Today;
        var id = await kit.CreateAsync(Request(null, referralDate, releaseType: "Remand"));
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        Assert.Equal("PreRelease", (await kit.ReferralAsync(id)).Stage);
        Assert.Equal(referralDate.AddDays(5), DueDate(await kit.OpenTaskAsync(id, Assessment)));

        // Waits: twenty days pass and nothing fires.
        await kit.AdvanceToAsync(referralDate.AddDays(20));
        Assert.Equal(new[] { Assessment }, (await kit.OpenTasksAsync(id)).Select(t => t.Title));
        Assert.Null((await kit.ReferralAsync(id)).ClosedAt);

        // Release 120 days after the referral: referral date < release − 84 days.
        Assert.Equal("Closed", await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(referralDate.AddDays(120)) }));

        await kit.AssertClosedAsync(id, "Ineligible");
    }

    [Fact]
    public async Task Remand_NoDateThenDateInsideWindow_CarriesOnWithTheDate()
    {
        await using var kit = await StartAsync();
        var referralDate = kit.Today;
        var id = await kit.CreateAsync(Request(null, referralDate, releaseType: "Remand"));
        await kit.CompleteAsync(id, FirstContact, "Engaged");

        await kit.SendAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = Iso(referralDate.AddDays(40)) });

        Assert.Null((await kit.ReferralAsync(id)).ClosedAt);
        Assert.Equal(London(referralDate.AddDays(33), 9), await kit.TimerDueAsync(id, "weekBefore"));
        Assert.Equal(referralDate.AddDays(5), DueDate(await kit.OpenTaskAsync(id, Assessment)));
    }
}
