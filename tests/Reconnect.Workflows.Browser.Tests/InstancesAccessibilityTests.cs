using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>axe-core on the instance list and the viewer (with its 63-activity diagram): no serious or critical violations.</summary>
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
        await CheckAsync(page, "instances", failures);

        await Ui.GotoAsync(page, $"/instances/{instanceId}");
        await page.Locator("g.diagram-node[data-state='waiting']").First.WaitForAsync();
        await CheckAsync(page, "instance-viewer-axe", failures);
        // The confirmation too: it is where a keyboard user's focus goes next.
        await page.Locator("#instance-cancel").ClickAsync();
        await page.Locator("#confirm-cancel").WaitForAsync();
        await CheckAsync(page, "instance-confirm-cancel", failures);
        await page.Context.CloseAsync();

        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
    }

    private static async Task CheckAsync(IPage page, string name, List<string> failures)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Ui.ScreenshotAsync(page, name);
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            failures.Add($"{name}: {violation.Id} ({violation.Impact}) {violation.Help}: " +
                         string.Join("; ", violation.Nodes.Take(5).Select(n => n.Html)));
    }
}
