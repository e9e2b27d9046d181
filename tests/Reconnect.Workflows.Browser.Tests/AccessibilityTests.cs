using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserServer server)
{
    [Fact]
    public async Task EveryPage_HasNoSeriousOrCriticalAxeViolations()
    {
        var referralId = await Ui.CreateReferralAsync(server, "C2002AX", "NHI");
        var failures = new List<string>();

        var anonymous = await server.NewPageAsync();
        await anonymous.GotoAsync("/login");
        await Ui.CheckAxeAsync(anonymous, "login", failures);
        await anonymous.Context.CloseAsync();

        var navigator = await server.NewPageAsync();
        await Ui.SignInAsync(navigator, BrowserServer.NavigatorLeeds, "/inbox");
        await Ui.CheckAxeAsync(navigator, "inbox", failures);
        // A page the role does not give: the cookie sends the navigator to /forbidden.
        await navigator.GotoAsync("/dashboard");
        await navigator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/forbidden");
        await Ui.InteractiveAsync(navigator);
        await Ui.CheckAxeAsync(navigator, "forbidden", failures);
        await navigator.Context.CloseAsync();

        var admin = await server.NewPageAsync();
        await Ui.SignInAsync(admin, BrowserServer.Admin, "/referrals");
        await admin.Locator("table").First.WaitForAsync();
        await Ui.CheckAxeAsync(admin, "referrals", failures);
        await Ui.GotoAsync(admin, "/referrals/new");
        await admin.Locator("#referral-submit").WaitForAsync();
        await Ui.CheckAxeAsync(admin, "referral-new", failures);
        await Ui.GotoAsync(admin, $"/referrals/{referralId}");
        await admin.GetByText("C2002AX").First.WaitForAsync();
        await Ui.CheckAxeAsync(admin, "referral-case", failures);
        await Ui.GotoAsync(admin, "/admin/users");
        await admin.Locator("#users-table").WaitForAsync();
        await Ui.CheckAxeAsync(admin, "accounts", failures);
        // Static server rendering (a form post to the host): no circuit to wait for.
        await admin.GotoAsync("/account/password");
        await admin.Locator("#password-form").WaitForAsync();
        await Ui.CheckAxeAsync(admin, "change-password", failures);
        await admin.Context.CloseAsync();

        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
    }
}
