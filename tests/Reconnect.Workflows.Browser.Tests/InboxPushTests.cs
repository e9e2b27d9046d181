using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>The live inbox: a task made while /inbox is open appears without a reload.</summary>
[Collection(BrowserCollection.Name)]
public sealed class InboxPushTests(BrowserServer server)
{
    [Fact]
    public async Task Navigator_WithTheInboxOpen_SeesANewReferralsTaskAppear_WithoutAReload()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/inbox");
        await Expect(page.Locator("#inbox-table, #inbox-empty")).ToHaveCountAsync(1);
        var opened = System.Diagnostics.Stopwatch.StartNew();
        // A reload would lose this: it proves the row came through the open circuit.
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var referralId = await Ui.CreateReferralAsync(server, "E5001PU", "LEI");

        // Before the 30-second fallback poll: the push brought it.
        var row = page.Locator("#inbox-table tbody tr").Filter(new() { Has = page.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = Ui.BeforePoll(opened) });
        await Expect(row).ToContainTextAsync("First contact");
        await Expect(row).ToContainTextAsync("New");
        await Expect(page.Locator("#inbox-live")).ToContainTextAsync("new task");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");

        // A referral for another site does not show here.
        var other = await Ui.CreateReferralAsync(server, "E5002PU", "NHI");
        await Ui.ScreenshotAsync(page, "inbox-live-push");
        await Expect(page.Locator($"a[href='/referrals/{other}']")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
