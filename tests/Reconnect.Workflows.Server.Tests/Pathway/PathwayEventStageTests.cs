using System.Text.Json.Nodes;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Pathway.PathwayKit;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>
/// docs/pathway.md's table "Events at every stage": each event (SPEC §2) sent at each stage, one test per cell, on
/// SQLite and PostgreSQL. Triage: referred today, release in 30 days, first contact open. PreRelease: first contact
/// Engaged. PostRelease: referred five days after release, first contact Engaged. Closed: consent withdrawn.
/// </summary>
/// <remarks>
/// No test here moves the clock, so each provider's server is started once for the class (<see cref="SharedPathwayKits"/>)
/// and every referral gets its own prison number: one referral's events cannot touch another's.
/// </remarks>
public class PathwayEventStageTests(SharedPathwayKits kits) : IClassFixture<SharedPathwayKits>
{
    private const string FirstContact = "First contact";
    private const string Assessment = "Needs assessment and support plan";
    private const string FollowUp2 = "Follow-up check (release + 2 days)";

    public enum Stage { Triage, PreRelease, PostRelease }

    private static async Task<string> ReachAsync(PathwayKit kit, Stage stage)
    {
        var id = await kit.CreateAsync(releaseInDays: stage == Stage.PostRelease ? -5 : 30, prisonNumber: SharedPathwayKits.NextPrisonNumber());
        if (stage != Stage.Triage) await kit.CompleteAsync(id, FirstContact, "Engaged");
        Assert.Equal(stage.ToString(), (await kit.ReferralAsync(id)).Stage);
        return id;
    }

    private static async Task<string> ClosedAsync(PathwayKit kit)
    {
        var id = await kit.CreateAsync(releaseInDays: 30, prisonNumber: SharedPathwayKits.NextPrisonNumber());
        Assert.Equal("Closed", await kit.SendAsync(id, "consent-withdrawn"));
        return id;
    }

    private static JsonObject NewDate(DateOnly date) => new() { ["releaseDate"] = Iso(date) };

