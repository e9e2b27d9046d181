using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>
/// Issue 11 in a real browser: a manager changes a follow-up timer's variable default in a new version (saved and
/// published through the API), opens "Migrate running referrals" in the designer's versions panel, dry-runs, takes the
/// new default, migrates the waiting instances with the progress bar, and sees a migrated instance's new due time.
/// A workflow of its own, so the pathway the other browser tests use is not touched.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MigrationTests(BrowserServer server)
{
    private const string Flow = "browser-follow-up";

    private static JsonObject Definition(int followUpDays) => new()
    {
        ["definitionId"] = Flow,
        ["name"] = "Browser follow-up",
        ["variables"] = new JsonArray(
            new JsonObject { ["id"] = "ReleaseDate", ["name"] = "ReleaseDate", ["typeName"] = "String", ["value"] = "2030-03-01" },
            new JsonObject { ["id"] = "FollowUpDays", ["name"] = "FollowUpDays", ["typeName"] = "Int32", ["value"] = followUpDays }),
        ["root"] = new JsonObject
        {
            ["type"] = "Elsa.Flowchart", ["id"] = "flowchart",
            ["activities"] = new JsonArray(
                new JsonObject { ["id"] = "start", ["type"] = "Elsa.Start" },
                new JsonObject
                {
                    ["id"] = "followUp", ["type"] = "Elsa.StartAt", ["name"] = "Follow-up timer",
                    ["dateTime"] = new JsonObject { ["typeName"] = "DateTimeOffset", ["expression"] = new JsonObject { ["type"] = "JavaScript", ["value"] = "addDays(variables.ReleaseDate, variables.FollowUpDays)" } },
                },
                new JsonObject { ["id"] = "done", ["type"] = "Elsa.Finish" }),
            ["connections"] = new JsonArray(
                new JsonObject { ["source"] = new JsonObject { ["activity"] = "start", ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = "followUp", ["port"] = "In" } },
                new JsonObject { ["source"] = new JsonObject { ["activity"] = "followUp", ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = "done", ["port"] = "In" } }),
        },
    };

    [Fact]
    public async Task Manager_MigratesWaitingInstancesToANewDefault_AndSeesTheNewDueTime()
    {
        using var api = await server.ApiAsync(DesignerTests.Manager);
        (await api.PostAsJsonAsync("/api/workflow-definitions", Definition(7))).EnsureSuccessStatusCode();
        (await api.PostAsync($"/api/workflow-definitions/{Flow}/publish", null)).EnsureSuccessStatusCode();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var started = await api.PostAsJsonAsync("/api/workflow-instances", new JsonObject { ["definitionId"] = Flow });
            started.EnsureSuccessStatusCode();
            ids.Add((await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
        }
        (await api.PutAsJsonAsync($"/api/workflow-definitions/{Flow}", Definition(10))).EnsureSuccessStatusCode();
        (await api.PostAsync($"/api/workflow-definitions/{Flow}/publish", null)).EnsureSuccessStatusCode();

        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, DesignerTests.Manager, $"/designer/{Flow}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Versions" }).ClickAsync();
        await page.ClickAsync("#migrate-open");
        await Assertions.Expect(page.Locator("#migrate-from")).ToHaveValueAsync("1");
        await Assertions.Expect(page.Locator("#migrate-to")).ToHaveValueAsync("2");
        await page.ClickAsync("#migrate-dry-run");

        // The machine running the suite may be busy: the dry run's queries get time.
        await Assertions.Expect(page.Locator("#migrate-count, #migrate-error")).ToContainTextAsync("2 referrals are running on v1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#migrate-waiting tr[data-activity-id='followUp']")).ToContainTextAsync("2");
        var variable = page.Locator("#migrate-variables tr[data-variable='FollowUpDays']");
        await Assertions.Expect(variable).ToContainTextAsync("7");
        await Assertions.Expect(variable).ToContainTextAsync("10");
        await page.SelectOptionAsync("#var-FollowUpDays", "new");
        await Ui.ScreenshotAsync(page, "migration-dry-run");
        await page.ClickAsync("#migrate-start");

        await Assertions.Expect(page.Locator("#migrate-status")).ToContainTextAsync("Done: 2 of 2 migrated", new() { Timeout = 30_000 });
        await Ui.ScreenshotAsync(page, "migration-done");

        await Ui.GotoAsync(page, $"/instances/{ids[0]}");
        // 1 March 2030 + 10 days, the start of that day in London (GMT in March).
        await Assertions.Expect(page.Locator("#instance-bookmarks tr[data-activity-id='followUp']")).ToContainTextAsync("2030-03-11 00:00");
        var instance = await api.GetFromJsonAsync<JsonObject>($"/api/workflow-instances/{ids[1]}");
        Assert.Equal(2, instance!["definitionVersion"]!.GetValue<int>());
    }
}
