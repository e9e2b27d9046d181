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

    [Fact]
    public async Task Navigator_ReleaseDateOutsideTheWindow_SeesTheDates_ThenSubmits_FormClearsWithTheReference_ListShowsIt()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/referrals/new");
        // The navigator's site is chosen for them, shown by name.
        await Expect(page.Locator("#rules li[data-rule='Site']")).ToContainTextAsync("HMP Leeds");

        await page.FillAsync("#givenName", "Robin");
        await page.FillAsync("#familyName", "Formtest");
        await page.FillAsync("#dateOfBirth", "1985-04-02");
        await page.FillAsync("#prisonNumber", "F60");
        var prisonNumberField = page.Locator(".mud-input-control").Filter(new() { Has = page.Locator("#prisonNumber") });
        await Expect(prisonNumberField).ToContainTextAsync("a letter, four digits and two letters");
        await page.FillAsync("#prisonNumber", "F6001RF");
        await Expect(prisonNumberField).Not.ToContainTextAsync("must be");

        await ChooseAsync(page, "#releaseType", "Conditional release");
        await ChooseAsync(page, "#referralSource", "Prison healthcare");
        await page.Locator("#need-MentalHealth input[type=checkbox], input#need-MentalHealth").First.CheckAsync();
        await page.Locator("#consent input[type=checkbox], input#consent").First.CheckAsync();

        // Release too far ahead: the window's earliest and latest referral dates under Release date.
        var far = Ui.Today.AddDays(120);
        var window = ReferralWindow.For(far);
        await page.FillAsync("#releaseDate", Ui.Iso(far));
        var releaseField = page.Locator(".mud-input-control").Filter(new() { Has = page.Locator("#releaseDate") });
        await Expect(releaseField).ToContainTextAsync($"the earliest referral date is {Ui.Iso(window.Opens)}");
        await Expect(releaseField).ToContainTextAsync($"the latest is {Ui.Iso(window.Closes)}");
        await Ui.ScreenshotAsync(page, "referral-form-window-error");

        await page.FillAsync("#releaseDate", Ui.Iso(Ui.Today.AddDays(30)));
        await Expect(releaseField).Not.ToContainTextAsync("earliest referral date");
        await page.ClickAsync("#referral-submit");

        var reference = page.Locator("#referral-reference");
        await Expect(reference).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^LEI-{Ui.Today.Year}-\\d{{4}}$"));
        var text = (await reference.TextContentAsync())!;
        await Expect(page.Locator("#givenName")).ToHaveValueAsync("");
        await Expect(page.Locator("#prisonNumber")).ToHaveValueAsync("");
        await Expect(page.Locator("#releaseDate")).ToHaveValueAsync("");
        await Ui.ScreenshotAsync(page, "referral-form-accepted");

        await Ui.GotoAsync(page, "/referrals");
        await Expect(page.Locator("#referrals-table")).ToContainTextAsync(text);
        await page.Context.CloseAsync();
    }

    private static async Task ChooseAsync(IPage page, string select, string option)
    {
        await page.Locator(select).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }
}
