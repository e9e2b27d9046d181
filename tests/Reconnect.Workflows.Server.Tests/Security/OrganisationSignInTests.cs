using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Ui;
using Serilog.Core;
using Serilog.Events;

namespace Reconnect.Workflows.Server.Tests.Security;

/// <summary>
/// The server configured for a real OpenID Connect provider (OpenIddict, on a Kestrel port of this process), with every
/// log event captured. The app runs in memory at https://localhost (the browser's cookies are Secure, as in production).
/// </summary>
public sealed class OrganisationSignInServer : IAsyncLifetime
{
    public static readonly Uri AppAddress = new("https://localhost/");

    public TestIdentityProvider Provider { get; private set; } = null!;
    public ReconnectApp App { get; private set; } = null!;
    public CapturingSink Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Provider = await TestIdentityProvider.StartAsync([new Uri(AppAddress, "/signin-oidc")]);
        App = await ReconnectApp.StartAsync("Sqlite", null, new Dictionary<string, string?>
        {
            ["Authentication:OpenIdConnect:Authority"] = Provider.Authority.ToString(),
            ["Authentication:OpenIdConnect:ClientId"] = TestIdentityProvider.ClientId,
            ["Authentication:OpenIdConnect:ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["Authentication:OpenIdConnect:DisplayName"] = "Test NHSmail",
            ["Authentication:OpenIdConnect:RequireHttpsMetadata"] = "false",
            ["Reconnect:RateLimiting:SignInsPerMinutePerAddress"] = "10000",
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:WriteTo:0:Args:restrictedToMinimumLevel"] = "Fatal",
            ["Serilog:WriteTo:1:Args:restrictedToMinimumLevel"] = "Fatal",
        }, services => services.AddSingleton<ILogEventSink>(Logs));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
    }

    public sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();
        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public IEnumerable<string> Texts() => _events.Select(e =>
            e.RenderMessage() + " | " + e.Exception + " | " + string.Join(" | ", e.Properties.Select(p => p.Key + "=" + p.Value)));
    }
}

/// <summary>
/// Sign-in through the organisation's identity provider (issue #12; docs/security.md): matched by e-mail the first time
/// and linked by <c>sub</c>, refused without an active account, audited, never a 500.
/// </summary>
public partial class OrganisationSignInTests(OrganisationSignInServer server) : IClassFixture<OrganisationSignInServer>
{
    private ReconnectApp App => server.App;
    private TestIdentityProvider Provider => server.Provider;

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    [GeneratedRegex("<form[^>]+action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    private HttpClient Browser() => App.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = OrganisationSignInServer.AppAddress, AllowAutoRedirect = false, HandleCookies = true,
    });

    private static string Unique(string what) => $"{what}.{Guid.NewGuid():N}"[..24] + "@reconnect.test";

