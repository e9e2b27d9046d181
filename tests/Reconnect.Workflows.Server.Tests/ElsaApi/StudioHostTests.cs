using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Ui;

namespace Reconnect.Workflows.Server.Tests.ElsaApi;

/// <summary>
/// The pages hosting Elsa Studio (StudioHost/): who gets them, the page when Studio's files are missing, the element
/// with an absolute remote endpoint and a bearer token minted for the cookie user (which /elsa/api accepts, with that
/// user's rights), and the package's files. A stand-in folder plays the installed package; the browser tests
/// (ElsaStudioTests) use the real one.
/// </summary>
public sealed partial class StudioHostTests : IDisposable
{
    private readonly string _studio = Path.Combine(Path.GetTempPath(), "reconnect-tests", "studio-" + Guid.NewGuid().ToString("N"));

    [GeneratedRegex("access-token=\"([^\"]+)\"")]
    private static partial Regex AccessToken();

    private Task<ReconnectApp> StartAsync(bool installed)
    {
        Directory.CreateDirectory(_studio);
        if (installed)
        {
            Directory.CreateDirectory(Path.Combine(_studio, "_framework"));
            Directory.CreateDirectory(Path.Combine(_studio, "_content", "MudBlazor"));
            File.WriteAllText(Path.Combine(_studio, "_framework", "blazor.webassembly.js"), "// stand-in");
            File.WriteAllBytes(Path.Combine(_studio, "_framework", "icudt.test.dat"), [1, 2, 3]);
            File.WriteAllText(Path.Combine(_studio, "_content", "MudBlazor", "MudBlazor.min.js"), "// stand-in");
            File.WriteAllText(Path.Combine(_studio, "index.html"), "<html>the package's sample</html>");
        }
        return ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows, new Dictionary<string, string?> { ["ElsaStudio:Path"] = _studio });
    }

    [Fact]
    public async Task StudioPages_Anonymous_RedirectToTheLogin()
    {
        await using var app = await StartAsync(installed: true);
        var browser = UiHostTests.Browser(app);
        foreach (var path in new[] { "/studio/", "/studio/definitions/reconnect-referral-pathway", "/studio/instances", "/studio/instances/x" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login?ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location?.OriginalString);
        }
        // "/studio" is sent to the base Blazor needs.
        Assert.Equal("/studio/", (await browser.GetAsync("/studio")).Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task StudioPages_NavigatorOrBearerCaller_AreRefused()
    {
        await using var app = await StartAsync(installed: true);
        var navigator = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.NavigatorLeeds);
        foreach (var path in new[] { "/studio/", "/studio/definitions/reconnect-referral-pathway", "/studio/instances", "/studio/instances/x" })
        {
            var response = await navigator.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/forbidden", response.Headers.Location?.OriginalString);
        }
        // The pages mint tokens for a browser's cookie, not for an API client's bearer token.
        using var login = await app.LoginAsync(ReconnectApp.Manager);
        using var bearer = UiHostTests.Browser(app);
        bearer.DefaultRequestHeaders.Authorization = login.DefaultRequestHeaders.Authorization;
        var refused = await bearer.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/studio/") { Headers = { { "Accept", "text/html" } } });
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/login", refused.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("access-token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StudioPage_FilesMissing_Answers503NamingTheInstallScript()
    {
        await using var app = await StartAsync(installed: false);
        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var response = await manager.GetAsync("/studio/definitions/reconnect-referral-pathway");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("scripts/install-elsa-studio.sh", html, StringComparison.Ordinal);
        Assert.Contains("Elsa Studio is not installed", html, StringComparison.Ordinal);
        Assert.DoesNotContain("access-token", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StudioPage_Manager_RendersTheElementWithATokenTheElsaApiAccepts()
    {
        await using var app = await StartAsync(installed: true);
        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var response = await manager.GetAsync("/studio/definitions/reconnect-referral-pathway");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a page with a token must not be cached");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<base href=\"/studio/\">", html, StringComparison.Ordinal);
        Assert.Contains("<elsa-workflow-definition-editor definition-id=\"reconnect-referral-pathway\" remote-endpoint=\"http://localhost/elsa/api\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"_framework/blazor.webassembly.js\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/designer/reconnect-referral-pathway\"", html, StringComparison.Ordinal);

        var token = AccessToken().Match(html).Groups[1].Value;
        using var studio = app.CreateClient();
        studio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var definition = (await studio.GetFromJsonAsync<JsonObject>("/elsa/api/workflow-definitions/by-definition-id/reconnect-referral-pathway?versionOptions=Latest"))!;
        Assert.False(definition["isReadonly"]!.GetValue<bool>());
        Assert.Contains(definition["links"]!.AsArray(), l => l!["rel"]!.GetValue<string>() == "publish");

        // A tampered token is nobody.
        studio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await studio.GetAsync("/elsa/api/workflow-definitions")).StatusCode);
    }

    [Fact]
    public async Task StudioPage_AdminWhoMayNotEdit_GetsAReadOnlyToken()
    {
        await using var app = await StartAsync(installed: true);
        var admin = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Admin);
        var html = await admin.GetStringAsync("/studio/");
        Assert.Contains("<elsa-workflow-definition-list remote-endpoint=", html, StringComparison.Ordinal);
        using var studio = app.CreateClient();
        studio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken().Match(html).Groups[1].Value);
        var definition = (await studio.GetFromJsonAsync<JsonObject>("/elsa/api/workflow-definitions/by-definition-id/reconnect-referral-pathway"))!;
        Assert.True(definition["isReadonly"]!.GetValue<bool>());
        var save = await studio.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition.DeepClone(), ["publish"] = true });
        Assert.Equal(HttpStatusCode.Forbidden, save.StatusCode);
    }

    [Fact]
    public async Task StudioPage_HostileIds_AreEncoded()
    {
        await using var app = await StartAsync(installed: true);
        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var html = await manager.GetStringAsync("/studio/instances/" + Uri.EscapeDataString("\"><script>alert(1)</script>"));
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Contains("instance-id=\"&quot;&gt;&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StudioFiles_AreServedUnderTheBase_DatAsOctetStream_ButNotTheSampleIndex()
    {
        await using var app = await StartAsync(installed: true);
        using var anonymous = app.CreateClient();
        var dat = await anonymous.GetAsync("/studio/_framework/icudt.test.dat");
        Assert.Equal(HttpStatusCode.OK, dat.StatusCode);
        Assert.Equal("application/octet-stream", dat.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/javascript", (await anonymous.GetAsync("/studio/_framework/blazor.webassembly.js")).Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/studio/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/studio/_framework/../index.html")).StatusCode);
    }

    public void Dispose()
    {
        try { Directory.Delete(_studio, recursive: true); } catch (IOException) { }
    }
}
