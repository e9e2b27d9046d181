using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Ui;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>
/// "Who looked at my record?": the audit trail read back through <c>GET /api/audit</c> (JSON and CSV) and the case
/// page's Access log. A read through the API and the opening of the case page in the UI both write a <c>read</c> row.
/// </summary>
public class AuditTrailTests
{
    [Fact]
    public async Task Audit_ApiReadAndCasePage_BothWriteReadRows_NewestFirstWithWho()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        var id = (await manager.CreateReferralAsync(Body(app.Today(), PrisonNumber(8801))))["id"].Str();
        await navigator.GetReferralAsync(id);
        var page = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var html = await (await page.GetAsync($"/referrals/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("Access log", html);
        Assert.Contains("opened the record", html);
        Assert.Contains(ReconnectApp.NavigatorLeeds, html);

        var trail = await (await admin.GetAsync($"/api/audit?referralId={id}")).JsonAsync(HttpStatusCode.OK);

        var items = trail["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(items.Count, trail["total"]!.GetValue<int>());
        // Newest first: the case page (prerendered, then its live circuit may read again), the navigator's API read, the creation.
        Assert.Equal("create", items[^1]["action"].Str());
        Assert.Equal(ReconnectApp.Manager, items[^1]["userEmail"].Str());
        Assert.Equal(("read", ReconnectApp.NavigatorLeeds), (items[^2]["action"].Str(), items[^2]["userEmail"].Str()));
        Assert.Equal(("read", ReconnectApp.Manager), (items[0]["action"].Str(), items[0]["userEmail"].Str()));
        Assert.All(items, i => Assert.Equal(("Referral", id), (i["subjectType"].Str(), i["subjectId"].Str())));
        var times = items.Select(i => DateTimeOffset.Parse(i["at"].Str(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);

        // A list page that showed the person is "who looked" too.
        await manager.GetAsync("/api/referrals");
        var withList = await (await admin.GetAsync($"/api/audit?referralId={id}&action=list")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, withList["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Audit_FiltersCsvAndRoles()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var id = (await manager.CreateReferralAsync(Body(app.Today(), PrisonNumber(8802))))["id"].Str();
        await navigator.GetReferralAsync(id);
        await navigator.GetReferralAsync(id);
        var navigatorId = await app.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var today = D(app.Today());

        var reads = await (await manager.GetAsync($"/api/audit?referralId={id}&action=read&userId={navigatorId}&from={today}&to={today}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, reads["total"]!.GetValue<int>());
        var paged = await (await manager.GetAsync($"/api/audit?referralId={id}&pageSize=1&page=2")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(paged["items"]!.AsArray());
        Assert.Equal(3, paged["total"]!.GetValue<int>());
        var tomorrow = await (await manager.GetAsync($"/api/audit?referralId={id}&from={D(app.Today().AddDays(1))}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, tomorrow["total"]!.GetValue<int>());

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/audit?referralId={id}");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = await manager.SendAsync(csvRequest);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at,userId,userEmail,action,subjectType,subjectId,detail", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains($"\"{ReconnectApp.NavigatorLeeds}\",\"read\",\"Referral\",\"{id}\"", lines[1]);

        var bad = await (await manager.GetAsync("/api/audit?from=yesterday&pageSize=0")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["from"]);
        Assert.NotNull(bad["errors"]!["pageSize"]);
        await (await navigator.GetAsync($"/api/audit?referralId={id}")).ProblemAsync(HttpStatusCode.Forbidden);
        var referrer = await app.LoginAsync(ReconnectApp.Referrer);
        await (await referrer.GetAsync("/api/audit")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CasePage_Navigator_HasNoAccessLog()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var id = (await manager.CreateReferralAsync(Body(app.Today(), PrisonNumber(8803))))["id"].Str();
        var page = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.NavigatorLeeds);
        var html = await (await page.GetAsync($"/referrals/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("First contact", html);
        Assert.DoesNotContain("Access log", html);
    }
}
