using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>/schedules in a real browser: a scheduler runs the daily follow-up check now and retimes it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SchedulesTests(BrowserServer server)
{
    public const string Scheduler = "scheduler@reconnect.test";

    private static readonly string[] MentalHealth = ["MentalHealth"];

    [Fact]
    public async Task Scheduler_RunsTheDailyFollowUpCheckNow_AndSeesItsRunWithResultAndCount()
    {
        // Released three days ago by the plan, no release recorded: the check raises "Confirm release" for it.
        using (var api = await server.ApiAsync(BrowserServer.Referrer))
        {
            var created = await api.PostAsJsonAsync("/api/referrals", new
            {
                person = new { givenName = "Jo", familyName = "Example", dateOfBirth = "1980-01-09", prisonNumber = "G7001SC" },
                site = "WEI",
                releaseDate = Ui.Iso(Ui.Today.AddDays(-3)),
                releaseType = "ConditionalRelease",
                referralSource = "PrisonHealthcare",
                healthNeeds = MentalHealth,
                consent = new { given = true },
            });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, Scheduler, "/schedules");
        // Home sends a scheduler to the schedules page.
        await page.GotoAsync("/");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/schedules");
        await Ui.InteractiveAsync(page);
        var daily = page.Locator("#schedule-daily-follow-up-check");
        await Expect(daily).ToContainTextAsync("Every day at 07:00");
        await Expect(page.Locator("#schedule-timer-dispatcher")).ToContainTextAsync("Every 5 seconds");

        var runsBefore = await page.Locator("#runs-table tbody tr").CountAsync();
        await page.Locator("#run-daily-follow-up-check").ClickAsync();

        // The run happens on Quartz's threads; the page watches for its record and shows it without a reload.
        var rows = page.Locator("#runs-table tbody tr");
        await Expect(rows).ToHaveCountAsync(runsBefore + 1, new() { Timeout = 30_000 });
        var newest = rows.First;
        await Expect(newest).ToContainTextAsync("Succeeded");
        // In words: at least the Confirm release task (no check names, no counters).
        await Expect(newest.Locator(".run-summary")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ releases? to confirm"));
        await Expect(newest).Not.ToContainTextAsync("ConfirmUnconfirmedReleases");
        await Expect(daily.Locator(".last-result")).ToContainTextAsync("Succeeded");
        await Ui.ScreenshotAsync(page, "schedules-after-run-now");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Scheduler_EditsTheCron_SeesTheNextFiveTimes_AndTheErrorForABadOne()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, Scheduler, "/schedules");
        await page.Locator("#retime-daily-follow-up-check").ClickAsync();
        // "Every day at 07:00" first; the cron expression is the advanced choice.
        await Expect(page.Locator("#cron-time")).ToHaveValueAsync("07:00");
        await page.Locator("#cron-advanced").ClickAsync();
        var input = page.Locator("#cron-input");
        await Expect(input).ToBeVisibleAsync();

        await input.FillAsync("0 7 * *");
        await Expect(page.Locator("#cron-error")).ToContainTextAsync("4 fields");
        await Expect(page.Locator("#cron-next-times li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#cron-save")).ToBeDisabledAsync();
        await Ui.ScreenshotAsync(page, "schedules-cron-error");

        await input.FillAsync("30 6 * * 1-5");
        var times = page.Locator("#cron-next-times li");
        await Expect(times).ToHaveCountAsync(5);
        foreach (var text in await times.AllTextContentsAsync())
        {
            Assert.Contains("06:30:00", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Sat", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Sun", text, StringComparison.Ordinal);
        }
        await Expect(page.Locator("#cron-error")).ToHaveCountAsync(0);
        await Ui.ScreenshotAsync(page, "schedules-cron-preview");

        await page.Locator("#cron-save").ClickAsync();
        await Expect(page.Locator("#cron-panel")).ToHaveCountAsync(0);
        await Expect(page.Locator("#schedule-daily-follow-up-check")).ToContainTextAsync("Weekdays (Monday to Friday) at 06:30");

        // What the API says now.
        using var api = await server.ApiAsync(Scheduler);
        var list = await api.GetStringAsync("/api/schedules");
        Assert.Contains("0 30 6 ? * MON-FRI", list, StringComparison.Ordinal);

        // Put it back as the pathway states it (every day at 07:00, the simple way), so other tests see the usual schedule.
        await page.Locator("#retime-daily-follow-up-check").ClickAsync();
        await page.Locator("#cron-everyday").CheckAsync();
        await page.Locator("#cron-time").FillAsync("07:00");
        await Expect(times).ToHaveCountAsync(5);
        await page.Locator("#cron-save").ClickAsync();
        await Expect(page.Locator("#cron-panel")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
