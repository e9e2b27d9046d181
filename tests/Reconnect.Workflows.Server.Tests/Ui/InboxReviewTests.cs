using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;
using Reconnect.Workflows.Web.Components.Pages;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>A manager's inbox: a review of an overdue task says what it is about (issue 15).</summary>
public class InboxReviewTests : BunitContext, IAsyncLifetime
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
        var manager = await _app.UserIdAsync(ReconnectApp.Manager);
        var auth = AddAuthorization();
        auth.SetAuthorized(ReconnectApp.Manager);
        auth.SetRoles(Roles.Manager);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, manager));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task ReviewRow_NamesTheTaskThePersonTheNavigatorAndDaysOverdue()
    {
        var service = _app.Service<ReferralService>();
        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today, "A7501BC", "LEI"), "tester"));
        var today = service.Today;
        await using (var db = await _app.DbAsync())
        {
            var overdue = await db.Tasks.SingleAsync(t => t.SubjectId == created.ReferralId && t.Title == "First contact");
            overdue.DueAt = LondonTime.AtLondonTime(today.AddDays(-4), new TimeOnly(17, 0));
            var now = LondonTime.AtLondonTime(today, new TimeOnly(7, 0));
            db.Tasks.Add(new WorkflowTaskRecord
            {
                Id = Guid.CreateVersion7().ToString("N"), InstanceId = "daily-check", BookmarkId = "", ActivityId = ReferralChecks.EscalateOverdueTasks,
                ActivityType = "Reconnect.QueryReferrals", Title = "Review: overdue task — First contact", OutcomesJson = JsonSerializer.Serialize(OverdueReviews.Outcomes),
                DueAt = now.AddDays(1), Status = "Open", Site = "LEI", AssigneeRole = Roles.Manager, SubjectId = created.ReferralId, CreatedAt = now,
                DataJson = new JsonObject { ["overdueTaskId"] = overdue.Id, ["check"] = ReferralChecks.EscalateOverdueTasks }.ToJsonString(),
            });
            await db.SaveChangesAsync();
        }
        Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<Inbox>();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-cell='about']")), TimeSpan.FromSeconds(10));
        var about = cut.Find("[data-cell='about']").TextContent;
        Assert.Contains("'First contact' for Sam Example", about);
        Assert.Contains($"({created.Reference})", about);
        Assert.Contains("with ", about);
        Assert.Contains("4 days overdue", about);
        Assert.Contains(created.Reference, cut.Find("[data-cell='reference']").TextContent);
    }
}
