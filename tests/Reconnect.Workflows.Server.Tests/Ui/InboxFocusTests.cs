using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;
using Reconnect.Workflows.Web.Components.Pages;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>After a task is completed in the inbox, focus goes to the next task (issue 15); and the focus ring's CSS.</summary>
/// <remarks>Not a <see cref="MudTestContext"/>: the server's services must be added before anything is rendered.</remarks>
public class InboxFocusTests : BunitContext, IAsyncLifetime
{
    private ReconnectApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton(_app.Service<TaskWork>());
        Services.AddSingleton(_app.Service<OverdueReviews>());
        Services.AddSingleton(_app.Service<TaskNotifications>());
        var leeds = await _app.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var auth = AddAuthorization();
        auth.SetAuthorized(ReconnectApp.NavigatorLeeds);
        auth.SetRoles("Navigator");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, leeds));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("a,b,c", "a", "b,c", "b")]
    [InlineData("a,b,c", "b", "a,c", "c")]
    [InlineData("a,b,c", "c", "a,b", "b")]
    [InlineData("a,b", "a", "b,x", "b")]
    [InlineData("a", "a", "", null)]
    [InlineData("a,b", "a", "x", "x")]
    public void NextAfter_CompletedTask_IsTheNextOneDownElseTheLast(string before, string done, string after, string? expected) =>
        Assert.Equal(expected, Inbox.NextAfter(before.Split(','), done, after.Length == 0 ? [] : after.Split(',')));

    [Fact]
    public async Task Complete_FirstOfTwoTasks_FocusGoesToTheNextTask_ThenTheEmptyMessage()
    {
        var service = _app.Service<ReferralService>();
        Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today, "A7401BC", "LEI"), "tester"));
        Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today, "A7402BC", "LEI"), "tester"));
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        Render<MudBlazor.MudPopoverProvider>();
        Render<MudBlazor.MudSnackbarProvider>();
        var cut = Render<Inbox>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#inbox-table tbody tr").Count), TimeSpan.FromSeconds(10));
        var second = cut.FindAll("#inbox-table tbody tr")[1].QuerySelector(".task-title")!.Id!["task-title-".Length..];

        await CompleteFirstRowAsync(cut, dialogs);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#inbox-table tbody tr")), TimeSpan.FromSeconds(10));
        // Focus was moved, to the other task's title (focusable, tabindex -1).
        cut.WaitForAssertion(() => Assert.Equal(second, cut.Instance.FocusedTaskId), TimeSpan.FromSeconds(5));
        Assert.Equal("-1", cut.Find("#task-title-" + second).GetAttribute("tabindex"));
        var focusCalls = JSInterop.Invocations["Blazor._internal.domWrapper.focus"].Count;

        await CompleteFirstRowAsync(cut, dialogs);
        cut.WaitForElement("#inbox-empty", TimeSpan.FromSeconds(10));
        // Nothing left: focus goes to the "nothing waiting" message.
        cut.WaitForAssertion(() => Assert.True(JSInterop.Invocations["Blazor._internal.domWrapper.focus"].Count > focusCalls), TimeSpan.FromSeconds(5));
        Assert.Null(cut.Instance.FocusedTaskId);
        Assert.Equal("-1", cut.Find("#inbox-empty-focus").GetAttribute("tabindex"));
    }

    private static async Task CompleteFirstRowAsync(IRenderedComponent<Inbox> cut, IRenderedComponent<MudBlazor.MudDialogProvider> dialogs)
    {
        var row = cut.FindAll("#inbox-table tbody tr")[0];
        row.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Complete").Click();
        dialogs.WaitForElement("#complete-submit", TimeSpan.FromSeconds(5));
        var select = dialogs.FindComponent<MudBlazor.MudSelect<string>>();
        await dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("Declined")); // closes the referral: no new task joins the list
        dialogs.Find("#complete-submit").Click();
    }

    [Fact]
    public void FocusRing_AppCss_IsReferencedAndDrawsAThreePixelOutline()
    {
        var web = Path.Combine(ReconnectApp.RepositoryRoot, "src", "Reconnect.Workflows.Web");
        Assert.Contains("_content/Reconnect.Workflows.Web/css/app.css", File.ReadAllText(Path.Combine(web, "Components", "App.razor")));
        var css = File.ReadAllText(Path.Combine(web, "wwwroot", "css", "app.css"));
        Assert.Contains(":focus-visible", css);
        Assert.Matches(@"outline:\s*3px solid #[0-9a-fA-F]{6}", css);
    }
}