    private async Task<string> CreateAccountAsync(string email, string role = "Navigator", string? site = "LEI")
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        var body = new JsonObject { ["email"] = email, ["displayName"] = "Organisation person", ["roles"] = new JsonArray(role) };
        if (site is not null) body["site"] = site;
        return (await (await admin.PostJsonAsync("/api/users", body)).JsonAsync(HttpStatusCode.Created))["id"].Str();
    }

    /// <summary>
    /// What a browser does: the login page's button, the provider (which signs in <see cref="TestIdentityProvider.Person"/>
    /// and answers with its auto-posting form), the callback, the hand-over. Returns the last answer of the app.
    /// </summary>
    private async Task<HttpResponseMessage> SignInThroughOrganisationAsync(HttpClient browser, TestPerson? person, string returnUrl = "/")
    {
        Provider.Person = person;
        var login = await browser.GetStringAsync("/login");
        Assert.Contains("id=\"login-organisation\"", login, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(UiHostTests.AntiforgeryField().Match(login).Groups[1].Value);
        var challenge = await browser.PostAsync("/account/login/organisation", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["ReturnUrl"] = returnUrl,
        }));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(Provider.Authority.ToString(), authorize.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge=", authorize.Query, StringComparison.Ordinal);

        using var real = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var answer = await real.GetAsync(authorize);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"The provider answered {answer.StatusCode}: {html}");
        var action = new Uri(WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value));
        Assert.Equal(new Uri(OrganisationSignInServer.AppAddress, "/signin-oidc"), action);
        var fields = HiddenField().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));

        var callback = await browser.PostAsync(action.PathAndQuery, new FormUrlEncodedContent(fields));
        if (callback.StatusCode != HttpStatusCode.Redirect) return callback;
        var next = callback.Headers.Location!;
        if (!next.OriginalString.StartsWith(OrganisationSignInEndpoints.CompletePath, StringComparison.Ordinal)) return callback;
        return await browser.GetAsync(next);
    }

    private static async Task<JsonObject?> MeAsync(HttpClient browser)
    {
        var me = await browser.GetAsync("/api/auth/me");
        return me.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await me.Content.ReadAsStringAsync())!.AsObject() : null;
    }

    private static void AssertRefused(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"/login?error={error}", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private async Task<IList<UserLoginInfo>> LoginsAsync(string id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.GetLoginsAsync((await users.FindByIdAsync(id))!);
    }

    [Fact]
    public async Task FirstSignIn_MatchingEmailInAnotherCase_LinksBySubAndSignsInWithTheAccountsRoles()
    {
        var email = Unique("first");
        var id = await CreateAccountAsync(email);
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        var browser = Browser();

        var done = await SignInThroughOrganisationAsync(browser, new TestPerson(subject, email.ToUpperInvariant(), EmailVerified: true), "/inbox");

        // A page that moves on by itself (the cookie is SameSite=Strict), to the return address.
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var page = await done.Content.ReadAsStringAsync();
        Assert.Contains("http-equiv=\"refresh\" content=\"0;url=/inbox\"", page, StringComparison.Ordinal);
        var me = await MeAsync(browser);
        Assert.NotNull(me);
        Assert.Equal(id, me["id"].Str());
        Assert.Equal(["Navigator"], me["roles"]!.AsArray().Select(r => r.Str()));
        Assert.Equal("LEI", me["site"].Str());
        // The temporary password nobody changed is gone: the account signs in through the organisation now.
        Assert.False(me["mustChangePassword"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/tasks")).StatusCode);
        var inbox = new HttpRequestMessage(HttpMethod.Get, "/inbox");
        inbox.Headers.Accept.ParseAdd("text/html");
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(inbox)).StatusCode);

        var login = Assert.Single(await LoginsAsync(id));
        Assert.Equal(("OpenIdConnect", subject), (login.LoginProvider, login.ProviderKey));
        var audit = (await App.AuditAsync()).Where(a => a.EntityId == id).ToList();
        Assert.Contains(audit, a => a.Action == "login-link" && a.UserId == id);
        var signIn = Assert.Single(audit, a => a.Action == "sign-in");
        Assert.Equal(id, signIn.UserId);
        Assert.Contains("\"provider\":\"OpenIdConnect\"", signIn.DetailJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondSignIn_BySubject_EvenWhenTheProviderNowSendsAnotherEmail()
    {
        var email = Unique("second");
        var id = await CreateAccountAsync(email, "Manager", null);
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await SignInThroughOrganisationAsync(Browser(), new TestPerson(subject, email))).StatusCode);

        var browser = Browser();
        var again = await SignInThroughOrganisationAsync(browser, new TestPerson(subject, Unique("renamed")), "//evil.example/");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("content=\"0;url=/\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var me = await MeAsync(browser);
        Assert.Equal(id, me!["id"].Str());
        Assert.Equal(["Manager"], me["roles"]!.AsArray().Select(r => r.Str()));
        Assert.Single(await LoginsAsync(id));
        var audit = (await App.AuditAsync()).Where(a => a.EntityId == id).ToList();
        Assert.Single(audit, a => a.Action == "login-link");
        Assert.Equal(2, audit.Count(a => a.Action == "sign-in"));
    }

    [Fact]
    public async Task SignIn_NoAccount_RefusedWithTheMessage_AuditedWithoutTheEmail_AndNothingPersonalLogged()
    {
        var email = Unique("stranger");
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        var browser = Browser();
        var before = (await App.AuditAsync()).Count;

        var refused = await SignInThroughOrganisationAsync(browser, new TestPerson(subject, email, Name: "Quillon Marrowfield"), "/inbox");

        AssertRefused(refused, "organisation-no-account");
        Assert.Contains("ReturnUrl=%2Finbox", refused.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var page = await browser.GetStringAsync(refused.Headers.Location!.OriginalString);
        Assert.Contains("There is no Reconnect account for your organisation e-mail address", page, StringComparison.Ordinal);
        Assert.Null(await MeAsync(browser));
        var row = Assert.Single((await App.AuditAsync()).Skip(before), a => a.Action == "sign-in-refused");
        Assert.Null(row.UserId);
        Assert.Null(row.UserName);
        Assert.Null(row.EntityId);
        Assert.Contains("\"reason\":\"no-account\"", row.DetailJson, StringComparison.Ordinal);
        Assert.DoesNotContain(email, row.DetailJson!, StringComparison.OrdinalIgnoreCase);

        var texts = server.Logs.Texts().ToList();
        Assert.Contains(texts, t => t.Contains("Organisation sign-in refused: \"no-account\"", StringComparison.Ordinal));
        foreach (var text in texts)
            foreach (var value in new[] { email, subject, "Quillon", "Marrowfield" })
                Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"'{value}' logged: {text}");
    }

    [Fact]
    public async Task SignIn_DeactivatedAccount_RefusedAtTheFirstSignInAndAfterTheLink()
    {
        var admin = await App.LoginAsync(ReconnectApp.Admin);
        var never = Unique("gone");
        var neverId = await CreateAccountAsync(never);
        await (await admin.PostAsync($"/api/users/{neverId}/deactivate", null)).JsonAsync(HttpStatusCode.OK);
        AssertRefused(await SignInThroughOrganisationAsync(Browser(), new TestPerson("sub-" + Guid.NewGuid().ToString("N"), never)), "organisation-deactivated");
        Assert.Empty(await LoginsAsync(neverId));

        var linked = Unique("left");
        var linkedId = await CreateAccountAsync(linked);
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await SignInThroughOrganisationAsync(Browser(), new TestPerson(subject, linked))).StatusCode);
        await (await admin.PostAsync($"/api/users/{linkedId}/deactivate", null)).JsonAsync(HttpStatusCode.OK);
        var browser = Browser();
        var refused = await SignInThroughOrganisationAsync(browser, new TestPerson(subject, linked));
        AssertRefused(refused, "organisation-deactivated");
        Assert.Contains("Your Reconnect account has been deactivated", await browser.GetStringAsync(refused.Headers.Location!.OriginalString), StringComparison.Ordinal);
        Assert.Null(await MeAsync(browser));
        var audit = await App.AuditAsync();
        Assert.Contains(audit, a => a.Action == "sign-in-refused" && a.EntityId == neverId && a.DetailJson!.Contains("\"reason\":\"deactivated\"", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Action == "sign-in-refused" && a.EntityId == linkedId && a.DetailJson!.Contains("\"reason\":\"deactivated\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_ProviderSaysEmailNotVerified_Refused()
    {
        var email = Unique("unverified");
        var id = await CreateAccountAsync(email);
        var browser = Browser();
        var refused = await SignInThroughOrganisationAsync(browser, new TestPerson("sub-" + Guid.NewGuid().ToString("N"), email, EmailVerified: false));
        AssertRefused(refused, "organisation-email-not-verified");
        Assert.Null(await MeAsync(browser));
        Assert.Empty(await LoginsAsync(id));
    }

    [Fact]
    public async Task SignIn_AnotherIdentityWithALinkedAccountsEmail_RefusedAndTheLinkStays()
    {
        var email = Unique("taken");
        var id = await CreateAccountAsync(email);
        var owner = "sub-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await SignInThroughOrganisationAsync(Browser(), new TestPerson(owner, email))).StatusCode);

        var browser = Browser();
        AssertRefused(await SignInThroughOrganisationAsync(browser, new TestPerson("sub-" + Guid.NewGuid().ToString("N"), email)), "organisation-linked-to-another");
        Assert.Null(await MeAsync(browser));
        Assert.Equal(owner, Assert.Single(await LoginsAsync(id)).ProviderKey);
    }

    [Fact]
    public async Task SignIn_ProviderDeniesOrTheHandOverIsOpenedDirectly_BackToTheLoginPageNever500()
    {
        var browser = Browser();
        // The provider answers access_denied (nobody signed in there).
        var denied = await SignInThroughOrganisationAsync(browser, person: null, "/inbox");
        AssertRefused(denied, "organisation");
        Assert.Contains("Sign-in through your organisation did not complete", await browser.GetStringAsync(denied.Headers.Location!.OriginalString), StringComparison.Ordinal);
        // The hand-over without an external sign-in behind it, and a callback nobody started.
        AssertRefused(await browser.GetAsync(OrganisationSignInEndpoints.CompletePath + "?ReturnUrl=%2Finbox"), "organisation");
        var forged = await browser.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "forged", ["state"] = "forged" }));
        AssertRefused(forged, "organisation");
        Assert.Null(await MeAsync(browser));
    }

    [Fact]
    public async Task Start_WithoutTheAntiforgeryField_Refused()
    {
        var response = await Browser().PostAsync("/account/login/organisation", new FormUrlEncodedContent(new Dictionary<string, string> { ["ReturnUrl"] = "/" }));
        // A page of another site cannot start a sign-in in the person's browser: no challenge, no redirect to the provider.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }
}

/// <summary>Without <c>Authentication:OpenIdConnect</c> nothing changes; a half-made configuration stops the start.</summary>
public class OrganisationSignInConfigurationTests
{
    [Fact]
    public async Task NoConfiguration_NoSchemeNoButtonAndNoEndpoint()
    {
        await using var app = await ReconnectApp.StartAsync();
        Assert.Null(await app.Service<IAuthenticationSchemeProvider>().GetSchemeAsync("OpenIdConnect"));
        var browser = UiHostTests.Browser(app);
        var login = await browser.GetStringAsync("/login");
        Assert.DoesNotContain("login-organisation", login, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign in with your organisation", login, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(UiHostTests.AntiforgeryField().Match(login).Groups[1].Value);
        var start = await browser.PostAsync("/account/login/organisation", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["ReturnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
    }

    [Fact]
    public async Task Configured_TheButtonShowsTheDisplayName()
    {
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Authentication:OpenIdConnect:Authority"] = "https://login.example.test/tenant/v2.0",
            ["Authentication:OpenIdConnect:ClientId"] = "reconnect",
            ["Authentication:OpenIdConnect:DisplayName"] = "NHSmail",
        });
        var scheme = await app.Service<IAuthenticationSchemeProvider>().GetSchemeAsync("OpenIdConnect");
        Assert.Equal("NHSmail", scheme!.DisplayName);
        var login = await UiHostTests.Browser(app).GetStringAsync("/login");
        Assert.Contains("Sign in with your organisation (NHSmail)", login, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://login.example.test/", "reconnect", "true", "Authority")]
    [InlineData("not an address", "reconnect", "false", "Authority")]
    [InlineData("https://login.example.test/", "", "true", "ClientId")]
    public void Options_HalfMade_Invalid(string authority, string clientId, string requireHttps, string member)
    {
        var options = new OrganisationSignInOptions { Authority = authority, ClientId = clientId, RequireHttpsMetadata = bool.Parse(requireHttps) };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Contains(errors, e => e.MemberNames.Contains(member));
    }

    [Fact]
    public void Options_NoAuthority_ValidAndOff()
    {
        var options = new OrganisationSignInOptions { ClientId = "ignored" };
        Assert.False(options.Enabled);
        Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        Assert.Equal(["openid", "profile", "email"], new OrganisationSignInOptions().RequestedScopes());
    }

    [Fact]
    public async Task Start_HalfMadeConfiguration_Fails()
    {
        var failure = await Record.ExceptionAsync(() => ReconnectApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Authentication:OpenIdConnect:Authority"] = "http://login.example.test/",
            ["Authentication:OpenIdConnect:ClientId"] = "reconnect",
        }));
        Assert.Contains("Authority must be https", failure?.ToString() ?? "", StringComparison.Ordinal);
    }
}
