using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>Every referral endpoint: anonymous 401, wrong role 403, right role 2xx, a navigator of another site 404.</summary>
public class ReferralApiRoleTests
{
    private sealed record Case(string Method, string Url, Func<JsonNode?>? Body, string Allowed, string Denied, HttpStatusCode Expected, string? Hidden = null);

    [Fact]
    public async Task ReferralEndpoints_RoleMatrix_401_403_2xx_404()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var today = app.Today();
        var leeds = (await manager.CreateReferralAsync(Body(today, PrisonNumber(1), site: "LEI")))["id"].Str();

        const string m = ReconnectApp.Manager, s = ReconnectApp.Scheduler, a = ReconnectApp.Admin, n = ReconnectApp.NavigatorLeeds, r = ReconnectApp.Referrer,
            otherNavigator = ReconnectApp.NavigatorNewHall;
        var cases = new List<Case>
        {
            new("POST", ReferralsUrl, () => Body(today, PrisonNumber(2)), r, s, HttpStatusCode.Created),
            new("POST", ReferralsUrl, () => Body(today, PrisonNumber(3)), n, s, HttpStatusCode.Created),
            new("POST", ReferralsUrl, () => Body(today, PrisonNumber(4)), a, s, HttpStatusCode.Created),
            new("GET", ReferralsUrl, null, n, s, HttpStatusCode.OK),
            new("GET", ReferralsUrl, null, r, s, HttpStatusCode.OK),
            new("GET", $"{ReferralsUrl}/{leeds}", null, n, s, HttpStatusCode.OK, otherNavigator),
            new("GET", $"{ReferralsUrl}/{leeds}", null, a, s, HttpStatusCode.OK, r), // a referrer sees only the referrals they made
            new("POST", $"{ReferralsUrl}/{leeds}/events/release-date-changed", () => new JsonObject { ["releaseDate"] = D(today.AddDays(31)) }, n, r, HttpStatusCode.OK, otherNavigator),
            new("POST", $"{ReferralsUrl}/{leeds}/events/release-date-changed", () => new JsonObject { ["releaseDate"] = D(today.AddDays(32)) }, m, s, HttpStatusCode.OK),
            new("GET", "/api/measures", null, m, n, HttpStatusCode.OK),
            new("GET", "/api/measures", null, a, r, HttpStatusCode.OK),
        };

        var anonymous = app.CreateClient();
        var clients = new Dictionary<string, HttpClient>();
        async Task<HttpClient> As(string user) => clients.TryGetValue(user, out var c) ? c : clients[user] = await app.LoginAsync(user);
        HttpRequestMessage Request(Case c) => new(new HttpMethod(c.Method), c.Url)
        {
            Content = c.Body is null ? null : new StringContent(c.Body()!.ToJsonString(), Encoding.UTF8, "application/json"),
        };

        foreach (var c in cases)
        {
            var what = $"{c.Method} {c.Url}";
            Assert.True(HttpStatusCode.Unauthorized == (await anonymous.SendAsync(Request(c))).StatusCode, $"{what} anonymous");
            Assert.True(HttpStatusCode.Forbidden == (await (await As(c.Denied)).SendAsync(Request(c))).StatusCode, $"{what} as {c.Denied}");
            if (c.Hidden is not null)
                Assert.True(HttpStatusCode.NotFound == (await (await As(c.Hidden)).SendAsync(Request(c))).StatusCode, $"{what} as {c.Hidden}");
            var allowed = await (await As(c.Allowed)).SendAsync(Request(c));
            Assert.True(c.Expected == allowed.StatusCode, $"{what} as {c.Allowed}: {(int)allowed.StatusCode} {await allowed.Content.ReadAsStringAsync()}");
        }
    }
}