    // ---------------------------------------------------------------- release-date-changed

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task ReleaseDateChanged_Triage_DateKeptFirstContactUnchangedTimersFromTheNewDateLater(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var today = kit.Today;
        var id = await ReachAsync(kit, Stage.Triage);
        var due = DueDate(await kit.OpenTaskAsync(id, FirstContact));

        Assert.Equal("Triage", await kit.SendAsync(id, "release-date-changed", NewDate(today.AddDays(40))));

        Assert.Equal(today.AddDays(40), (await kit.ReferralAsync(id)).ReleaseDate);
        Assert.Equal(due, DueDate(await kit.OpenTaskAsync(id, FirstContact)));
        Assert.Equal(Iso(today.AddDays(40).AddMonths(6)), await kit.VariableAsync(id, "SupportUntil"));
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        Assert.Equal(London(today.AddDays(33), 9), await kit.TimerDueAsync(id, "weekBefore"));
        Assert.Equal(London(today.AddDays(40), 8), await kit.TimerDueAsync(id, "releaseDay"));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task ReleaseDateChanged_PreRelease_TimersAndDueDatesFollow(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var today = kit.Today;
        var id = await ReachAsync(kit, Stage.PreRelease);

        Assert.Equal("PreRelease", await kit.SendAsync(id, "release-date-changed", NewDate(today.AddDays(40))));

        Assert.Equal(London(today.AddDays(33), 9), await kit.TimerDueAsync(id, "weekBefore"));
        Assert.Equal(London(today.AddDays(40), 8), await kit.TimerDueAsync(id, "releaseDay"));
        Assert.Equal(today.AddDays(5), DueDate(await kit.OpenTaskAsync(id, Assessment))); // min(40 − 28, today + 5)
        Assert.Null((await kit.ReferralAsync(id)).ReleasedOn);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task ReleaseDateChanged_PostRelease_PlannedDateRecordedNothingMoves(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var today = kit.Today;
        var released = today.AddDays(-5);
        var id = await ReachAsync(kit, Stage.PostRelease);
        var followUp = await kit.OpenTaskAsync(id, FollowUp2);

        Assert.Equal("PostRelease", await kit.SendAsync(id, "release-date-changed", NewDate(today.AddDays(10))));

        var referral = await kit.ReferralAsync(id);
        Assert.Equal(today.AddDays(10), referral.ReleaseDate);
        Assert.Equal(released, referral.ReleasedOn);
        Assert.Equal(followUp.Id, (await kit.OpenTaskAsync(id, FollowUp2)).Id);
        Assert.Equal(London(released.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Equal(Iso(released.AddMonths(6)), await kit.VariableAsync(id, "SupportUntil"));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task ReleaseDateChanged_Closed_Refused(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var id = await ClosedAsync(kit);
        Assert.IsType<ReferralEventResult.Conflict>(await kit.SendRefusedAsync(id, "release-date-changed", NewDate(kit.Today.AddDays(40))));
        Assert.Equal(kit.Today.AddDays(30), (await kit.ReferralAsync(id)).ReleaseDate);
    }

    // ---------------------------------------------------------------- released

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Released_Triage_RecordedThenPostReleaseAfterFirstContact(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var today = kit.Today;
        var id = await ReachAsync(kit, Stage.Triage);

        Assert.Equal("Triage", await kit.SendAsync(id, "released", new JsonObject { ["date"] = Iso(today) }));

        Assert.Equal(today, (await kit.ReferralAsync(id)).ReleasedOn);
        await kit.CompleteAsync(id, FirstContact, "Engaged");
        Assert.Equal("PostRelease", (await kit.ReferralAsync(id)).Stage);
        Assert.DoesNotContain(await kit.TasksAsync(id), t => t.Title == Assessment);
        Assert.Equal(London(today.AddDays(2), 9), await kit.TimerDueAsync(id, "followUp2Timer"));
        Assert.Equal(London(today.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Single(await kit.HistoryAsync(id), h => h.Kind == "event" && h.Summary.StartsWith("Released on", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Released_PreRelease_PostReleaseAtOncePreReleaseWorkCancelled(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var today = kit.Today;
        var id = await ReachAsync(kit, Stage.PreRelease);

        Assert.Equal("PostRelease", await kit.SendAsync(id, "released", new JsonObject { ["date"] = Iso(today.AddDays(-1)) }));

        Assert.Equal(today.AddDays(-1), (await kit.ReferralAsync(id)).ReleasedOn);
        Assert.Empty(await kit.OpenTasksAsync(id));
        Assert.Contains(await kit.HistoryAsync(id), h => h.Kind == "task-cancelled");
        Assert.Equal(London(today.AddDays(1), 9), await kit.TimerDueAsync(id, "followUp2Timer"));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Released_PostRelease_SameDateChangesNothingEarlierDateTimersFollow(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var today = kit.Today;
        var released = today.AddDays(-5);
        var id = await ReachAsync(kit, Stage.PostRelease);
        var followUp = await kit.OpenTaskAsync(id, FollowUp2);
        // Recorded at first contact, from the release date that had passed.
        Assert.Contains(await kit.HistoryAsync(id), h => h.Kind == "released" && h.Summary.EndsWith("(the release date had passed at first contact)", StringComparison.Ordinal));
        var lines = (await kit.HistoryAsync(id)).Count;

        Assert.Equal("PostRelease", await kit.SendAsync(id, "released", new JsonObject { ["date"] = Iso(released) }));
        Assert.Equal(followUp.Id, (await kit.OpenTaskAsync(id, FollowUp2)).Id);
        Assert.Equal(London(released.AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Equal(["event"], (await kit.HistoryAsync(id)).Skip(lines).Select(h => h.Kind)); // the event's own line, nothing else

        // An earlier date: a correction, no restart; what still waits follows the earlier date.
        Assert.Equal("PostRelease", await kit.SendAsync(id, "released", new JsonObject { ["date"] = Iso(released.AddDays(-2)) }));
        Assert.Equal(released.AddDays(-2), (await kit.ReferralAsync(id)).ReleasedOn);
        Assert.Equal(followUp.Id, (await kit.OpenTaskAsync(id, FollowUp2)).Id);
        Assert.Equal(London(released.AddDays(-2).AddMonths(6), 9), await kit.TimerDueAsync(id, "supportEnds"));
        Assert.Contains(await kit.HistoryAsync(id), h => h.Kind == "released" && h.Summary.StartsWith("Release date corrected", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(Postgres)]
    public async Task Released_Closed_Refused(string provider)
    {
        var kit = await kits.GetAsync(provider);
        var id = await ClosedAsync(kit);
        Assert.IsType<ReferralEventResult.Conflict>(await kit.SendRefusedAsync(id, "released"));
        Assert.Null((await kit.ReferralAsync(id)).ReleasedOn);
    }

    // ---------------------------------------------------------------- recalled-to-custody, consent-withdrawn: close at every open stage

    [Theory]
    [InlineData("Sqlite", Stage.Triage, "recalled-to-custody", "Recalled")]
    [InlineData("Sqlite", Stage.PreRelease, "recalled-to-custody", "Recalled")]
    [InlineData("Sqlite", Stage.PostRelease, "recalled-to-custody", "Recalled")]
    [InlineData(Postgres, Stage.Triage, "recalled-to-custody", "Recalled")]
    [InlineData(Postgres, Stage.PreRelease, "recalled-to-custody", "Recalled")]
    [InlineData(Postgres, Stage.PostRelease, "recalled-to-custody", "Recalled")]
    [InlineData("Sqlite", Stage.Triage, "consent-withdrawn", "ConsentWithdrawn")]
    [InlineData("Sqlite", Stage.PreRelease, "consent-withdrawn", "ConsentWithdrawn")]
    [InlineData("Sqlite", Stage.PostRelease, "consent-withdrawn", "ConsentWithdrawn")]
    [InlineData(Postgres, Stage.Triage, "consent-withdrawn", "ConsentWithdrawn")]
    [InlineData(Postgres, Stage.PreRelease, "consent-withdrawn", "ConsentWithdrawn")]
    [InlineData(Postgres, Stage.PostRelease, "consent-withdrawn", "ConsentWithdrawn")]
    public async Task RecalledOrConsentWithdrawn_AnyOpenStage_ClosesWithItsReason(string provider, Stage stage, string eventName, string reason)
    {
        var kit = await kits.GetAsync(provider);
        var id = await ReachAsync(kit, stage);
        Assert.Equal("Closed", await kit.SendAsync(id, eventName));
        await kit.AssertClosedAsync(id, reason);
    }

    [Theory]
    [InlineData("Sqlite", "recalled-to-custody")]
    [InlineData("Sqlite", "consent-withdrawn")]
    [InlineData("Sqlite", "transferred")]
    [InlineData(Postgres, "recalled-to-custody")]
    [InlineData(Postgres, "consent-withdrawn")]
    [InlineData(Postgres, "transferred")]
    public async Task CloseOrTransfer_Closed_Refused(string provider, string eventName)
    {
        var kit = await kits.GetAsync(provider);
        var id = await ClosedAsync(kit);
        var payload = eventName == "transferred" ? new JsonObject { ["site"] = "NHI" } : [];
        Assert.IsType<ReferralEventResult.Conflict>(await kit.SendRefusedAsync(id, eventName, payload));
        var referral = await kit.ReferralAsync(id);
        Assert.Equal("ConsentWithdrawn", referral.ClosureReason);
        Assert.Equal("LEI", referral.Site);
    }

    // ---------------------------------------------------------------- transferred

    [Theory]
    [InlineData("Sqlite", Stage.Triage)]
    [InlineData("Sqlite", Stage.PreRelease)]
    [InlineData("Sqlite", Stage.PostRelease)]
    [InlineData(Postgres, Stage.Triage)]
    [InlineData(Postgres, Stage.PreRelease)]
    [InlineData(Postgres, Stage.PostRelease)]
    public async Task Transferred_AnyOpenStage_SameStageOpenTasksFollowToTheNewSite(string provider, Stage stage)
    {
        var kit = await kits.GetAsync(provider);
        var id = await ReachAsync(kit, stage);
        var newHall = await kit.UserIdAsync(ReconnectApp.NavigatorNewHall);

        Assert.Equal(stage.ToString(), await kit.SendAsync(id, "transferred", new JsonObject { ["site"] = "NHI" }));

        var referral = await kit.ReferralAsync(id);
        Assert.Equal("NHI", referral.Site);
        Assert.Equal(newHall, referral.NavigatorId);
        var open = await kit.OpenTasksAsync(id);
        Assert.NotEmpty(open);
        Assert.All(open, t => Assert.Equal((newHall, "NHI"), (t.Assignee, t.Site)));

        // Out of area afterwards (the listener waits again): closed OutOfArea.
        Assert.Equal("Closed", await kit.SendAsync(id, "transferred", new JsonObject { ["site"] = "HMP Durham" }));
        await kit.AssertClosedAsync(id, "OutOfArea");
    }
}
