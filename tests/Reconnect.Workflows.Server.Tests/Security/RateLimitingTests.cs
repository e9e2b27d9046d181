using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Security;

/// <summary>Changes are limited by concurrency per user, sign-in by attempts per address and minute; reads never.</summary>
public class RateLimitingTests
{
    private static HttpContext Request(string method, string path, string? userId = null, string address = "10.0.0.1")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (userId is not null) context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "test"));
        return context;
    }

    [Fact]
    public void Changes_OverTheConcurrencyOfOneUser_AreRefused_OthersAndReadsAreNot()
    {
        using var limiter = RateLimiting.CreateLimiter(new RateLimitingOptions { ConcurrentChangesPerUser = 2, QueuedChangesPerUser = 0 });
        using var first = limiter.AttemptAcquire(Request("POST", "/api/events/go", "alice"));
        using var second = limiter.AttemptAcquire(Request("PUT", "/api/workflow-definitions/x", "alice"));
        using var third = limiter.AttemptAcquire(Request("POST", "/api/referrals", "alice"));
        Assert.True(first.IsAcquired);
        Assert.True(second.IsAcquired);
        Assert.False(third.IsAcquired);

        using var otherUser = limiter.AttemptAcquire(Request("POST", "/api/referrals", "bob"));
        using var read = limiter.AttemptAcquire(Request("GET", "/api/referrals", "alice"));
        using var page = limiter.AttemptAcquire(Request("POST", "/logout", "alice"));
        Assert.True(otherUser.IsAcquired);
        Assert.True(read.IsAcquired);
        Assert.True(page.IsAcquired);

        first.Dispose();
        using var afterRelease = limiter.AttemptAcquire(Request("POST", "/api/referrals", "alice"));
        Assert.True(afterRelease.IsAcquired);
    }

    [Fact]
    public void SignIns_OverTheLimitOfOneAddress_AreRefused_OtherAddressesAreNot()
    {
        using var limiter = RateLimiting.CreateLimiter(new RateLimitingOptions { SignInsPerMinutePerAddress = 3 });
        var results = Enumerable.Range(0, 4).Select(i => limiter.AttemptAcquire(Request("POST", i % 2 == 0 ? "/api/auth/login" : "/account/login")).IsAcquired).ToList();
        Assert.Equal([true, true, true, false], results);
        Assert.False(limiter.AttemptAcquire(Request("POST", "/api/auth/refresh")).IsAcquired);
        Assert.True(limiter.AttemptAcquire(Request("POST", "/api/auth/login", address: "10.0.0.2")).IsAcquired);
        Assert.True(limiter.AttemptAcquire(Request("GET", "/login")).IsAcquired);
    }

    [Fact]
    public void Disabled_RefusesNothing()
    {
        using var limiter = RateLimiting.CreateLimiter(new RateLimitingOptions { Enabled = false, ConcurrentChangesPerUser = 1, QueuedChangesPerUser = 0, SignInsPerMinutePerAddress = 1 });
        var leases = Enumerable.Range(0, 5).Select(_ => limiter.AttemptAcquire(Request("POST", "/api/auth/login", "alice"))).ToList();
        Assert.All(leases, l => Assert.True(l.IsAcquired));
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task SignIn_OverTheLimit_Answers429ProblemDetails_WithRetryAfter()
    {
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?> { ["Reconnect:RateLimiting:SignInsPerMinutePerAddress"] = "3" });
        var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/auth/login", new { email = ReconnectApp.Manager, password = "wrong-" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using var refused = await client.PostAsJsonAsync("/api/auth/login", new { email = ReconnectApp.Manager, password = ReconnectApp.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After is set");
        var problem = await refused.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(429, problem!["status"]!.GetValue<int>());
        Assert.Equal("Too many requests", problem["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Changes_WhileTheUserHoldsAllPermits_Answer429_ForThatUserOnly()
    {
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Reconnect:RateLimiting:ConcurrentChangesPerUser"] = "1",
            ["Reconnect:RateLimiting:QueuedChangesPerUser"] = "0",
        });
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var referrer = await app.LoginAsync(ReconnectApp.Referrer);
        var managerId = (await (await manager.GetAsync("/api/auth/me")).JsonAsync(HttpStatusCode.OK))["id"]!.GetValue<string>();

        // The middleware's own limiter: holding the manager's only permit stands in for a long request of theirs in flight.
        var limiter = app.Service<IOptions<RateLimiterOptions>>().Value.GlobalLimiter!;
        using (var held = limiter.AttemptAcquire(Request("POST", "/api/workflow-definitions/validate", managerId)))
        {
            Assert.True(held.IsAcquired);
            using var refused = await manager.PostJsonAsync($"{Definitions}/validate", HelloFlow("rate-flow"));
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            // Another user's change reaches its handler (which refuses the empty referral as a 422, not a 429).
            using var otherUser = await referrer.PostJsonAsync("/api/referrals", new JsonObject());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, otherUser.StatusCode);
            using var read = await manager.GetAsync(Definitions);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        using var afterwards = await manager.PostJsonAsync($"{Definitions}/validate", HelloFlow("rate-flow"));
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }
}
