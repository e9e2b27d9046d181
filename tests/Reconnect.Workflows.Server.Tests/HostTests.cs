using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests;

public class HostTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Health_FreshDatabase_IsHealthy(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var response = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Login_DemoUser_GetsBearerTokenAndRoles(string provider)
    {
        await using var app = await ReconnectApp.StartAsync(provider);
        var client = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var me = await client.GetFromJsonAsync<JsonObject>("/api/auth/me");
        Assert.Equal("LEI", me!["site"]!.GetValue<string>());
        Assert.Equal("Navigator", me["roles"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_WrongPassword_Is401ProblemDetails()
    {
        await using var app = await ReconnectApp.StartAsync();
        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = ReconnectApp.Manager, password = "wrong-password-123" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Api_Anonymous_Is401_WrongRole_Is403()
    {
        await using var app = await ReconnectApp.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/auth/me")).StatusCode);
        var navigator = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "P1D" })).StatusCode);
    }

    [Fact]
    public async Task TestClock_Admin_MovesTheClockForward()
    {
        await using var app = await ReconnectApp.StartAsync();
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        var before = DateTimeOffset.UtcNow;
        var response = await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "P3D" });
        response.EnsureSuccessStatusCode();
        var now = DateTimeOffset.Parse((await response.Content.ReadFromJsonAsync<JsonObject>())!["now"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(now >= before.AddDays(3));

        var bad = await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "soon" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("advanceBy", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TestClock_Off_IsNotThere()
    {
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?> { ["Testing:ClockControl"] = "false" });
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = "P1D" })).StatusCode);
    }

    [Fact]
    public async Task OpenApi_IsServed()
    {
        await using var app = await ReconnectApp.StartAsync();
        var response = await app.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/api/auth/login", await response.Content.ReadAsStringAsync());
    }
}
