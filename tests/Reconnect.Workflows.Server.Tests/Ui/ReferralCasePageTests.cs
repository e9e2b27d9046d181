using System.Globalization;
using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;
using Reconnect.Workflows.Web.Components.Pages;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>
/// The case page on the real services and pathway (issue 15): the release confirmed through its dialog, next steps in
/// words with dates, the case's story newest first.
/// </summary>
/// <remarks>Not a <see cref="MudTestContext"/>: the server's services must be added before anything is rendered.</remarks>
public class ReferralCasePageTests : BunitContext, IAsyncLifetime
{
    private ReconnectApp _app = default!;
    private ReferralService _referrals = default!;
    private string _navigatorId = "";

    public async Task InitializeAsync()
    {
        _app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The page's only services: the application layer's.
        Services.AddSingleton(_app.Service<ReferralService>());
        Services.AddSingleton(_app.Service<ReferralReads>());
        Services.AddSingleton(_app.Service<AuditLog>());
        _referrals = _app.Service<ReferralService>();
        _navigatorId = await _app.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var auth = AddAuthorization();
        auth.SetAuthorized(ReconnectApp.NavigatorLeeds);
        auth.SetRoles("Navigator");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _navigatorId));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    private ClaimsPrincipal Navigator => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, _navigatorId), new Claim(ClaimTypes.Role, "Navigator"), new Claim(ClaimTypes.Name, ReconnectApp.NavigatorLeeds)], "test"));

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Day(DateOnly date, DateOnly today) =>
        date.ToString(date.Year == today.Year ? "d MMM" : "d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>A Leeds referral released in 30 days whose First contact the Leeds navigator answered Engaged with a note.</summary>
    private async Task<string> EngagedReferralAsync(string prisonNumber)
    {
        var created = Assert.IsType<CreateReferralResult.Created>(await _referrals.CreateAsync(ReferralFoundationTests.Request(_referrals.Today, prisonNumber, "LEI"), "tester"));
        await using var db = await _app.DbAsync();
        var firstContact = await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == created.ReferralId && t.Title == "First contact");
        Assert.IsType<TaskChange.Done>(await _app.Service<TaskWork>().CompleteAsync(Navigator, firstContact.Id, "Engaged", "Met on the wing; wants help with housing."));
        return created.ReferralId;
    }

    private IRenderedComponent<ReferralCase> RenderCase(string id)
    {
        Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<ReferralCase>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("#case-history", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Fact]
    public async Task Title_ShowsTheReference_SiteByName_AndConsentRecordedByTheMakersName()
    {
        // Made by the Leeds navigator with no "recorded by" typed: consent is recorded by their account.
        var created = Assert.IsType<CreateReferralResult.Created>(await _referrals.CreateAsync(ReferralFoundationTests.Request(_referrals.Today, "C4444CC", "LEI"), _navigatorId));
        var cut = RenderCase(created.ReferralId);

        Assert.Contains(created.Reference, cut.Find("#case-reference").TextContent);
        Assert.Contains("HMP Leeds", cut.Markup);
        var consent = cut.Find("#case-consent").TextContent;
        Assert.DoesNotContain(_navigatorId, consent);
        await using var db = await _app.DbAsync();
        var name = await db.Users.Where(u => u.Id == _navigatorId).Select(u => u.DisplayName).SingleAsync();
        Assert.Contains($"recorded by {name}", consent);
    }

    [Fact]
    public async Task NextSteps_BeforeRelease_ListsOpenTasksTimersAndTheFollowUpsFromThePlannedDate()
    {
        var id = await EngagedReferralAsync("A7301BC");
        var today = _referrals.Today;
        var release = today.AddDays(30);
        var cut = RenderCase(id);

        var steps = cut.FindAll("#case-next-steps li").Select(li => li.TextContent.Trim()).ToList();
        // The needs assessment (open now), the pathway's two timers, then what it will do after the planned release.
        Assert.Contains(steps, s => s.StartsWith(Day(today.AddDays(2), today) + " — Needs assessment and support plan", StringComparison.Ordinal));
        Assert.Contains($"{Day(release.AddDays(-7), today)} — Confirm release-day arrangements", steps);
        Assert.Contains($"{Day(release, today)} — Release-day support", steps);
        Assert.Contains(steps, s => s.StartsWith($"{Day(release.AddDays(2), today)} — Follow-up check (release + 2 days) (expected, if released on", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith($"{Day(release.AddDays(21), today)} — Follow-up check (release + 21 days)", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith($"{Day(release.AddMonths(6), today)} — Support ends after 6 months", StringComparison.Ordinal));
        // Oldest first.
        Assert.Equal("task", cut.Find("#case-next-steps li").GetAttribute("data-kind"));
        Assert.Empty(cut.FindAll("#case-timers"));
    }

    [Fact]
    public async Task History_NewestFirst_NamesTheNavigator_WithTheOutcomeAndNote()
    {
        var id = await EngagedReferralAsync("A7302BC");
        var cut = RenderCase(id);

        var lines = cut.FindAll("#case-history li");
        var completed = Assert.Single(lines, li => li.GetAttribute("data-kind") == "task-completed");
        Assert.Contains("Completed First contact: Engaged. Note: Met on the wing; wants help with housing.", completed.TextContent);
        Assert.Contains("Navigator (LEI)", completed.TextContent);
        Assert.Contains(lines, li => li.GetAttribute("data-kind") == "stage" && li.TextContent.Contains("Stage changed to pre-release", StringComparison.Ordinal));
        Assert.Contains(lines, li => li.GetAttribute("data-kind") == "assigned" && li.TextContent.Contains("Assigned to Navigator (LEI)", StringComparison.Ordinal));
        // Newest first: the referral's receipt is the last line.
        Assert.Equal("created", lines[^1].GetAttribute("data-kind"));
        Assert.DoesNotContain(_navigatorId, cut.Find("#case-history").TextContent);
    }

    [Fact]
    public async Task History_ShowsEventsTimersFiredAndReassignment_InWords()
    {
        var id = await EngagedReferralAsync("A7303BC");
        var today = _referrals.Today;
        Assert.IsType<ReferralEventResult.Applied>(await _referrals.SendEventAsync(Navigator, id, "release-date-changed",
            new System.Text.Json.Nodes.JsonObject { ["releaseDate"] = Iso(today.AddDays(40)) }));
        await using (var db = await _app.DbAsync())
        {
            var instanceId = (await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == id)).WorkflowInstanceId;
            // The journal line the runtime writes when a timer fires (firing one needs the clock moved days on).
            db.JournalEntries.Add(new JournalEntryRecord { InstanceId = instanceId, At = DateTimeOffset.UtcNow.AddDays(1), Kind = TraceKinds.TimerFired, ActivityId = "weekBefore", ActivityType = "Elsa.StartAt" });
            await db.SaveChangesAsync();
        }
        var cut = RenderCase(id);

        var lines = cut.FindAll("#case-history li");
        Assert.Contains("Time reached: Confirm release-day arrangements", lines[0].TextContent);
        Assert.Equal("timer-fired", lines[0].GetAttribute("data-kind"));
        var changed = Assert.Single(lines, li => li.GetAttribute("data-kind") == "event");
        Assert.Contains("Navigator (LEI)", changed.TextContent);
        Assert.Contains(Iso(today.AddDays(40)), changed.TextContent);
    }

    [Fact]
    public async Task ConfirmReleased_AsksForTheDateInADialog_TodayByDefault_ThenShowsPostReleaseAndTheFollowUps()
    {
        var id = await EngagedReferralAsync("A7304BC");
        var today = _referrals.Today;
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var cut = RenderCase(id);
        Assert.Contains("Pre", cut.Find(".mud-chip").TextContent);

        cut.Find("#event-released").Click();
        dialogs.WaitForElement("#release-dialog-date", TimeSpan.FromSeconds(5));
        Assert.Equal(Iso(today), dialogs.Find("#release-dialog-date").GetAttribute("value"));
        // A date in the future is refused in the dialog.
        dialogs.Find("#release-dialog-date").Input(Iso(today.AddDays(1)));
        Assert.Contains("cannot be confirmed for a date in the future", dialogs.Markup);
        Assert.True(dialogs.Find("#release-dialog-confirm").HasAttribute("disabled"));
        // Released three days ago (early: the planned date is 30 days away).
        dialogs.Find("#release-dialog-date").Input(Iso(today.AddDays(-3)));
        dialogs.Find("#release-dialog-confirm").Click();

        cut.WaitForAssertion(() => Assert.Contains("the stage is now Post release", cut.Find("#event-message").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains("Post", cut.Find(".mud-chip").TextContent);
        Assert.Contains(Iso(today.AddDays(-3)), cut.Markup);
        var steps = cut.FindAll("#case-next-steps li").Select(li => li.TextContent.Trim()).ToList();
        Assert.DoesNotContain(steps, s => s.Contains("if released on", StringComparison.Ordinal) || s.Contains("Release-day support", StringComparison.Ordinal));
        // From the actual release: the + 2 day check (its timer is past, so it waits to fire or has raised the task),
        // then the next checks, which follow it.
        Assert.Single(steps, s => s.EndsWith("— Follow-up check (release + 2 days)", StringComparison.Ordinal));
        Assert.Contains($"{Day(today.AddDays(4), today)} — Follow-up check (release + 7 days) (expected)", steps);
        Assert.Contains($"{Day(today.AddDays(18), today)} — Follow-up check (release + 21 days) (expected)", steps);
        Assert.Contains(steps, s => s.Contains("Support ends", StringComparison.Ordinal) && s.StartsWith(Day(today.AddDays(-3).AddMonths(6), today), StringComparison.Ordinal));
        Assert.Equal("Correct the release date", cut.Find("#event-released").TextContent.Trim());
    }

    [Fact]
    public async Task ConfirmReleased_Cancelled_RecordsNothing()
    {
        var id = await EngagedReferralAsync("A7305BC");
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var cut = RenderCase(id);

        cut.Find("#event-released").Click();
        dialogs.WaitForElement("#release-dialog-cancel", TimeSpan.FromSeconds(5)).Click();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("#release-dialog-date")), TimeSpan.FromSeconds(5));
        Assert.Empty(cut.FindAll("#event-message"));
        Assert.Equal("Confirm released", cut.Find("#event-released").TextContent.Trim());
    }
}
