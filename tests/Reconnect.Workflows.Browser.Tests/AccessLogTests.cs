using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>"Who looked at my record?" (issue 10): the case page's Access log, for managers and admins only.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessLogTests(BrowserServer server)
{
    [Fact]
    public async Task CasePage_NavigatorOpensIt_AdminSeesTheReadInTheAccessLog_NavigatorSeesNoLog()
    {
        var referralId = await Ui.CreateReferralAsync(server, "B4101AL", "LEI", releaseInDays: 40);

        // The navigator opens the case: one "read" row, and no access log on their page.
        var navigator = await server.NewPageAsync();
        await Ui.SignInAsync(navigator, BrowserServer.NavigatorLeeds, $"/referrals/{referralId}");
        await Ui.GotoAsync(navigator, $"/referrals/{referralId}");
        await Expect(navigator.Locator("#case-history")).ToBeVisibleAsync();
        await Expect(navigator.Locator("#access-log")).ToHaveCountAsync(0);
        await navigator.Context.CloseAsync();

        // The admin's case page lists who opened it and who made it, newest first.
        var admin = await server.NewPageAsync();
        await Ui.SignInAsync(admin, BrowserServer.Admin, $"/referrals/{referralId}");
        await Ui.GotoAsync(admin, $"/referrals/{referralId}");
        var rows = admin.Locator("#access-log-table tbody tr");
        await Expect(rows.Filter(new() { HasText = BrowserServer.NavigatorLeeds }).First).ToContainTextAsync("opened the record");
        await Expect(rows.Filter(new() { HasText = BrowserServer.Referrer }).First).ToContainTextAsync("made the referral");
        await Expect(rows.Last).ToHaveAttributeAsync("data-action", "create");
        await admin.Context.CloseAsync();
    }
}
