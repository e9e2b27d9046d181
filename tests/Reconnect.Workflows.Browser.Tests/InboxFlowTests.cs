using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class InboxFlowTests(BrowserServer server)
{
    [Fact]
    public async Task Navigator_SignsIn_CompletesFirstContactAsEngaged_AndSeesTheNextTask()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/inbox");
        Assert.EndsWith("/inbox", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        var referralId = await Ui.CreateReferralAsync(server, "B1001BR", "LEI");
        await Ui.GotoAsync(page, "/inbox");
        var row = page.Locator("#inbox-table tbody tr").Filter(new() { Has = page.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(row.First).ToContainTextAsync("First contact");
        Assert.Equal(1, await row.CountAsync());

        await Ui.CompleteTaskAsync(page, row, "First contact", "Engaged");

        // The pathway moves on in the engine; the inbox reloads once after completing, so look again until it is there.
        var next = page.Locator("#inbox-table tbody tr").Filter(new() { Has = page.Locator($"a[href='/referrals/{referralId}']") });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await next.AllTextContentsAsync()).Any(t => t.Contains("Needs assessment and support plan", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The next task did not appear: " + string.Join(" | ", await page.Locator("#inbox-table tbody tr").AllTextContentsAsync()));
            await Task.Delay(500);
            await Ui.GotoAsync(page, "/inbox");
        }
        Assert.DoesNotContain(await next.AllTextContentsAsync(), t => t.Contains("First contact", StringComparison.Ordinal));
        await Ui.ScreenshotAsync(page, "inbox-after-complete");
        await page.Context.CloseAsync();
    }
}
