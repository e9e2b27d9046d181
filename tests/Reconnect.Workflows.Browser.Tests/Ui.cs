using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>Steps the browser tests share: sign-in through the form, waiting for the circuit, screenshots, test data.</summary>
internal static class Ui
{
    private static readonly string[] MentalHealth = ["MentalHealth"];

    /// <summary>Signs in through /login (static form post) and waits for the landing page's circuit.</summary>
    public static async Task SignInAsync(IPage page, string email, string returnUrl)
    {
        await page.GotoAsync($"/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", BrowserServer.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == returnUrl);
        await InteractiveAsync(page);
    }

    /// <summary>Completes the task <paramref name="title"/> of an inbox row through the dialog with <paramref name="outcome"/>; returns once the dialog has closed.</summary>
    public static async Task CompleteTaskAsync(IPage page, ILocator row, string title, string outcome)
    {
        await row.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Complete: " + title);
        await dialog.Locator("#complete-outcome").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = outcome, Exact = true }).ClickAsync();
        await dialog.Locator("#complete-submit").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Makes a pathway with the designer list's "New pathway" form and waits for its designer page. Under CI's load (the
    /// server tests and Elsa Studio's WebAssembly beside us) the create can take longer than the default 20 s; a
    /// refusal fails at once with the page's own message rather than a bare timeout.
    /// </summary>
    public static async Task CreatePathwayAsync(IPage page, string id, string name)
    {
        await page.FillAsync("#new-id", id);
        await page.FillAsync("#new-name", name);
        await Assertions.Expect(page.Locator("#new-id")).ToHaveValueAsync(id);
        await page.ClickAsync("#new-pathway button[type=submit]");
        var opened = page.WaitForURLAsync(url => url.EndsWith($"/designer/{id}", StringComparison.Ordinal), new() { Timeout = 60_000 });
        var refused = page.Locator("#new-pathway .mud-alert").WaitForAsync(new() { Timeout = 60_000 });
        if (await Task.WhenAny(opened, refused) == refused && refused.IsCompletedSuccessfully)
            throw new InvalidOperationException($"The new pathway '{id}' was refused: {await page.Locator("#new-pathway .mud-alert").InnerTextAsync()}");
        await opened;
    }

    /// <summary>
    /// How long a push may take to reach a page opened at <paramref name="opened"/>: until a few seconds before the page's own
    /// 30-second poll (the inbox's and the bell's) would have shown the change anyway, so that what arrives was pushed.
    /// </summary>
    public static float BeforePoll(System.Diagnostics.Stopwatch opened) =>
        (float)Math.Max(1_000, TimeSpan.FromSeconds(26).TotalMilliseconds - opened.Elapsed.TotalMilliseconds);

    public static async Task GotoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await InteractiveAsync(page);
    }

    /// <summary>
    /// Waits until the layout has rendered through the Blazor circuit (MainLayout's data-interactive turns "true" only
    /// then): before that the page is the prerendered HTML and clicks and typing go nowhere.
    /// </summary>
    public static async Task InteractiveAsync(IPage page)
    {
        try
        {
            await page.Locator("#page-content[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException e)
        {
            var marker = await page.Locator("#page-content").CountAsync();
            throw new TimeoutException($"No interactive circuit on {page.Url} (#page-content present: {marker}):\n{string.Join("\n", Console(page))}\n{await page.EvaluateAsync<string>("() => document.querySelector('#page-content').outerHTML.slice(0, 300) + ' blazor=' + (typeof window.Blazor) + ' ' + performance.getEntriesByType('resource').map(e => e.name + ' ' + e.responseStatus).join(' | ') + ' scripts=' + [...document.scripts].map(s => s.src).join(',')")}", e);
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> Logs = new();

    /// <summary>Starts keeping the page's console messages and errors, shown when the circuit does not come up.</summary>
    public static void Record(IPage page)
    {
        var log = Logs.GetOrCreateValue(page);
        page.Console += (_, m) => { lock (log) log.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (log) log.Add("page error: " + e); };
        page.Response += (_, r) => { if (r.Status >= 400) lock (log) log.Add($"HTTP {r.Status} {r.Url}"); };
        page.RequestFailed += (_, r) => { lock (log) log.Add($"request failed {r.Url}: {r.Failure}"); };
    }

    private static List<string> Console(IPage page)
    {
        var log = Logs.GetOrCreateValue(page);
        lock (log) return [.. log];
    }

    /// <summary>Runs axe-core on the page as it is (after a screenshot of it) and adds each serious or critical violation to <paramref name="failures"/>.</summary>
    public static async Task CheckAxeAsync(IPage page, string name, List<string> failures)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await ScreenshotAsync(page, name);
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            failures.Add($"{name}: {violation.Id} ({violation.Impact}) {violation.Help}: " +
                         string.Join("; ", violation.Nodes.Take(5).Select(n => n.Html)));
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(BrowserServer.RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    /// <summary>How far the tests have moved the server's workflow clock (the tests of the collection run one at a time).</summary>
    public static TimeSpan ClockOffset { get; private set; }

    /// <summary>Today in London, as the server's workflow clock sees it (real time plus what the tests moved it by).</summary>
    public static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow + ClockOffset, TimeZoneInfo.FindSystemTimeZoneById("Europe/London")).DateTime);

    /// <summary>Moves the server's workflow clock (POST /api/testing/clock as the admin) and keeps <see cref="Today"/> in step.</summary>
    public static async Task AdvanceClockAsync(BrowserServer server, TimeSpan by)
    {
        using var api = await server.ApiAsync(BrowserServer.Admin);
        var response = await api.PostAsJsonAsync("/api/testing/clock", new { advanceBy = System.Xml.XmlConvert.ToString(by) });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/testing/clock answered {(int)response.StatusCode}: {body}");
        // System.Text.Json writes a TimeSpan in the constant ("c") format, e.g. 7.01:00:00.
        ClockOffset = TimeSpan.ParseExact(JsonNode.Parse(body)!["offset"]!.GetValue<string>(), "c", CultureInfo.InvariantCulture);
    }

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Creates an eligible referral through POST /api/referrals as the demo referrer; returns its id.</summary>
    public static async Task<string> CreateReferralAsync(BrowserServer server, string prisonNumber, string site, int releaseInDays = 30)
    {
        using var api = await server.ApiAsync(BrowserServer.Referrer);
        var response = await api.PostAsJsonAsync("/api/referrals", new
        {
            person = new { givenName = "Sam", familyName = "Example", dateOfBirth = "1990-05-17", prisonNumber },
            site,
            releaseDate = Iso(Today.AddDays(releaseInDays)),
            releaseType = "ConditionalRelease",
            referralSource = "PrisonHealthcare",
            healthNeeds = MentalHealth,
            consent = new { given = true },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/referrals answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }
}
