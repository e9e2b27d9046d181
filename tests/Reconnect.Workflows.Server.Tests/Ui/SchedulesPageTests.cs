using Reconnect.Workflows.Application.Schedules;
using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Web.Components.Pages;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Referrals;
using Reconnect.Workflows.Server.Scheduling;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>/schedules on the real scheduler (Quartz on the test database, the repository's daily check deployed).</summary>
/// <remarks>Not a <see cref="MudTestContext"/>: the server's services must be added before anything is rendered.</remarks>
public class SchedulesPageTests : BunitContext, IAsyncLifetime
{
    private ReconnectApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton(_app.Service<ScheduleService>());
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    private IRenderedComponent<SchedulesPage> RenderAs(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(role.ToLowerInvariant() + "@reconnect.test");
        auth.SetRoles(role);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, role));
        Render<MudBlazor.MudPopoverProvider>();
        Render<MudBlazor.MudSnackbarProvider>();
        var cut = Render<SchedulesPage>();
        cut.WaitForElement("#schedules-table", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Fact]
    public async Task Scheduler_RunsTheDailyCheckNow_AndSeesItsRunWithResultAndCount()
    {
        // A referral whose release date passed with no release recorded: the check raises "Confirm release" for it.
        var service = _app.Service<ReferralService>();
        var request = ReferralFoundationTests.Request(service.Today, "A7201BC", "LEI") with
        {
            ReleaseDate = service.Today.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(request, "tester"));
        var cut = RenderAs(Roles.Scheduler);
        Assert.NotNull(cut.Find("#schedule-timer-dispatcher"));
        var daily = cut.Find("#schedule-daily-follow-up-check");
        Assert.Contains("Every day at 07:00", daily.TextContent);
        Assert.DoesNotContain("cron", daily.QuerySelector(".timing")!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("GMT", daily.TextContent + cut.Find("#schedule-timer-dispatcher").TextContent + "GMT"); // times say their zone
        Assert.Contains("Recent runs of daily-follow-up-check", cut.Find("#runs-heading").TextContent);

        cut.Find("#run-daily-follow-up-check").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#runs-table tbody tr")), TimeSpan.FromSeconds(30));
        var row = cut.Find("#runs-table tbody tr");
        Assert.Contains("Succeeded", row.TextContent);
        // What the run did, in words (the Confirm release task among it); no check names or counters.
        Assert.Contains("1 release to confirm", row.QuerySelector(".run-summary")!.TextContent);
        Assert.DoesNotContain("ConfirmUnconfirmedReleases", row.TextContent, StringComparison.Ordinal);
        await using (var db = await _app.DbAsync())
            Assert.Contains(db.Tasks.Where(t => t.SubjectId == created.ReferralId).Select(t => t.Title), t => t.Contains("Confirm release", StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Contains("Succeeded", cut.Find("#schedule-daily-follow-up-check .last-result").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Scheduler_PausesResumesAndRetimes_AsTheApiWould()
    {
        var manager = _app.Service<ScheduleManager>();
        var cut = RenderAs(Roles.Scheduler);

        cut.Find("#pause-daily-follow-up-check").Click();
        cut.WaitForAssertion(() => Assert.Contains("Paused", cut.Find("#schedule-daily-follow-up-check").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("Paused", (await manager.FindAsync(SchedulingKitName))!.State);
        cut.Find("#resume-daily-follow-up-check").Click();
        cut.WaitForAssertion(() => Assert.Contains("Scheduled", cut.Find("#schedule-daily-follow-up-check").TextContent), TimeSpan.FromSeconds(10));

        // The resume's re-read may re-render the row under the click: clicking again only opens the same editor.
        cut.WaitForAssertion(() =>
        {
            if (cut.FindAll("#cron-editor").Count == 0) cut.Find("#retime-daily-follow-up-check").Click();
            Assert.NotEmpty(cut.FindAll("#cron-editor"));
        }, TimeSpan.FromSeconds(10));
        // Every day at 07:00 is offered the simple way; the cron expression is the advanced choice.
        Assert.Equal("07:00", cut.Find("#cron-time").GetAttribute("value"));
        cut.Find("#cron-advanced").Click();
        cut.Find("#cron-input").Input("not a cron");
        Assert.False(string.IsNullOrWhiteSpace(cut.Find("#cron-error").TextContent));
        cut.Find("#cron-input").Input("15 6 * * *");
        Assert.Equal(5, cut.FindAll("#cron-next-times li").Count);
        cut.Find("#cron-save").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#cron-panel")), TimeSpan.FromSeconds(10));
        var after = await manager.FindAsync(SchedulingKitName);
        Assert.Equal("0 15 6 * * ?", after!.Cron);
        Assert.Equal(6, after.NextFireTime!.Value.Hour);
        Assert.Contains("Every day at 06:15", cut.Find("#schedule-daily-follow-up-check").TextContent);

        // The page's changes are the application service's: each audited with who made it.
        await using var db = await _app.DbAsync();
        var audited = await db.AuditEntries.AsNoTracking()
            .Where(a => a.EntityType == ScheduleService.Subject && a.EntityId == SchedulingKitName)
            .OrderBy(a => a.Id).Select(a => a.Action + " " + a.UserName).ToListAsync();
        Assert.Equal(["pause scheduler@reconnect.test", "resume scheduler@reconnect.test", "retime scheduler@reconnect.test"], audited);
    }

    [Fact]
    public void Manager_SeesTheSchedulesAndRuns_ButNoButtonsThatChangeThem()
    {
        var cut = RenderAs(Roles.Manager);
        Assert.NotNull(cut.Find("#schedule-daily-follow-up-check"));
        Assert.Empty(cut.FindAll("#run-daily-follow-up-check"));
        Assert.Empty(cut.FindAll("#pause-daily-follow-up-check"));
        Assert.Empty(cut.FindAll("#retime-daily-follow-up-check"));
        Assert.NotEmpty(cut.FindAll("#runs-daily-follow-up-check"));
    }

    private const string SchedulingKitName = "daily-follow-up-check";
}
