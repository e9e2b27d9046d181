using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Reconnect.Workflows.Web.Components.Pages;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The inbox component on the real services: a committed task for this navigator re-renders it; one for another site does not.</summary>
/// <remarks>Not a <see cref="MudTestContext"/>: the server's services must be added before anything is rendered.</remarks>
public class InboxPushComponentTests : BunitContext, IAsyncLifetime
{
    private ReconnectApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The page's only services: the application layer's.
        Services.AddSingleton(_app.Service<TaskWork>());
        Services.AddSingleton(_app.Service<OverdueReviews>());
        Services.AddSingleton(_app.Service<TaskNotifications>());
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Inbox_ReRendersWhenATaskForItsNavigatorCommits_ButNotForAnotherSite_AndUnsubscribesOnDispose()
    {
        var app = _app;
        var notifications = app.Service<TaskNotifications>();
        var leeds = await app.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var auth = AddAuthorization();
        auth.SetAuthorized(ReconnectApp.NavigatorLeeds);
        auth.SetRoles("Navigator");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, leeds));
        var service = app.Service<ReferralService>();

        var cut = Render<Inbox>();
        cut.WaitForElement("#inbox-empty", TimeSpan.FromSeconds(10));
        Assert.Equal(1, notifications.SubscriberCount);
        var rendersWhenEmpty = cut.RenderCount;

        // New Hall's referral: its task is announced (after the commit, on this thread) but is not for this inbox.
        Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today, "A7101BC", "NHI"), "tester"));
        Assert.Equal(rendersWhenEmpty, cut.RenderCount);
        Assert.NotEmpty(cut.FindAll("#inbox-empty"));

        // Leeds's referral: the First contact task appears without anything else being done to the component.
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today, "A7102BC", "LEI"), "tester"));
        cut.WaitForAssertion(() => Assert.Contains("First contact", cut.Find("#inbox-table").TextContent), TimeSpan.FromSeconds(10));
        var row = Assert.Single(cut.FindAll("#inbox-table tbody tr"));
        Assert.Contains($"/referrals/{created.ReferralId}", row.InnerHtml);
        Assert.Contains("New", row.TextContent);
        // The person the task is about, on the row (issue 15).
        Assert.Equal("A7102BC", row.QuerySelector("[data-cell=prison-number]")!.TextContent.Trim());
        Assert.Contains("Example", row.QuerySelector("[data-cell=person]")!.TextContent);
        Assert.Contains("1 new task", cut.Find("#inbox-live").TextContent);
        // One re-read, one render: the New Hall notice scheduled nothing.
        Assert.Equal(rendersWhenEmpty + 1, cut.RenderCount);

        cut.Instance.Dispose();
        Assert.Equal(0, notifications.SubscriberCount);
    }
}
