using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>Issue #12 in the browser: reassignment that reaches an open inbox, leave with cover, escalated work for managers.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StaffFlowTests(BrowserServer server) : IAsyncLifetime
{
    /// <summary>The navigators this test added at LEI: deactivated when it ends, failed or not (see <see cref="BrowserServer.DeactivateAsync"/>).</summary>
    private readonly List<string> _made = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var email in _made) await server.DeactivateAsync(email);
    }

    private const string Manager = "manager@reconnect.test";
    private const string Scheduler = "scheduler@reconnect.test";
    private static readonly string[] NavigatorRole = ["Navigator"];

    [Fact]
    public async Task Manager_ChangesACasesNavigator_TheNewNavigatorsOpenInboxShowsItsTaskLive_AndTheBellCounts()
    {
        var (secondEmail, secondId) = await NewNavigatorAsync("browser.second.lei@reconnect.test", "Browser second LEI");
        var referralId = await Ui.CreateReferralAsync(server, "E6001SF", "LEI");
        var current = await NavigatorOfAsync(referralId);
        var (targetEmail, targetId) = current == secondId ? (BrowserServer.NavigatorLeeds, await IdOfAsync(BrowserServer.NavigatorLeeds)) : (secondEmail, secondId);

        var manager = await server.NewPageAsync();
        await Ui.SignInAsync(manager, Manager, $"/referrals/{referralId}");
        await Expect(manager.Locator("#change-navigator")).ToBeVisibleAsync();
        var failures = new List<string>();
        await Ui.CheckAxeAsync(manager, "case-change-navigator", failures);
        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
        await manager.Locator("div.mud-select").Filter(new() { Has = manager.Locator("#change-navigator-choice") }).Last.ClickAsync();
        await manager.GetByRole(AriaRole.Option, new() { Name = targetEmail }).ClickAsync();
        await manager.FillAsync("#change-navigator-reason", "Balancing caseloads");

        // The navigator who will get the case opens their inbox, without the case's task, just before the change: the
        // push must then arrive before the inbox's own poll would have shown it.
        var inbox = await server.NewPageAsync();
        await Ui.SignInAsync(inbox, targetEmail, "/inbox");
        await Expect(inbox.Locator("#inbox-table, #inbox-empty")).ToHaveCountAsync(1);
        var opened = System.Diagnostics.Stopwatch.StartNew();
        await inbox.EvaluateAsync("() => { window.__sameDocument = true; }");
        var row = inbox.Locator("#inbox-table tbody tr").Filter(new() { Has = inbox.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(row).ToHaveCountAsync(0);
        var unreadBefore = int.Parse((await inbox.Locator("#notification-count").GetAttributeAsync("data-unread"))!, System.Globalization.CultureInfo.InvariantCulture);

        await manager.ClickAsync("#change-navigator-go");
        await Expect(manager.Locator("#case-history")).ToContainTextAsync("Balancing caseloads");

        // Pushed to the open inbox before its 30-second poll, and the bell counts the notification.
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = Ui.BeforePoll(opened) });
        await Expect(row).ToContainTextAsync("First contact");
        await Expect(inbox.Locator("#notification-count")).ToHaveAttributeAsync("data-unread", (unreadBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = Ui.BeforePoll(opened) });
        Assert.True(await inbox.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
        Assert.Equal(targetId, await NavigatorOfAsync(referralId));

        // Opening the bell shows it; choosing it marks it read and opens the case.
        await inbox.Locator("#notification-bell button").First.ClickAsync();
        var note = inbox.Locator(".notification-item[data-kind='case-assigned']").First;
        await Expect(note).ToContainTextAsync("navigator of a case");
        await Ui.ScreenshotAsync(inbox, "notification-bell-open");
        await note.ClickAsync();
        await inbox.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/referrals/{referralId}");
        // Other browser tests expect navigator.lei to be LEI's only navigator (new referrals go to the least loaded).
        await server.DeactivateAsync(secondEmail);
        await Expect(inbox.Locator("#notification-count")).ToHaveAttributeAsync("data-unread", unreadBefore.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await manager.Context.CloseAsync();
        await inbox.Context.CloseAsync();
    }

    [Fact]
    public async Task Navigator_RecordsLeaveWithCover_TheAbsenceIsListedWithItsCover()
    {
        var (coverEmail, coverId) = await NewNavigatorAsync("browser.cover.lei@reconnect.test", "Browser cover LEI");
        var page = await server.NewPageAsync();
        await Ui.SignInAsync(page, BrowserServer.NavigatorLeeds, "/account/absences");
        // Axe before any snackbar (MudBlazor's success snackbar has its own contrast problem, on every page).
        var failures = new List<string>();
        await Ui.CheckAxeAsync(page, "my-absences", failures);
        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
        var from = Ui.Today.AddDays(120);
        await page.FillAsync("#absence-from", Ui.Iso(from));
        await page.FillAsync("#absence-to", Ui.Iso(from.AddDays(4)));
        await page.Locator("div.mud-select").Filter(new() { Has = page.Locator("#absence-cover") }).Last.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Browser cover LEI" }).ClickAsync();
        await page.ClickAsync("#absence-save");

        var listed = page.Locator("#absences-table tbody tr").Filter(new() { HasText = Ui.Iso(from) });
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed.Locator("[data-cell='cover']")).ToHaveTextAsync("Browser cover LEI");

        // The API agrees: the leave and its cover, as recorded.
        using var api = await server.ApiAsync(BrowserServer.NavigatorLeeds);
        var me = await IdOfAsync(BrowserServer.NavigatorLeeds);
        var absences = (await api.GetFromJsonAsync<JsonArray>($"/api/users/{me}/absences"))!;
        Assert.Contains(absences, a => a!["from"]!.GetValue<string>() == Ui.Iso(from) && a["coverUserId"]?.GetValue<string>() == coverId);

        // A second leave on the same days is refused with the reason shown.
        await page.FillAsync("#absence-from", Ui.Iso(from.AddDays(2)));
        await page.FillAsync("#absence-to", Ui.Iso(from.AddDays(6)));
        await page.ClickAsync("#absence-save");
        await Expect(page.Locator("#absence-problem")).ToContainTextAsync("another absence");
        await page.Context.CloseAsync();
        await server.DeactivateAsync(coverEmail);
    }

    [Fact]
    public async Task Manager_SeesAnEscalatedTaskInNeedsAttention_AndItsNavigatorSeesTheFlag()
    {
        var referralId = await Ui.CreateReferralAsync(server, "E6003SF", "NHI");
        // First contact is due in two days and escalates two days after that: five days on, the daily check escalates it.
        await Ui.AdvanceClockAsync(server, TimeSpan.FromDays(5));
        using (var scheduler = await server.ApiAsync(Scheduler))
            Assert.True((await scheduler.PostAsync("/api/schedules/daily-follow-up-check/trigger", null)).IsSuccessStatusCode);
        using (var api = await server.ApiAsync(Manager))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var page = (await api.GetFromJsonAsync<JsonObject>("/api/tasks?view=attention&pageSize=200"))!;
                if (page["items"]!.AsArray().Any(t => t!["referralId"]?.GetValue<string>() == referralId)) break;
                Assert.True(DateTime.UtcNow < deadline, "the daily check did not escalate the referral's first contact");
                await Task.Delay(500);
            }
        }

        var manager = await server.NewPageAsync();
        await Ui.SignInAsync(manager, Manager, "/attention");
        var row = manager.Locator("#attention-table tbody tr").Filter(new() { Has = manager.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("First contact");
        await Expect(manager.GetByRole(AriaRole.Link, new() { Name = "Needs attention" })).ToBeVisibleAsync();
        var failures = new List<string>();
        await Ui.CheckAxeAsync(manager, "needs-attention", failures);
        Assert.True(failures.Count == 0, "Serious or critical axe violations:\n" + string.Join("\n", failures));
        await manager.Context.CloseAsync();

        var navigator = await server.NewPageAsync();
        await Ui.SignInAsync(navigator, "navigator.nhi@reconnect.test", "/inbox");
        var mine = navigator.Locator("#inbox-table tbody tr").Filter(new() { Has = navigator.Locator($"a[href='/referrals/{referralId}']") });
        await Expect(mine.Locator("[data-cell='escalated']")).ToHaveTextAsync("Escalated");
        await navigator.Context.CloseAsync();
    }

    // ------------------------------------------------------------------ helpers

    private async Task<(string Email, string Id)> NewNavigatorAsync(string email, string name)
    {
        _made.Add(email);
        using var admin = await server.ApiAsync(BrowserServer.Admin);
        var response = await admin.PostAsJsonAsync("/api/users", new { email, displayName = name, roles = NavigatorRole, site = "LEI", password = BrowserServer.Password });
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict) return (email, await IdOfAsync(email));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/users answered {(int)response.StatusCode}: {body}");
        return (email, JsonNode.Parse(body)!["id"]!.GetValue<string>());
    }

    private async Task<string> IdOfAsync(string email)
    {
        using var admin = await server.ApiAsync(BrowserServer.Admin);
        var users = (await admin.GetFromJsonAsync<JsonArray>("/api/users"))!;
        return users.Single(u => u!["email"]!.GetValue<string>() == email)!["id"]!.GetValue<string>();
    }

    private async Task<string?> NavigatorOfAsync(string referralId)
    {
        using var manager = await server.ApiAsync(Manager);
        var referral = (await manager.GetFromJsonAsync<JsonObject>($"/api/referrals/{referralId}"))!;
        return referral["navigator"]?["id"]?.GetValue<string>() ?? referral["navigatorId"]?.GetValue<string>();
    }
}
