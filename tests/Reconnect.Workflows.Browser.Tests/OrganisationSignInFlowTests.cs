using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Reconnect.Workflows.Testing;
using static Microsoft.Playwright.Assertions;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>
/// Issue #12: a navigator an admin made signs in with "Sign in with your organisation": the browser goes to the real
/// OpenID Connect provider (OpenIddict) on another site and back, and lands signed in on the page they asked for.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OrganisationSignInFlowTests(BrowserServer server)
{
    [Fact]
    public async Task Navigator_SignsInWithTheirOrganisation_AndLandsOnTheirInbox()
    {
        var email = $"browser.oidc.{Guid.NewGuid():N}"[..28] + "@reconnect.test";
        try
        {
            await SignInAsync(email);
        }
        finally
        {
            await server.DeactivateAsync(email);
        }
    }

    private async Task SignInAsync(string email)
    {
        using (var admin = await server.ApiAsync(BrowserServer.Admin))
        {
            var created = await admin.PostAsJsonAsync("/api/users", new JsonObject
            {
                ["email"] = email, ["displayName"] = "Browser organisation navigator", ["roles"] = new JsonArray("Navigator"), ["site"] = "LEI",
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        // The organisation knows the person by its own id, and sends the e-mail in its own case.
        server.IdentityProvider.Person = new TestPerson("browser-" + Guid.NewGuid().ToString("N"), email.ToUpperInvariant(), EmailVerified: true);

        var page = await server.NewPageAsync();
        await page.GotoAsync("/login?ReturnUrl=%2Finbox");
        var button = page.Locator("#login-organisation");
        await Expect(button).ToHaveTextAsync($"Sign in with your organisation ({BrowserServer.OrganisationName})");
        var providerVisited = false;
        page.Request += (_, r) => { if (r.Url.StartsWith(server.IdentityProvider.Authority.ToString(), StringComparison.Ordinal)) providerVisited = true; };
        await button.ClickAsync();

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/inbox");
        await Ui.InteractiveAsync(page);
        Assert.True(providerVisited);
        // Signed in as the navigator (the page is theirs: not the login page, no password change asked).
        await Expect(page.Locator("#login-form")).ToHaveCountAsync(0);
        var me = await page.APIRequest.GetAsync("/api/auth/me");
        Assert.Equal(200, me.Status);
        var body = JsonNode.Parse(await me.TextAsync())!;
        Assert.Equal(email, body["email"]!.GetValue<string>());
        Assert.Equal("Navigator", body["roles"]![0]!.GetValue<string>());
        await Ui.ScreenshotAsync(page, "organisation-signed-in");
        await page.Context.CloseAsync();
    }
}
