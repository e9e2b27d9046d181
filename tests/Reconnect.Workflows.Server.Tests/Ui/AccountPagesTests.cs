using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Web.Components.Pages;
using Reconnect.Workflows.Web.Components.Shared;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>/admin/users, the change-password page and the must-change guard (issue #12; docs/ui.md), on a real server's services.</summary>
/// <remarks>Not a <see cref="MudTestContext"/>: the server's services must be added before anything is rendered.</remarks>
public class AccountPagesTests : BunitContext, IAsyncLifetime
{
    private ReconnectApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The page owns a scope of bUnit's container: each resolves a StaffService of a fresh server scope.
        Services.AddScoped(_ => _app.Services.CreateScope().ServiceProvider.GetRequiredService<StaffService>());
        Services.AddSingleton(_app.Service<AccountGate>());
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    private async Task<string> SignInAsAsync(string email, string role)
    {
        var id = await Referrals.ReferralKit.UserIdAsync(_app, email);
        var auth = AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetRoles(role);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, id));
        return id;
    }

    private IRenderedComponent<Users> RenderUsers()
    {
        Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<Users>();
        cut.WaitForElement("#users-table", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Fact]
    public async Task UsersPage_AdminCreatesNavigator_ShowsTemporaryPasswordOnce_ThenChangesAndDeactivates()
    {
        await SignInAsAsync(ReconnectApp.Admin, Roles.Admin);
        var cut = RenderUsers();
        Assert.NotNull(cut.Find($"tr[data-email='{ReconnectApp.NavigatorLeeds}']"));

        // A navigator without a site is refused, naming the field.
        cut.Find("#user-email").Change("page.navigator@reconnect.test");
        cut.Find("#user-name").Change("Page navigator");
        cut.Find("#user-role-Navigator").Change(true);
        cut.Find("#users-form").Submit();
        cut.WaitForElement("#user-error-site");

        cut.Find("#user-site").Change("LEI");
        cut.Find("#users-form").Submit();
        cut.WaitForElement("#users-temporary-password");
        var temporary = cut.Find("#users-temporary-password").TextContent;
        Assert.True(temporary.Length >= 12);
        var row = cut.WaitForElement("tr[data-email='page.navigator@reconnect.test']");
        Assert.Contains("Navigator", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("must change password", row.TextContent, StringComparison.Ordinal);
        var id = row.Id!["user-".Length..];

        // Changing it: the temporary password is gone from the page; the site changes.
        cut.Find($"#user-edit-{id}").Click();
        cut.Find("#user-site").Change("NHI");
        cut.Find("#users-form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("NHI", cut.Find($"#user-{id}").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#users-temporary-password"));
        Assert.DoesNotContain(temporary, cut.Markup, StringComparison.Ordinal);

        cut.Find($"#user-deactivate-{id}").Click();
        cut.WaitForAssertion(() => Assert.Contains("Deactivated", cut.Find($"#user-{id}").TextContent, StringComparison.Ordinal));
        cut.Find($"#user-reactivate-{id}").Click();
        cut.WaitForAssertion(() => Assert.Contains("Active", cut.Find($"#user-{id}").TextContent, StringComparison.Ordinal));
        Assert.Contains(await _app.AuditAsync(), a => a.Action == "user-deactivate" && a.EntityId == id && a.UserName == ReconnectApp.Admin);
    }

    [Fact]
    public async Task UsersPage_Manager_SeesTheAccountsReadOnly()
    {
        await SignInAsAsync(ReconnectApp.Manager, Roles.Manager);
        var cut = RenderUsers();
        Assert.NotNull(cut.Find($"tr[data-email='{ReconnectApp.Admin}']"));
        Assert.Empty(cut.FindAll("#users-form"));
        Assert.Empty(cut.FindAll("[id^='user-deactivate-']"));
        Assert.Empty(cut.FindAll("[id^='user-edit-']"));
    }

    [Fact]
    public async Task PasswordChangeGuard_AccountMustChange_SendsItToTheChangePasswordPage()
    {
        var admin = await _app.LoginAsync(ReconnectApp.Admin);
        var created = await (await admin.PostJsonAsync("/api/users", new JsonObject
        {
            ["email"] = "guard.navigator@reconnect.test", ["roles"] = new JsonArray("Navigator"), ["site"] = "LEI",
        })).JsonAsync(HttpStatusCode.Created);
        var auth = AddAuthorization();
        auth.SetAuthorized("guard.navigator@reconnect.test");
        auth.SetRoles(Roles.Navigator);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, created["id"].Str()));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/inbox");
        Render<PasswordChangeGuard>();
        Assert.EndsWith("/account/password", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordChangeGuard_AccountWithItsOwnPassword_StaysOnThePage()
    {
        await SignInAsAsync(ReconnectApp.NavigatorLeeds, Roles.Navigator);
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/inbox");
        Render<PasswordChangeGuard>();
        Assert.EndsWith("/inbox", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePasswordPage_TemporaryPassword_SaysSoAndStatesTheRules()
    {
        var admin = await _app.LoginAsync(ReconnectApp.Admin);
        var created = await (await admin.PostJsonAsync("/api/users", new JsonObject
        {
            ["email"] = "page.temporary@reconnect.test", ["roles"] = new JsonArray("Referrer"),
        })).JsonAsync(HttpStatusCode.Created);
        var auth = AddAuthorization();
        auth.SetAuthorized("page.temporary@reconnect.test");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, created["id"].Str()));
        Services.AddSingleton(_app.Service<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Identity.IdentityOptions>>());
        var cut = Render<ChangePassword>();
        Assert.NotNull(cut.Find("#password-must-change"));
        Assert.Equal("/account/change-password", cut.Find("#password-form").GetAttribute("action"));
        Assert.Contains("at least", cut.Find("#password-rules").TextContent, StringComparison.Ordinal);
    }
}
