using Microsoft.Playwright;
using Reconnect.Workflows.Referrals.Eligibility;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ReferralFormTests(BrowserServer server)
{
    [Fact]
    public async Task Referrer_TypesReleaseDate_SeesWindow_ThenAgeRuleFailsAt17AndPassesAt18()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.Referrer, "/referrals/new");
        var ageRule = page.Locator("#rules li[data-rule='Age']");
        await Expect(ageRule).ToHaveAttributeAsync("data-met", "unknown");
        // The referrer has no site: the site starts empty (it once showed the literal "_defaultSite").
        Assert.DoesNotContain("_defaultSite", await page.Locator("#page-content").TextContentAsync() ?? "", StringComparison.Ordinal);

        var release = Ui.Today.AddDays(30);
        var window = ReferralWindow.For(release);
        await page.FillAsync("#releaseDate", Ui.Iso(release));
        await Expect(page.Locator("#window-dates")).ToContainTextAsync($"Window opens {Ui.Iso(window.Opens)}");
        await Expect(page.Locator("#window-dates")).ToContainTextAsync($"Window closes {Ui.Iso(window.Closes)}");

        // 17 on release: the 18th birthday is the day after.
        await page.FillAsync("#dateOfBirth", Ui.Iso(release.AddYears(-18).AddDays(1)));
        await Expect(ageRule).ToHaveAttributeAsync("data-met", "false");
        await Expect(ageRule).ToContainTextAsync("Age: not met.");

        // 18 on the release date itself.
        await page.FillAsync("#dateOfBirth", Ui.Iso(release.AddYears(-18)));
        await Expect(ageRule).ToHaveAttributeAsync("data-met", "true");
        await Expect(ageRule).ToContainTextAsync("Age: met.");
        await Ui.ScreenshotAsync(page, "referral-form-filled");
        await page.Context.CloseAsync();
    }
}
