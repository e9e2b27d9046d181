using System.Net;
using Reconnect.Workflows.Web.Components;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Pathway;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>
/// /instances and /instances/{id} through the real server: served (prerendered) to the roles of the API's ReadInstances
/// policy, Retry/Cancel only to ManageInstances, refused to the others exactly as the API refuses them.
/// </summary>
public class InstancesHostTests
{
    private static async Task<(ReconnectApp App, string ReferralId, string InstanceId)> StartWithReferralAsync()
    {
        var app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        var service = app.Service<ReferralService>();
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today), "tester"));
        return (app, created.ReferralId, created.WorkflowInstanceId);
    }

    [Theory]
    [InlineData(ReconnectApp.Manager, true)]
    [InlineData(ReconnectApp.Admin, true)]
    [InlineData(ReconnectApp.Scheduler, false)]
    public async Task ReadInstancesRoles_GetTheListAndTheViewer_ButtonsOnlyForManageInstances(string email, bool canManage)
    {
        var (app, _, instanceId) = await StartWithReferralAsync();
        await using var _ = app;
        var browser = await UiHostTests.SignedInBrowserAsync(app, email);

        var list = await browser.GetAsync("/instances");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var listHtml = await list.Content.ReadAsStringAsync();
        Assert.Contains("Workflow instances", listHtml);
        Assert.Contains($"href=\"/instances/{instanceId}\"", listHtml);
        Assert.Contains("href=\"/instances\"", listHtml); // the navigation link

        var viewer = await browser.GetAsync($"/instances/{instanceId}");
        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);
        var html = await viewer.Content.ReadAsStringAsync();
        Assert.Contains("data-activity-id=\"firstContact\" data-state=\"waiting\"", html);
        Assert.Contains("WAITING HERE", html);
        Assert.Contains("activity-executed", html); // the journal
        Assert.Contains("RECONNECT referral pathway", html);
        Assert.Equal(canManage, html.Contains("id=\"instance-cancel\"", StringComparison.Ordinal));
        Assert.Equal(!canManage, html.Contains("id=\"instance-actions-readonly\"", StringComparison.Ordinal));
        // The API agrees on who may read.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/api/workflow-instances/{instanceId}")).StatusCode);
    }

    [Theory]
    [InlineData(ReconnectApp.NavigatorLeeds)]
    [InlineData(ReconnectApp.Referrer)]
    public async Task OtherRoles_AreSentToForbidden_AsTheApiAnswers403(string email)
    {
        var (app, _, instanceId) = await StartWithReferralAsync();
        await using var _ = app;
        var browser = await UiHostTests.SignedInBrowserAsync(app, email);

        foreach (var path in new[] { "/instances", $"/instances/{instanceId}" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/forbidden", response.Headers.Location!.AbsolutePath);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/api/workflow-instances")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"/api/workflow-instances/{instanceId}")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_IsSentToLogin()
    {
        await using var app = await ReconnectApp.StartAsync();
        var browser = UiHostTests.Browser(app);
        var response = await browser.GetAsync("/instances");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task CasePage_LinksToItsInstance_ForRolesThatCanSeeInstances()
    {
        var (app, referralId, instanceId) = await StartWithReferralAsync();
        await using var _ = app;

        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var managerCase = await manager.GetStringAsync($"/referrals/{referralId}");
        Assert.Contains($"href=\"/instances/{instanceId}\"", managerCase);
        var viewer = await manager.GetStringAsync($"/instances/{instanceId}");
        Assert.Contains($"href=\"/referrals/{referralId}\"", viewer);

        var navigator = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.NavigatorLeeds);
        var navigatorCase = await navigator.GetStringAsync($"/referrals/{referralId}");
        Assert.Contains("First contact", navigatorCase);
        Assert.DoesNotContain("/instances/", navigatorCase);
    }

    [Fact]
    public async Task UnknownInstance_SaysSo()
    {
        await using var app = await ReconnectApp.StartAsync();
        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var response = await manager.GetAsync("/instances/no-such-instance");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("There is no workflow instance &#x27;no-such-instance&#x27;.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Viewer_ShowsTimersWithTheirLondonDueTime_AndTheTasksItWaitsOn()
    {
        await using var kit = await PathwayKit.StartAsync();
        var referralId = await kit.CreateAsync(releaseInDays: 30);
        await kit.CompleteAsync(referralId, "First contact", "Engaged");
        var instanceId = (await kit.ReferralAsync(referralId)).WorkflowInstanceId;
        var due = await kit.TimerDueAsync(referralId, "weekBefore");

        var manager = await UiHostTests.SignedInBrowserAsync(kit.App, ReconnectApp.Manager);
        var html = System.Net.WebUtility.HtmlDecode(await manager.GetStringAsync($"/instances/{instanceId}"));
        Assert.Contains("data-activity-id=\"weekBefore\" data-state=\"waiting\"", html);
        Assert.Contains("data-activity-id=\"assessment\" data-state=\"waiting\"", html);
        Assert.Contains("data-activity-id=\"firstContact\" data-state=\"ran\"", html);
        Assert.Contains($"a timer due {UiText.Instant(due)}", html);
        Assert.Contains("task-completed", html);
    }

    [Fact]
    public async Task FaultedInstance_IsMarkedWithItsIncident_LaidOutWithoutPositions_AndOffersRetry()
    {
        await using var app = await ReconnectApp.StartAsync();
        var api = await app.LoginAsync(ReconnectApp.Manager);
        await api.CreateAndPublishAsync(Kit.FaultingFlow("faulty"));
        var instanceId = (await api.StartAsync("faulty"))["id"].Str();

        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var list = await manager.GetStringAsync("/instances?status=Faulted");
        Assert.Contains($"data-instance-id=\"{instanceId}\"", list);

        var html = await manager.GetStringAsync($"/instances/{instanceId}");
        Assert.Contains("data-auto-layout=\"true\"", html);
        Assert.Contains("data-state=\"faulted\"", html);
        Assert.Contains("FAULTED HERE", html);
        Assert.Contains("id=\"instance-incidents\"", html);
        Assert.Contains("id=\"instance-retry\"", html);
        Assert.Contains("id=\"instance-cancel\"", html);
    }
}
