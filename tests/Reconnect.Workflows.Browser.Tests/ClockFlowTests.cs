using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>The navigator's work as time passes: a timer of the pathway fires when the test clock moves, and its task shows up.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ClockFlowTests(BrowserServer server)
{
    [Fact]
    public async Task Navigator_CompletesFirstContact_ClockMovesPastReleaseMinusSeven_AndTheConfirmTaskAppears()
    {
        // Release in 10 days: the pathway's "Release − 7 days" timer (armed when first contact is engaged) is due in 3.
        var referralId = await Ui.CreateReferralAsync(server, "C7001CK", "LEI", releaseInDays: 10);
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/inbox");
        var rows = page.Locator("#inbox-table tbody tr").Filter(new() { Has = page.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(rows.First).ToContainTextAsync("First contact");

        await Ui.CompleteTaskAsync(page, rows.First, "First contact", "Engaged");
        await Expect(rows.Filter(new() { HasText = "Needs assessment and support plan" })).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Assert.Equal(0, await rows.Filter(new() { HasText = "Confirm release-day arrangements" }).CountAsync());

        // Four days on: the timer is due; the clock endpoint dispatches it, and the inbox is told of the new task.
        await Ui.AdvanceClockAsync(server, TimeSpan.FromDays(4));
        await Expect(rows.Filter(new() { HasText = "Confirm release-day arrangements" })).ToHaveCountAsync(1, new() { Timeout = 45_000 });
        // Needs assessment was due two days after first contact: four days later it says so in words.
        await Expect(rows.Filter(new() { HasText = "Needs assessment and support plan" })).ToContainTextAsync("Overdue");
        await Ui.ScreenshotAsync(page, "inbox-after-clock-moves");

        // The case page tells the same story: the timer has fired and the task is open.
        await Ui.GotoAsync(page, $"/referrals/{referralId}");
        await Expect(page.Locator("#page-content")).ToContainTextAsync("Confirm release-day arrangements");
        await page.Context.CloseAsync();
    }
}
