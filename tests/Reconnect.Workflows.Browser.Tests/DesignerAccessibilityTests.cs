using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>axe-core on the designer's two pages (the list and the referral pathway open on the canvas, with a node selected).</summary>
[Collection(BrowserCollection.Name)]
public sealed class DesignerAccessibilityTests(BrowserServer server)
{
    [Fact]
    public async Task DesignerPages_HaveNoSeriousOrCriticalAxeViolations()
    {
        var failures = new List<string>();
        var page = await DesignerTests.WidePageAsync(server);
        await Ui.SignInAsync(page, DesignerTests.Manager, "/designer");
        await page.Locator("#definitions-table").WaitForAsync();
        await Ui.CheckAxeAsync(page, "designer-list-axe", failures);

        await Ui.GotoAsync(page, "/designer/reconnect-referral-pathway");
        await page.Locator(".rw-node").Nth(77).WaitForAsync();
        await page.SelectOptionAsync("#goto-activity", "firstContact");
        await page.Locator("#properties[data-activity-id='firstContact']").WaitForAsync();
        await Ui.CheckAxeAsync(page, "designer-editor-axe", failures);
        await page.Context.CloseAsync();

        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
    }
}
