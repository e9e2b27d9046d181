using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>
/// The real Elsa Studio 3.8.2 (npm @elsa-workflows/elsa-studio-wasm, installed by scripts/install-elsa-studio.sh) hosted
/// by our server at /studio, talking to our /elsa/api: the list, the editor drawing the whole pathway, a change made and
/// published in Studio that our API, validation and a new referral then see, the instance list and viewer showing where
/// a referral waits, read-only Studio for a reader who may not edit, and no Studio for a navigator. Studio's cold load
/// (WebAssembly, ~30 MB) is slow on a busy 2-core machine: its waits are minutes, not seconds.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ElsaStudioTests(BrowserServer server, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Manager = "manager@reconnect.test";
    private const string Pathway = "reconnect-referral-pathway";
    private const float StudioLoad = 180_000;

    [Fact]
    public async Task DefinitionList_Manager_ShowsTheReferralPathway()
    {
        var page = await StudioPageAsync(Manager, "/studio");
        Assert.EndsWith("/studio/", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("elsa-workflow-definition-list")).ToContainTextAsync("RECONNECT referral pathway", new() { Timeout = StudioLoad });
        await Ui.ScreenshotAsync(page, "studio-definitions");
    }

    [Fact]
    public async Task Editor_Manager_DrawsThePathwayAndPublishesAChangeThatNewReferralsRun()
    {
        using var api = await server.ApiAsync(Manager);
        var versionsBefore = await api.GetFromJsonAsync<JsonArray>($"/api/workflow-definitions/{Pathway}/versions");
        var lastVersion = versionsBefore!.Max(v => v!["version"]!.GetValue<int>());
        // What Studio must draw: the latest version (workflows/reconnect-referral-pathway.json unless a test published since).
        var latest = (await api.GetFromJsonAsync<JsonObject>($"/api/workflow-definitions/{Pathway}"))!;
        var (activities, connections) = Counts(latest);
        if (lastVersion == 1) Assert.Equal(Counts(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BrowserServer.RepositoryRoot, "workflows", Pathway + ".json")))!.AsObject()), (activities, connections));

        var page = await StudioPageAsync(Manager, "/studio/definitions/" + Pathway);
        var watch = Stopwatch.StartNew();
        await WaitForGraphAsync(page, activities, connections);
        output.WriteLine($"Studio drew {activities} activities and {connections} connections {watch.ElapsedMilliseconds} ms after the page loaded");
        Assert.Equal(activities, await page.Locator(".x6-node").CountAsync());
        Assert.Equal(connections, await page.Locator(".x6-edge").CountAsync());
        // Not read-only for a manager: no banner, and the publish button is there.
        Assert.Equal(0, await page.GetByText("read-only mode").CountAsync());
        var publish = await ToolButtonAsync(page, "Publish workflow");
        await Ui.ScreenshotAsync(page, "studio-editor");

        // Change a navigator task's title (a Liquid input: Studio edits it in Monaco). Zoom to fit first, then pick a task
        // whose node is on screen.
        await (await ToolButtonAsync(page, "Zoom to fit the screen")).ClickAsync();
        await page.WaitForTimeoutAsync(1000);
        var activityId = await page.EvaluateAsync<string?>("""
            () => {
              const g = document.querySelector('.x6-graph').getBoundingClientRect();
              for (const n of document.querySelectorAll('.x6-node')) {
                if (!n.textContent.includes('Navigator task')) continue;
                const r = n.getBoundingClientRect();
                if (r.width > 0 && r.left >= g.left && r.right <= g.right && r.top >= g.top + 10 && r.bottom <= g.bottom) return n.getAttribute('data-cell-id');
              }
              return null;
            }
            """);
        Assert.False(activityId is null, "no navigator task is on screen after 'Zoom to fit'");
        await page.Locator($".x6-node[data-cell-id='{activityId}']").ClickAsync(new() { Force = true });
        var title = page.Locator(".monaco-editor").First;
        await title.WaitForAsync();
        const string suffix = " (checked in Elsa Studio)";
        // Studio autosaves about 500 ms after a change: the save carries the new title.
        var saved = page.WaitForRequestAsync(r => r.Method == "POST" && r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal)
            && (r.PostData ?? "").Contains(suffix, StringComparison.Ordinal), new() { Timeout = 60_000 });
        await title.ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync(suffix);
        await saved;
        await page.WaitForTimeoutAsync(1500);
        await publish.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Workflow published", new() { Timeout = 60_000 });
        await Ui.ScreenshotAsync(page, "studio-published");

        // Our API: a new published version with the new title; it validates.
        var versions = (await api.GetFromJsonAsync<JsonArray>($"/api/workflow-definitions/{Pathway}/versions"))!;
        var newest = versions.OrderBy(v => v!["version"]!.GetValue<int>()).Last()!;
        var version = newest["version"]!.GetValue<int>();
        Assert.True(version > lastVersion, $"no new version after Studio's publish: {versions.ToJsonString()}");
        Assert.True(newest["isPublished"]!.GetValue<bool>(), newest.ToJsonString());
        var published = (await api.GetFromJsonAsync<JsonObject>($"/api/workflow-definitions/{Pathway}?version={version}"))!;
        var changed = published["root"]!["activities"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == activityId)!;
        Assert.EndsWith(suffix, changed["title"]!["expression"]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        var validation = await api.PostAsJsonAsync("/api/workflow-definitions/validate", published);
        var verdict = (await validation.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(verdict["valid"]!.GetValue<bool>(), verdict.ToJsonString());

        // A referral started now runs the new version.
        var referralId = await Ui.CreateReferralAsync(server, "S" + Random.Shared.Next(1000, 9999) + "TU", "LEI");
        var instance = await InstanceOfAsync(api, referralId);
        Assert.Equal(version, instance["definitionVersion"]!.GetValue<int>());

        // Round trip: what Studio saved, exported by us, imports back through /elsa/api with the same meaning.
        await RoundTripAsync(api, published);
    }

    [Fact]
    public async Task InstanceViewer_Manager_ShowsWhereTheReferralWaits()
    {
        var referralId = await Ui.CreateReferralAsync(server, "V" + Random.Shared.Next(1000, 9999) + "TU", "LEI");
        using var api = await server.ApiAsync(Manager);
        var instance = await InstanceOfAsync(api, referralId);
        var instanceId = instance["id"]!.GetValue<string>();
        var waiting = instance["bookmarks"]!.AsArray().Select(b => b!["activityId"]!.GetValue<string>()).ToHashSet();
        Assert.NotEmpty(waiting);
        var definition = (await api.GetFromJsonAsync<JsonObject>($"/api/workflow-definitions/{Pathway}?version={instance["definitionVersion"]}"))!;
        var (activities, _) = Counts(definition);

        // The list shows the instance.
        var list = await StudioPageAsync(Manager, "/studio/instances");
        await Assertions.Expect(list.Locator("elsa-workflow-instance-list")).ToContainTextAsync(instanceId, new() { Timeout = StudioLoad });
        await Ui.ScreenshotAsync(list, "studio-instances");

        // The viewer: the graph, the journal, and a warning badge (started, not completed) on every activity it waits at.
        var page = await StudioPageAsync(Manager, "/studio/instances/" + instanceId);
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('.x6-node').length >= {activities}", null, new() { Timeout = StudioLoad });
        await Assertions.Expect(page.Locator($"#activity-{waiting.First()} .mud-badge.mud-theme-warning")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        // Studio fills the badges in one by one after the report: wait until they settle on our bookmarks.
        const string Badged = """
            () => [...document.querySelectorAll('elsa-activity-wrapper')]
                .filter(w => w.querySelector('.mud-badge.mud-theme-warning'))
                .map(w => w.getAttribute('activity-id')).sort().join(',')
            """;
        var expected = string.Join(",", waiting.Order(StringComparer.Ordinal));
        try
        {
            await page.WaitForFunctionAsync($"expected => ({Badged})() === expected", expected, new() { Timeout = 60_000, PollingInterval = 500 });
        }
        catch (TimeoutException)
        {
            Assert.Equal(expected, await page.EvaluateAsync<string>(Badged));
        }
        await Assertions.Expect(page.GetByText("Navigator task - Suspended").First).ToBeVisibleAsync();
        await Ui.ScreenshotAsync(page, "studio-instance-viewer");
    }

    [Fact]
    public async Task Editor_AdminWhoMayNotEdit_IsReadOnly()
    {
        var page = await StudioPageAsync(BrowserServer.Admin, "/studio/definitions/" + Pathway);
        await Assertions.Expect(page.GetByText("Unable to make changes as the workflow or application is currently in read-only mode."))
            .ToBeVisibleAsync(new() { Timeout = StudioLoad });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.x6-node').length > 0", null, new() { Timeout = StudioLoad });
        await page.WaitForTimeoutAsync(1000);
        Assert.Null(await FindToolButtonAsync(page, "Publish workflow"));
        Assert.Null(await FindToolButtonAsync(page, "Save"));
        await Ui.ScreenshotAsync(page, "studio-read-only");
    }

    [Fact]
    public async Task Studio_Navigator_IsRefused()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/inbox");
        foreach (var path in new[] { "/studio/", "/studio/definitions/" + Pathway, "/studio/instances" })
        {
            await page.GotoAsync(path);
            Assert.EndsWith("/forbidden", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("elsa-workflow-definition-editor, elsa-workflow-definition-list, elsa-workflow-instance-list").CountAsync());
        }
    }

    [Fact]
    public async Task Designer_OpenInElsaStudio_LinksToStudiosEditor()
    {
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, Manager, "/designer/" + Pathway);
        var link = page.Locator("#open-in-studio");
        await Assertions.Expect(link).ToHaveAttributeAsync("href", "/studio/definitions/" + Pathway);
        await Assertions.Expect(link).ToContainTextAsync("Open in Elsa Studio");
    }

    /// <summary>Signs in with our form, then opens a Studio page; fails clearly when Studio's files are not installed.</summary>
    private async Task<IPage> StudioPageAsync(string email, string path)
    {
        var folder = Path.Combine(BrowserServer.RepositoryRoot, "artifacts", "elsa-studio");
        Assert.True(File.Exists(Path.Combine(folder, "_framework", "blazor.webassembly.js")),
            $"Elsa Studio is not installed in {folder}: run scripts/install-elsa-studio.sh (./test.sh does).");
        var page = await server.NewPageAsync();
        page.Context.SetDefaultTimeout(StudioLoad);
        // Managers and admins may open the designer list: a page that stays where the sign-in sends it.
        await Ui.SignInAsync(page, email, "/designer");
        var response = await page.GotoAsync(path);
        Assert.True(response is { Ok: true }, $"GET {path} answered {response?.Status}");
        return page;
    }

    private static async Task WaitForGraphAsync(IPage page, int activities, int connections)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('.x6-node').length === {activities} && document.querySelectorAll('.x6-edge').length === {connections}",
                null, new() { Timeout = StudioLoad, PollingInterval = 500 });
        }
        catch (TimeoutException e)
        {
            var drawn = await page.EvaluateAsync<string>("() => document.querySelectorAll('.x6-node').length + ' nodes, ' + document.querySelectorAll('.x6-edge').length + ' edges'");
            throw new TimeoutException($"Studio drew {drawn}, not {activities} activities and {connections} connections", e);
        }
    }

    /// <summary>A toolbar icon button, found by its tooltip (Studio's buttons have no accessible names).</summary>
    private static async Task<ILocator> ToolButtonAsync(IPage page, string tooltip) =>
        await FindToolButtonAsync(page, tooltip) ?? throw new InvalidOperationException($"No button with the tooltip '{tooltip}'.");

    private static async Task<ILocator?> FindToolButtonAsync(IPage page, string tooltip)
    {
        var buttons = page.Locator(".mud-toolbar .mud-icon-button, .mud-icon-button");
        var count = await buttons.CountAsync();
        for (var i = 0; i < count; i++)
        {
            var button = buttons.Nth(i);
            if (!await button.IsVisibleAsync()) continue;
            // Some icon buttons sit under an overlay (e.g. the read-only banner's): a short, forced hover, skipped when it fails.
            try { await button.HoverAsync(new() { Timeout = 3_000, Force = true }); }
            catch (TimeoutException) { continue; }
            await page.WaitForTimeoutAsync(250);
            var tips = await page.Locator(".mud-tooltip").AllInnerTextsAsync();
            if (tips.Any(t => t.Trim() == tooltip)) return button;
        }
        return null;
    }

    private static (int Activities, int Connections) Counts(JsonObject definition) =>
        (definition["root"]!["activities"]!.AsArray().Count, definition["root"]!["connections"]!.AsArray().Count);

    private static async Task<JsonObject> InstanceOfAsync(HttpClient api, string referralId)
    {
        var referral = (await api.GetFromJsonAsync<JsonObject>($"/api/referrals/{referralId}"))!;
        var instanceId = referral["workflowInstanceId"]!.GetValue<string>();
        return (await api.GetFromJsonAsync<JsonObject>($"/api/workflow-instances/{instanceId}"))!;
    }

    /// <summary>
    /// Our export of the version Studio published, imported through /elsa/api as a new definition and exported again:
    /// the same activities, connections, inputs and variables. Then the export posted back to its own definition is
    /// "nothing changed" (our save compares meaning): no new version.
    /// </summary>
    private static async Task RoundTripAsync(HttpClient api, JsonObject exported)
    {
        var copyId = "studio-round-trip-" + Guid.NewGuid().ToString("N")[..8];
        var model = exported.DeepClone().AsObject();
        model.Remove("id");
        model["definitionId"] = copyId;
        model["name"] = "Round trip " + copyId;
        var import = await api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = false });
        var body = await import.Content.ReadAsStringAsync();
        Assert.True(import.IsSuccessStatusCode, $"import through /elsa/api answered {(int)import.StatusCode}: {body}");
        var back = (await api.GetFromJsonAsync<JsonObject>($"/api/workflow-definitions/{copyId}"))!;
        foreach (var key in new[] { "root", "variables", "inputs", "outputs" })
            Assert.True(JsonNode.DeepEquals(exported[key], back[key]), $"'{key}' changed in the round trip:\n{exported[key]?.ToJsonString()}\n---\n{back[key]?.ToJsonString()}");

        var again = await api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = exported.DeepClone(), ["publish"] = true });
        var answer = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(again.IsSuccessStatusCode, answer.ToJsonString());
        Assert.True(answer["alreadyPublished"]!.GetValue<bool>(), answer.ToJsonString());
        Assert.Equal(exported["version"]!.GetValue<int>(), answer["workflowDefinition"]!["version"]!.GetValue<int>());
    }
}
