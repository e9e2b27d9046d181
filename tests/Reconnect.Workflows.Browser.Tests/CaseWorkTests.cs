using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>Case work a navigator can live in (issue 15): the outcome and note on the case, next steps, an early release through the dialog.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CaseWorkTests(BrowserServer server)
{
    private static string Day(DateOnly date) =>
        date.ToString(date.Year == Ui.Today.Year ? "d MMM" : "d MMM yyyy", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Navigator_CompletesFirstContactWithANote_SeesItOnTheCaseWithNextSteps_ThenRecordsAnEarlyRelease()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/inbox");
        var referralId = await Ui.CreateReferralAsync(server, "B3001BR", "LEI", releaseInDays: 30);
        var release = Ui.Today.AddDays(30);

        // First contact, Engaged, with a note, in the inbox's dialog.
        await Ui.GotoAsync(page, "/inbox");
        var row = page.Locator("#inbox-table tbody tr").Filter(new() { Has = page.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(row.First).ToContainTextAsync("First contact");
        await row.First.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Complete: First contact");
        await dialog.Locator("#complete-outcome").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Engaged", Exact = true }).ClickAsync();
        await dialog.Locator("#complete-notes").FillAsync("Met on the wing; wants help with housing.");
        await dialog.Locator("#complete-submit").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        // The case: the outcome and note in the history, by the navigator's name; a dated list of next steps.
        await Ui.GotoAsync(page, $"/referrals/{referralId}");
        var history = page.Locator("#case-history");
        await Expect(history).ToContainTextAsync("Completed First contact: Engaged. Note: Met on the wing; wants help with housing.");
        await Expect(history.Locator("li[data-kind=task-completed]")).ToContainTextAsync("Navigator (LEI)");
        var steps = page.Locator("#case-next-steps");
        await Expect(steps).ToContainTextAsync($"{Day(release.AddDays(-7))} — Confirm release-day arrangements");
        await Expect(steps).ToContainTextAsync($"{Day(release)} — Release-day support");
        await Expect(steps).ToContainTextAsync($"{Day(release.AddDays(21))} — Follow-up check (release + 21 days) (expected");

        // Released early (two days ago): the date in the dialog, today by default.
        await page.Locator("#event-released").ClickAsync();
        var releaseDialog = page.GetByRole(AriaRole.Dialog);
        await Expect(releaseDialog).ToContainTextAsync("Confirm the release");
        await Expect(releaseDialog.Locator("#release-dialog-date")).ToHaveValueAsync(Ui.Iso(Ui.Today));
        var failures = new List<string>();
        await Ui.CheckAxeAsync(page, "case-release-dialog", failures);
        var releasedOn = Ui.Today.AddDays(-2);
        await releaseDialog.Locator("#release-dialog-date").FillAsync(Ui.Iso(releasedOn));
        await releaseDialog.Locator("#release-dialog-confirm").ClickAsync();
        await Expect(releaseDialog).ToHaveCountAsync(0);

        // The new stage and the follow-ups from the actual date, without a reload.
        await Expect(page.Locator("#event-message")).ToContainTextAsync("the stage is now Post release");
        await Expect(page.Locator("#event-released")).ToHaveTextAsync("Correct the release date");
        await Expect(steps).ToContainTextAsync($"{Day(releasedOn.AddDays(7))} — Follow-up check (release + 7 days) (expected)");
        await Expect(steps).ToContainTextAsync($"{Day(releasedOn.AddDays(21))} — Follow-up check (release + 21 days) (expected)");
        await Expect(steps).Not.ToContainTextAsync("Release-day support");
        await Expect(history).ToContainTextAsync("Stage changed to post-release");
        await Ui.CheckAxeAsync(page, "case-after-release", failures);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        await page.Context.CloseAsync();
    }
}
