using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>
/// The designer for a manager who edits pathways every month: undo with Ctrl+Z brings a deleted node back with its
/// connections, nodes are moved and opened from the keyboard, a variable's default is changed and saved, and leaving
/// with unsaved changes asks first.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DesignerEditingTests(BrowserServer server)
{
    private const string Pathway = "reconnect-referral-pathway";

    private static Task<int> LinksAsync(IPage page) => page.Locator(".diagram-link").CountAsync();

    [Fact]
    public async Task Manager_DeletesANode_PressesCtrlZ_AndTheNodeIsBackWithItsConnections()
    {
        var page = await DesignerTests.WidePageAsync(server);
        await Ui.SignInAsync(page, DesignerTests.Manager, $"/designer/{Pathway}");
        await Ui.InteractiveAsync(page);
        await page.Locator(".rw-node").Nth(77).WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.diagram-link path').length >= 100");
        var links = await LinksAsync(page);

        // Tab reaches a node (focus selects it); Delete removes it with its links.
        var node = page.Locator(".rw-node[data-activity-id='firstContact']");
        await node.FocusAsync();
        await page.Locator("#properties[data-activity-id='firstContact']").WaitForAsync();
        await page.Keyboard.PressAsync("Delete");
        await node.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('.diagram-link').length < {links}");
        await page.Locator("#designer-dirty").WaitForAsync();
        await Ui.ScreenshotAsync(page, "designer-deleted");

        // Ctrl+Z on the canvas: the node is back, with every connection it had, and the pathway is as loaded again.
        await page.Locator("#designer-canvas .diagram-canvas").FocusAsync();
        await page.Keyboard.PressAsync("Control+z");
        await node.WaitForAsync();
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('.diagram-link').length === {links}");
        await page.Locator("#designer-dirty").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.True(await page.Locator("#undo").IsDisabledAsync());
        await page.Locator(".rw-node[data-activity-id='firstContact'] .rw-port--out.has-links").First.WaitForAsync();

        // Redo with the button deletes it again; Ctrl+Y is redo too after another undo.
        await page.ClickAsync("#redo");
        await node.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.ClickAsync("#undo");
        await node.WaitForAsync();

        // Arrows move the focused node; Enter opens its properties (the name field gets the keyboard).
        var before = await OffsetAsync(page, "firstContact");
        await node.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Shift+ArrowDown");
        await page.WaitForFunctionAsync(
            $"() => parseFloat(document.querySelector(\".rw-node[data-activity-id='firstContact']\").closest('.diagram-node').style.top) >= {before.Y + 50}");
        Assert.Equal(before.X + 20, (await OffsetAsync(page, "firstContact")).X);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'activity-name'");

        // Copy and paste with the buttons: a new activity with a fresh id.
        var nodes = await page.Locator(".rw-node").CountAsync(); // 78, or more after the other designer test published
        await node.FocusAsync();
        await page.ClickAsync("#copy");
        await page.ClickAsync("#paste");
        await page.Locator(".rw-node[data-activity-id='firstContact1']").WaitForAsync();
        Assert.Equal(nodes + 1, await page.Locator(".rw-node").CountAsync());

        // Arrange lays everything out afresh; one undo puts it back.
        await page.ClickAsync("#arrange");
        await page.Locator("#designer-canvas .diagram-canvas").FocusAsync();
        await page.Keyboard.PressAsync("Control+z");
        await page.Keyboard.PressAsync("Control+z");
        await page.Locator(".rw-node[data-activity-id='firstContact1']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.Keyboard.PressAsync("Control+y");
        await page.Locator(".rw-node[data-activity-id='firstContact1']").WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Manager_EditsAVariablesDefault_IsWarnedBeforeLeaving_AndSaves()
    {
        const string id = "browser-variables-pathway";
        var page = await DesignerTests.WidePageAsync(server);
        await Ui.SignInAsync(page, DesignerTests.Manager, "/designer");
        await page.Locator("#definitions-table").WaitForAsync();
        await Ui.CreatePathwayAsync(page, id, "Variables in the browser");
        await page.Locator(".rw-node[data-activity-id='finish']").WaitForAsync(new() { Timeout = 60_000 });

        // Add a follow-up variable, then change its default.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Variables" }).ClickAsync();
        await page.FillAsync("#variable-new-name", "FollowUpDays");
        await page.SelectOptionAsync("#variable-new-type", "Int32");
        await page.FillAsync("#variable-new-value", "7");
        await page.ClickAsync("#variable-add");
        await page.Locator("#variable-value-FollowUpDays").WaitForAsync();
        await page.FillAsync("#variable-value-FollowUpDays", "10");
        await page.PressAsync("#variable-value-FollowUpDays", "Tab");
        await page.Locator("#designer-dirty").WaitForAsync();
        await Ui.ScreenshotAsync(page, "designer-variables");

        // Leaving now asks; "Stay" keeps the page and the change.
        await page.Locator("a[href='/designer']", new() { HasTextString = "All pathways" }).ClickAsync();
        await page.Locator("#designer-confirm-title", new() { HasTextString = "Leave without saving" }).WaitForAsync();
        await page.ClickAsync("#designer-confirm-no");
        Assert.EndsWith($"/designer/{id}", page.Url);
        Assert.Equal("10", await page.InputValueAsync("#variable-value-FollowUpDays"));

        // Save: the draft has the variable with its new default, and leaving no longer asks.
        await page.ClickAsync("#save-draft");
        await page.Locator("#designer-dirty").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        using var api = await server.ApiAsync(DesignerTests.Manager);
        var saved = await api.GetFromJsonAsync<JsonObject>($"/api/workflow-definitions/{id}");
        var variable = saved!["variables"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "FollowUpDays")!;
        Assert.Equal("Int32", variable["typeName"]!.GetValue<string>());
        Assert.Equal(10, variable["value"]!.GetValue<int>());

        await page.Locator("a[href='/designer']", new() { HasTextString = "All pathways" }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/designer", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    private static async Task<(double X, double Y)> OffsetAsync(IPage page, string activityId)
    {
        var xy = await page.EvalOnSelectorAsync<double[]>($".rw-node[data-activity-id='{activityId}']",
            "e => { const n = e.closest('.diagram-node'); return [parseFloat(n.style.left), parseFloat(n.style.top)]; }");
        return (xy[0], xy[1]);
    }
}
