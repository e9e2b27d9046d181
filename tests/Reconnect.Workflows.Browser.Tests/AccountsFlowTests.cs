using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>Issue #12: an admin adds a navigator on /admin/users; the navigator signs in with the temporary password and must change it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountsFlowTests(BrowserServer server)
{
    [Fact]
    public async Task Admin_CreatesNavigator_WhoSignsIn_AndMustChangeTheTemporaryPassword()
    {
        try
        {
            await CreateSignInAndChangeAsync();
        }
        finally
        {
            await server.DeactivateAsync(Newcomer);
        }
    }

    private const string Newcomer = "browser.newcomer@reconnect.test";

    private async Task CreateSignInAndChangeAsync()
    {
        var admin = await server.NewPageAsync();
        await Ui.SignInAsync(admin, BrowserServer.Admin, "/admin/users");
        await admin.FillAsync("#user-email", "browser.newcomer@reconnect.test");
        await admin.FillAsync("#user-name", "Browser newcomer");
        await admin.SelectOptionAsync("#user-site", "LEI");
        await admin.CheckAsync("#user-role-Navigator");
        await admin.ClickAsync("#users-save");
        var shown = admin.Locator("#users-temporary-password");
        await Expect(shown).ToBeVisibleAsync();
        var temporary = (await shown.TextContentAsync())!.Trim();
        await Expect(admin.Locator("tr[data-email='browser.newcomer@reconnect.test']")).ToContainTextAsync("must change password");
        await Ui.ScreenshotAsync(admin, "accounts-created");
        await admin.Context.CloseAsync();

        // The navigator signs in with it: whatever page they ask for, they are sent to change it first.
        var navigator = await server.NewPageAsync();
        await navigator.GotoAsync("/login?ReturnUrl=%2Finbox");
        await navigator.FillAsync("#email", "browser.newcomer@reconnect.test");
        await navigator.FillAsync("#password", temporary);
        await navigator.ClickAsync("#login-form button[type=submit]");
        await navigator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/password");
        await Expect(navigator.Locator("#password-must-change")).ToBeVisibleAsync();
        await navigator.GotoAsync("/referrals");
        await navigator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/password");

        await navigator.FillAsync("#current-password", temporary);
        await navigator.FillAsync("#new-password", "Browser-newcomer-2027");
        await navigator.ClickAsync("#password-submit");
        await Expect(navigator.Locator("#password-changed")).ToBeVisibleAsync();
        await Expect(navigator.Locator("#password-must-change")).ToHaveCountAsync(0);

        // Now the inbox opens, and the new password signs in.
        await Ui.GotoAsync(navigator, "/inbox");
        Assert.Equal("/inbox", new Uri(navigator.Url).AbsolutePath);
        await navigator.Context.CloseAsync();
    }
}
