using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>axe-core on the instance list and the viewer (with its 78-activity diagram): no serious or critical violations.</summary>
[Collection(BrowserCollection.Name)]
public sealed class InstancesAccessibilityTests(BrowserServer server)
{
    [Fact]
    public async Task InstancePages_HaveNoSeriousOrCriticalAxeViolations()
    {
        var referralId = await Ui.CreateReferralAsync(server, "E4004AX", "LEI");
        var instanceId = await InstancesTests.InstanceOfAsync(server, referralId);
        var failures = new List<string>();

        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, InstancesTests.Manager, "/instances");
        await page.Locator("#instances-table").WaitForAsync();
        await Ui.CheckAxeAsync(page, "instances", failures);

        await Ui.GotoAsync(page, $"/instances/{instanceId}");
        await page.Locator("g.diagram-node[data-state='waiting']").First.WaitForAsync();
        await Ui.CheckAxeAsync(page, "instance-viewer-axe", failures);
        // The confirmation too: it is where a keyboard user's focus goes next.
        await page.Locator("#instance-cancel").ClickAsync();
        await page.Locator("#confirm-cancel").WaitForAsync();
        await Ui.CheckAxeAsync(page, "instance-confirm-cancel", failures);
        await page.Context.CloseAsync();

        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
    }
}
