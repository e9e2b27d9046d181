using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Testing;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Web.Components;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>/dashboard and /schedules through the real server: who gets them, and where <c>/</c> sends each role.</summary>
public class DashboardAndSchedulesHostTests
{
    [Fact]
    public async Task Home_SendsEachRoleToItsPage_AndThePagesAnswerTheirRolesOnly()
    {
        await using var app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        var expected = new Dictionary<string, string>
        {
            [ReconnectApp.NavigatorLeeds] = "/inbox",
            [ReconnectApp.Manager] = "/dashboard",
            [ReconnectApp.Scheduler] = "/schedules",
            [ReconnectApp.Admin] = "/referrals",
            [ReconnectApp.Referrer] = "/referrals",
        };
        foreach (var (email, home) in expected)
        {
            var browser = await UiHostTests.SignedInBrowserAsync(app, email);
            var response = await browser.GetAsync("/");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(home, new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        }

        var scheduler = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Scheduler);
        var schedules = await scheduler.GetStringAsync("/schedules");
        Assert.Contains("daily-follow-up-check", schedules);
        Assert.Contains("timer-dispatcher", schedules);
        Assert.Contains("Run now", schedules);
        Assert.Equal("/forbidden", (await scheduler.GetAsync("/dashboard")).Headers.Location!.AbsolutePath);

        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var dashboard = await manager.GetStringAsync("/dashboard");
        Assert.Contains("Open referrals by site and stage", dashboard);
        Assert.Contains("engagement-table", dashboard);
        var managerSchedules = await manager.GetStringAsync("/schedules");
        Assert.Contains("daily-follow-up-check", managerSchedules);
        Assert.DoesNotContain("Run now", managerSchedules);

        var navigator = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.NavigatorLeeds);
        Assert.Equal("/forbidden", (await navigator.GetAsync("/dashboard")).Headers.Location!.AbsolutePath);
        Assert.Equal("/forbidden", (await navigator.GetAsync("/schedules")).Headers.Location!.AbsolutePath);
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal("/login", (await anonymous.GetAsync("/schedules")).Headers.Location!.AbsolutePath);
        Assert.Equal("/login", (await anonymous.GetAsync("/dashboard")).Headers.Location!.AbsolutePath);
    }

    [Theory]
    [InlineData(new[] { Roles.Navigator }, "/inbox")]
    [InlineData(new[] { Roles.Manager }, "/dashboard")]
    [InlineData(new[] { Roles.Manager, Roles.Admin }, "/dashboard")]
    [InlineData(new[] { Roles.Admin }, "/referrals")]
    [InlineData(new[] { Roles.Referrer }, "/referrals")]
    [InlineData(new[] { Roles.Scheduler }, "/schedules")]
    [InlineData(new string[0], "")]
    public void HomeFor_PicksThePageOfTheFirstMatchingRole(string[] roles, string expected)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)), "test"));
        Assert.Equal(expected, UiRoles.HomeFor(user));
    }
}
