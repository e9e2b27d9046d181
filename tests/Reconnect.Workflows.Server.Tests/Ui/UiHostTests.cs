using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The UI through the real server: the sign-in form, the cookie, redirects, and the API's 401/403 untouched.</summary>
public partial class UiHostTests
{
    internal static HttpClient Browser(ReconnectApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    internal static partial Regex AntiforgeryField();

    /// <summary>GET /login, then POST the form as a browser would (with the antiforgery field and cookie).</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string email, string password, string returnUrl = "/")
    {
        var page = await browser.GetStringAsync("/login");
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        Assert.NotEmpty(token);
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Email"] = email,
            ["Password"] = password,
            ["ReturnUrl"] = returnUrl,
        }));
    }

    /// <summary>A cookie-holding client signed in through the form as <paramref name="email"/> (the demo password).</summary>
    internal static async Task<HttpClient> SignedInBrowserAsync(ReconnectApp app, string email)
    {
        var browser = Browser(app);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, email, ReconnectApp.Password)).StatusCode);
        return browser;
    }

    [Fact]
    public async Task Login_Get_Returns200HtmlWithTheForm()
    {
        await using var app = await ReconnectApp.StartAsync();
        var response = await Browser(app).GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\" action=\"/account/login\"", html);
        Assert.Contains("<label for=\"email\"", html);
        Assert.Contains("<label for=\"password\"", html);
        Assert.Matches(AntiforgeryField(), html);
    }

    [Fact]
    public async Task Pages_Anonymous_RedirectToLogin_ButTheApiStillAnswers401()
    {
        await using var app = await ReconnectApp.StartAsync();
        var browser = Browser(app);
        foreach (var path in new[] { "/inbox", "/referrals", "/referrals/new", "/" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
            Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location!.Query);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/referrals")).StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_GoesBackToLoginWithTheError()
    {
        await using var app = await ReconnectApp.StartAsync();
        var browser = Browser(app);
        var response = await SignInAsync(browser, ReconnectApp.NavigatorLeeds, "not-the-password", "/inbox");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.OriginalString.Split('?')[0]);
        var page = await browser.GetStringAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("The email or password is wrong.", page);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/inbox")).StatusCode);
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_IsRefused()
    {
        await using var app = await ReconnectApp.StartAsync();
        var response = await Browser(app).PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = ReconnectApp.NavigatorLeeds, ["Password"] = ReconnectApp.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("reconnect.auth", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Navigator_SignsIn_GetsCookieAndRedirect_ThenSeesFirstContactInTheInbox()
    {
        await using var app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        var service = app.Service<ReferralService>();
        Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today), "tester"));
        var browser = Browser(app);

        var response = await SignInAsync(browser, ReconnectApp.NavigatorLeeds, ReconnectApp.Password, "/inbox");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/inbox", response.Headers.Location!.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), v => v.StartsWith("reconnect.auth=", StringComparison.Ordinal));

        var inbox = await browser.GetAsync("/inbox");
        Assert.Equal(HttpStatusCode.OK, inbox.StatusCode);
        Assert.Contains("First contact", await inbox.Content.ReadAsStringAsync());

        // Home sends a navigator to the inbox; the API still takes the cookie.
        var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/inbox", new Uri(new Uri("http://localhost"), home.Headers.Location!).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task Referrer_OnTheInbox_IsSentToForbidden_AndTheApiAnswers403()
    {
        await using var app = await ReconnectApp.StartAsync();
        var browser = Browser(app);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, ReconnectApp.Referrer, ReconnectApp.Password)).StatusCode);
        var inbox = await browser.GetAsync("/inbox");
        Assert.Equal(HttpStatusCode.Redirect, inbox.StatusCode);
        Assert.Equal("/forbidden", inbox.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/referrals/new")).StatusCode);
    }

    [Fact]
    public async Task SignOut_ClearsTheCookie()
    {
        await using var app = await ReconnectApp.StartAsync();
        var browser = Browser(app);
        await SignInAsync(browser, ReconnectApp.Manager, ReconnectApp.Password);
        var page = await browser.GetStringAsync("/referrals");
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        var response = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/referrals")).StatusCode);
    }

    [Theory]
    [InlineData("/inbox", "/inbox")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData(null, "/")]
    [InlineData("/login?x=1", "/")]
    public void ReturnUrl_OnlyLocalPaths(string? returnUrl, string expected) =>
        Assert.Equal(expected, Reconnect.Workflows.Server.Auth.AccountEndpoints.SafeReturnUrl(returnUrl));
}

/// <summary>The change-password page through the real server: a temporary password sends every page there until changed.</summary>
public class ChangePasswordHostTests
{
    private static HttpRequestMessage Page(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        return request;
    }

    [Fact]
    public async Task Pages_TemporaryPassword_RedirectToChangePassword_UntilTheFormChangesIt()
    {
        await using var app = await ReconnectApp.StartAsync();
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        var created = await (await admin.PostJsonAsync("/api/users", new System.Text.Json.Nodes.JsonObject
        {
            ["email"] = "host.temporary@reconnect.test", ["roles"] = new System.Text.Json.Nodes.JsonArray("Navigator"), ["site"] = "LEI",
        })).JsonAsync(HttpStatusCode.Created);
        var temporary = created["temporaryPassword"]!.GetValue<string>();

        var browser = UiHostTests.Browser(app);
        Assert.Equal(HttpStatusCode.Redirect, (await UiHostTests.SignInAsync(browser, "host.temporary@reconnect.test", temporary, "/inbox")).StatusCode);
        var sent = await browser.SendAsync(Page("/inbox"));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal("/account/password", sent.Headers.Location?.OriginalString);

        var page = await browser.SendAsync(Page("/account/password"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"password-must-change\"", html, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(UiHostTests.AntiforgeryField().Match(html).Groups[1].Value);

        var wrong = await browser.PostAsync("/account/change-password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["CurrentPassword"] = "not-it-at-all", ["NewPassword"] = "A-new-password-2027",
        }));
        Assert.Equal("/account/password?error=current", wrong.Headers.Location?.OriginalString);
        var changed = await browser.PostAsync("/account/change-password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["CurrentPassword"] = temporary, ["NewPassword"] = "A-new-password-2027",
        }));
        Assert.Equal("/account/password?done=1", changed.Headers.Location?.OriginalString);

        // The renewed cookie works and no longer sends the pages away.
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(Page("/inbox"))).StatusCode);
        Assert.Contains(await app.AuditAsync(), a => a.Action == "password-change" && a.UserName == "host.temporary@reconnect.test");
    }
}
