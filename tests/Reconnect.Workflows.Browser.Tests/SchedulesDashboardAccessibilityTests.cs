using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>axe-core on /schedules and /dashboard (with data in every chart): no serious or critical violations.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SchedulesDashboardAccessibilityTests(BrowserServer server)
{
    private static readonly string[] MentalHealth = ["MentalHealth"];

    [Fact]
    public async Task SchedulesAndDashboard_HaveNoSeriousOrCriticalAxeViolations()
    {
        // Open referrals at three sites; two released already (their planned dates passed), one of them 25 days ago: its
        // 21 days are over, so it counts in the 21-day measure and the weekly line has a point.
        using (var api = await server.ApiAsync(BrowserServer.Referrer)) // one sign-in: sign-ins are rate-limited per address
        {
            await CreateAsync(api, "F6001AX", "LEI", Ui.Today.AddDays(30));
            await CreateAsync(api, "F6002AX", "NHI", Ui.Today.AddDays(20));
            await CreateAsync(api, "F6003AX", "WEI", Ui.Today.AddDays(-3));
            await CreateAsync(api, "F6004AX", "LEI", Ui.Today.AddDays(-25));
        }
        var failures = new List<string>();

        var scheduler = await server.NewPageAsync();
        await Ui.SignInAsync(scheduler, SchedulesTests.Scheduler, "/schedules");
        await scheduler.Locator("#schedules-table").WaitForAsync();
        await Ui.CheckAxeAsync(scheduler, "schedules", failures);
        await scheduler.Locator("#retime-daily-follow-up-check").ClickAsync();
        await Expect(scheduler.Locator("#cron-next-times li")).ToHaveCountAsync(5);
        await Ui.CheckAxeAsync(scheduler, "schedules-cron-editor", failures);
        await scheduler.Locator("#cron-advanced").ClickAsync();
        await scheduler.Locator("#cron-input").FillAsync("not a cron");
        await Expect(scheduler.Locator("#cron-error")).ToBeVisibleAsync();
        await Ui.CheckAxeAsync(scheduler, "schedules-cron-editor-error", failures);
        await scheduler.Context.CloseAsync();

        var manager = await server.NewPageAsync();
        await Ui.SignInAsync(manager, "manager@reconnect.test", "/dashboard");
        // Home sends a manager to the dashboard.
        await manager.GotoAsync("/");
        await manager.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/dashboard");
        await Ui.InteractiveAsync(manager);
        await Expect(manager.Locator("#open-chart svg").First).ToBeVisibleAsync();
        await Expect(manager.Locator("#engagement-chart svg").First).ToBeVisibleAsync();
        await Ui.CheckAxeAsync(manager, "dashboard", failures);
        await manager.Context.CloseAsync();

        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
    }

    private static async Task CreateAsync(HttpClient api, string prisonNumber, string site, DateOnly releaseDate)
    {
        var response = await api.PostAsJsonAsync("/api/referrals", new
        {
            person = new { givenName = "Alex", familyName = "Example", dateOfBirth = "1985-03-02", prisonNumber },
            site,
            releaseDate = Ui.Iso(releaseDate),
            releaseType = "ConditionalRelease",
            referralSource = "PrisonHealthcare",
            healthNeeds = MentalHealth,
            consent = new { given = true },
        });
        Assert.True(response.IsSuccessStatusCode, $"POST /api/referrals answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
