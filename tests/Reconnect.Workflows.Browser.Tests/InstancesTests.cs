using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>A manager finds a referral's instance on /instances, sees where it waits and its journal, and cancels it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class InstancesTests(BrowserServer server, ITestOutputHelper output)
{
    public const string Manager = "manager@reconnect.test";

    /// <summary>The referral's workflow instance id, read through the API as the manager.</summary>
    internal static async Task<string> InstanceOfAsync(BrowserServer server, string referralId)
    {
        using var api = await server.ApiAsync(Manager);
        var referral = await api.GetFromJsonAsync<JsonObject>($"/api/referrals/{referralId}");
        return referral!["workflowInstanceId"]!.GetValue<string>();
    }

    /// <summary>
    /// Picks an option of a MudSelect. Once it has a value its input (which carries the id) is hidden behind the shown
    /// text, so the click goes to the select around it.
    /// </summary>
    private static async Task ChooseAsync(IPage page, string selectId, string option)
    {
        await page.Locator("div.mud-select").Filter(new() { Has = page.Locator(selectId) }).Last.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }

    [Fact]
    public async Task Manager_FiltersTheList_OpensThePathwayInstance_SeesWhereItWaits_AndCancelsIt()
    {
        var referralId = await Ui.CreateReferralAsync(server, "D3003IN", "WEI");
        var instanceId = await InstanceOfAsync(server, referralId);

        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, Manager, "/instances");
        await Expect(page.Locator("#instances-table")).ToBeVisibleAsync();

        // Filter: waiting instances of the referral pathway.
        await ChooseAsync(page, "#filter-status", "Waiting");
        await ChooseAsync(page, "#filter-definition", "RECONNECT referral pathway");
        var row = page.Locator($"#instances-table tbody tr[data-instance-id='{instanceId}']");
        await Expect(row).ToContainTextAsync("Waiting");
        // The list re-renders after each filter: wait until no row of another workflow or status is left.
        var rows = page.Locator("#instances-table tbody tr");
        await Expect(rows.Filter(new() { HasNotText = "RECONNECT referral pathway" })).ToHaveCountAsync(0);
        await Expect(rows.Filter(new() { HasNotText = "Waiting" })).ToHaveCountAsync(0);
        foreach (var text in await rows.AllTextContentsAsync())
        {
            Assert.Contains("RECONNECT referral pathway", text, StringComparison.Ordinal);
            Assert.Contains("Waiting", text, StringComparison.Ordinal);
        }
        // A filter that matches nothing says so.
        await ChooseAsync(page, "#filter-status", "Faulted");
        await Expect(page.Locator("#instances-empty")).ToContainTextAsync("No instances match");
        await ChooseAsync(page, "#filter-status", "Waiting");
        await Ui.ScreenshotAsync(page, "instances-list");

        // Open it: the diagram marks First contact as where it waits, in words and in the list under it.
        await row.Locator($"a[href='/instances/{instanceId}']").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/instances/{instanceId}");
        await Ui.InteractiveAsync(page);
        var waiting = page.Locator("g.diagram-node[data-activity-id='firstContact']");
        await Expect(waiting).ToHaveAttributeAsync("data-state", "waiting");
        await Expect(waiting).ToContainTextAsync("WAITING HERE");
        Assert.Equal("ran", await page.Locator("g.diagram-node[data-activity-id='fork']").GetAttributeAsync("data-state"));
        await Expect(page.Locator("#diagram-waiting")).ToContainTextAsync("First contact");
        Assert.Equal(78, await page.Locator("g.diagram-node").CountAsync());
        // Its journal: started, the activities that ran, the task it created.
        var journal = page.Locator("#instance-journal tbody tr");
        await Expect(journal.First).ToContainTextAsync("started");
        Assert.True(await page.Locator("#instance-journal tbody tr[data-kind='activity-executed']").CountAsync() >= 8);
        await Expect(page.Locator("#instance-journal tbody tr[data-kind='task-created']")).ToContainTextAsync("First contact");
        await Expect(page.Locator("#instance-bookmarks")).ToContainTextAsync("First contact");
        await Expect(page.Locator("#instance-case-link")).ToHaveAttributeAsync("href", $"/referrals/{referralId}");
        await page.Locator("#diagram-zoom-reset").ClickAsync();
        await waiting.ScrollIntoViewIfNeededAsync();
        await Ui.ScreenshotAsync(page, "instance-viewer");
        await page.Locator(".diagram-scroll").ScreenshotAsync(new() { Path = Path.Combine(BrowserServer.RepositoryRoot, "artifacts", "screenshots", "instance-diagram-at-100.png") });

        // Cancel, after the confirmation: the result shows, the page reloads with the new status and nothing waiting.
        await page.Locator("#instance-cancel").ClickAsync();
        await Expect(page.Locator("#confirm-cancel")).ToContainTextAsync("It stops for good");
        await page.Locator("#confirm-cancel-yes").ClickAsync();
        await Expect(page.Locator("#instance-action-message")).ToContainTextAsync("Cancelled; the instance is now cancelled.");
        await Expect(page.Locator("#instance-status")).ToHaveAttributeAsync("data-status", "Cancelled");
        await Expect(page.Locator("#instance-status")).ToContainTextAsync("Cancelled");
        await Expect(page.Locator("g.diagram-node[data-state='waiting']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#instance-journal tbody tr[data-kind='cancelled']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#instance-cancel")).ToHaveCountAsync(0);
        await Ui.ScreenshotAsync(page, "instance-cancelled");

        // How long the viewer takes to show the 78-activity diagram, from a fresh load (a figure for docs/ui.md, not a limit).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync($"/instances/{instanceId}");
        await page.Locator("g.diagram-node[data-activity-id='firstContact']").WaitForAsync();
        var shown = clock.ElapsedMilliseconds;
        await Ui.InteractiveAsync(page);
        var interactive = clock.ElapsedMilliseconds;
        var bytes = await page.EvaluateAsync<int>("() => document.querySelector('#diagram svg[role=img]').outerHTML.length");
        output.WriteLine($"viewer: diagram shown {shown} ms after navigation (prerendered), interactive {interactive} ms; SVG {bytes:N0} characters");

        // The list agrees.
        await Ui.GotoAsync(page, $"/instances?status=Cancelled&correlationId={referralId}");
        await Expect(page.Locator($"#instances-table tbody tr[data-instance-id='{instanceId}']")).ToContainTextAsync("Cancelled");
        await page.Context.CloseAsync();
    }
}
